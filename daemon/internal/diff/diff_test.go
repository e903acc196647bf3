package diff

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string // word tokens only
	}{
		{"He didn't say.", []string{"He", "didn't", "say"}},
		{"Iran’s leader", []string{"Iran’s", "leader"}},
		{"1,234 comments at 10:42 on 2014-09-15", []string{"1,234", "comments", "at", "10:42", "on", "2014-09-15"}},
		{"U.S. troops", []string{"U", "S", "troops"}},
		{"against’’ ISIS", []string{"against", "ISIS"}},
		{"al-Abadi", []string{"al", "Abadi"}},
		{"3.5 million", []string{"3.5", "million"}},
		{"北京今天", []string{"北", "京", "今", "天"}},
		{"नया पुल", []string{"नया", "पुल"}},
		{"Министр заявил", []string{"Министр", "заявил"}},
		{"می\u200cخواهم بروم", []string{"می\u200cخواهم", "بروم"}},
		{"x\xffy", []string{"x", "y"}},
	}
	for _, tt := range tests {
		var got []string
		var joined strings.Builder
		for _, tok := range tokenize(tt.in) {
			joined.WriteString(tok.text)
			if tok.kind == tokWord {
				got = append(got, tok.text)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("words of %q = %q, want %q", tt.in, got, tt.want)
		}
		if joined.String() != tt.in {
			t.Errorf("tokens of %q join to %q", tt.in, joined.String())
		}
	}
}

func TestWordDiffReadsAsPhrases(t *testing.T) {
	tests := []struct {
		old, new string
		want     []Span
	}{
		{
			"The quick brown fox jumps over the lazy dog.",
			"A fast brown cat leaps over the lazy dog.",
			// Not "The→A quick→fast brown fox→cat jumps→leaps".
			[]Span{{SpanDelete, "The quick brown fox jumps"}, {SpanInsert, "A fast brown cat leaps"}, {SpanEqual, " over the lazy dog."}},
		},
		{
			"The senator did not vote for the bill.",
			"The senator did vote for the bill.",
			[]Span{{SpanEqual, "The senator did "}, {SpanDelete, "not "}, {SpanEqual, "vote for the bill."}},
		},
		{
			"killed 5, wounded 7",
			"killed 6, wounded 8",
			[]Span{{SpanEqual, "killed "}, {SpanDelete, "5"}, {SpanInsert, "6"}, {SpanEqual, ", wounded "}, {SpanDelete, "7"}, {SpanInsert, "8"}},
		},
		{"same", "same", []Span{{SpanEqual, "same"}}},
		{"", "", []Span{}},
		{"", "new", []Span{{SpanInsert, "new"}}},
		{"old", "", []Span{{SpanDelete, "old"}}},
	}
	for _, tt := range tests {
		budget := workBudget
		got := wordDiff(tt.old, tt.new, &budget, nil)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("wordDiff(%q, %q)\n got %q\nwant %q", tt.old, tt.new, got, tt.want)
		}
	}
}

func TestVolatileLines(t *testing.T) {
	n := newNoise([]string{"Read the full story at Example News"})
	tests := []struct {
		line string
		want bool
	}{
		{"Advertisement", true},
		{"ADVERTISEMENT", true},
		{"Skip advertisement", true},
		{"Advertisement - Scroll to continue", true},
		{"Continue reading the main story", true},
		{"Share this article", true},
		{"Share on Facebook", true},
		{"Follow us on Twitter", true},
		{"Sign up for our newsletter", true},
		{"Subscribe to the Morning Briefing newsletter", true},
		{"Updated 5 minutes ago", true},
		{"Updated 10:42 a.m. ET", true},
		{"Sept. 15, 2014", true},
		{"15 September 2014", true},
		{"2014-09-15", true},
		{"Last updated: Monday, Sept. 15, 2014 10:42 AM EDT", true},
		{"Published 3 hours ago", true},
		{"1,234 comments", true},
		{"12 shares", true},
		{"5 min read", true},
		{"Mis à jour le 15 septembre 2014", true},
		{"Aktualisiert am 15. September 2014 um 10:42 Uhr", true},
		{"Actualizado hace 5 minutos", true},
		{"* * *", true},
		{"read the full story at example news.", true},
		{"The storm killed 5 people on Monday.", false},
		{"May", true},
		{"The share price fell 5 percent.", false},
		{"Follow the money, investigators said.", false},
		{"Correction: the vote was on Sept. 15, 2014.", false},
		{"Northside Elementary, 14 Oak Street", false},
	}
	for _, tt := range tests {
		if got := n.volatile(words(tt.line)); got != tt.want {
			t.Errorf("volatile(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestSameByline(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"By Jane Doe", "BY JANE DOE", true},
		{"By Jane Doe | Updated 10:42 a.m. ET", "By Jane Doe | Updated 11:05 a.m. ET", true},
		{"By Jane Doe, Sept. 15, 2014", "By Jane Doe, Sept. 16, 2014", true},
		{"By Jane Doe", "By John Roe", false},
		{"By Jane Doe", "By Jane Doe and John Roe", false},
		{"By Jane Doe and John Roe", "John Roe, Jane Doe", true},
		{"Jane Doe, Riverton News", "Jane Doe", true},
		{"Jane Doe | Courier", "By Jane Doe", true},
		{"Reporting by Jane Doe; Editing by John Roe", "By Jane Doe and John Roe", true},
		{"Par MARIE DUPONT et Jean Martin", "Marie Dupont, Jean Martin", true},
		{"Von Anna Schmidt und Lukas Weber", "Anna Schmidt · Lukas Weber", true},
		{"Por María García y José Pérez", "MARIA GARCIA | JOSE PEREZ", true},
		{"Por María García", "Por Lucía Torres", false},
		{"The Riverton Courier", "Riverton Courier staff", false},
		{"Courier", "Courier", true},
	}
	for _, tt := range tests {
		if got := sameByline(tt.a, tt.b); got != tt.want {
			t.Errorf("sameByline(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestBylineNames(t *testing.T) {
	tests := []struct {
		byline string
		want   []string
	}{
		{"By JANE DOE", []string{"jane doe"}},
		{"By Jane Doe and John Roe", []string{"jane doe", "john roe"}},
		{"By Jane Doe, John Roe & Ann Lee", []string{"ann lee", "jane doe", "john roe"}},
		{"Jane Doe, Staff Writer | The Riverton Courier", []string{"jane doe"}},
		{"Jane Doe - Riverton Courier", []string{"jane doe"}},
		{"By Jane M. Doe", []string{"jane doe"}},
		{"By Jean-Pierre Martin", []string{"jean pierre martin"}},
		{"By Jane Doe. Additional reporting by John Roe.", []string{"jane doe", "john roe"}},
		{"By Jane Doe Photographs by John Roe", []string{"jane doe", "john roe"}},
		{"Text and photos by Jane Doe", []string{"jane doe"}},
		{"By Jane Doe | Updated 10:42 a.m. ET", []string{"jane doe"}},
		{"By Jane Doe, Sept. 15, 2014", []string{"jane doe"}},
		{"Propos recueillis par Marie Dupont, correspondante à Lyon", []string{"marie dupont"}},
		{"Par Marie Dupont (avec agences)", []string{"marie dupont"}},
		{"Von Lena von der Heide", []string{"lena von der heide"}},
		{"Anna Schmidt mit Material von Agenturen", []string{"anna schmidt"}},
		{"Di Carlo", []string{"di carlo"}},
		{"Di Luigi Rossi", []string{"luigi rossi"}},
		{"Por María García, corresponsal en Bogotá", []string{"maria garcia"}},
		{"Courier", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := bylineNames(tt.byline); !slices.Equal(got, tt.want) {
			t.Errorf("bylineNames(%q) = %q, want %q", tt.byline, got, tt.want)
		}
	}
}

func TestSameStampLine(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"By Jane Doe | Updated 10:42 a.m. ET", "By Jane Doe | Updated 11:15 a.m. ET", true},
		{"Jane Doe, published 3 hours ago", "Jane Doe, published 4 hours ago", true},
		{"By Jane Doe | Updated 10:42 a.m. ET", "By John Roe | Updated 11:15 a.m. ET", false},
		{"The hearing is on Sept. 15, 2014.", "The hearing is on Sept. 22, 2014.", false},
		{"The report, published Sept. 15, found that the river had risen faster than in any year on record.",
			"The report, published Sept. 16, found that the river had risen faster than in any year on record.", false},
	}
	for _, tt := range tests {
		if got := sameStampLine(words(tt.a), words(tt.b)); got != tt.want {
			t.Errorf("sameStampLine(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFlips(t *testing.T) {
	tests := []struct {
		del, ins string
		want     bool
	}{
		{"reluctant", "willing", true},
		{"willing", "reluctant", true},
		{"increased", "decreased", true},
		{"rising", "falling", true},
		{"rose", "fell", true},
		{"confirmed", "denied", true},
		{"denies", "confirms", true},
		{"won", "lost", true},
		{"winning", "losing", true},
		{"guilty", "innocent", true},
		{"approved", "rejected", true},
		{"likely", "unlikely", true},
		{"binding", "nonbinding", true},
		{"not", "", true},
		{"", "never", true},
		{"didn't", "did", true},
		{"won't", "will", true},
		{"can", "cannot", true},
		{"не ", "", true},
		{"some", "no", true},
		{"said", "did not say", true},
		{"will", "won't", true},
		{"a", "n'a pas", true},
		{"ne l'a jamais", "l'a", true},
		{"ein", "kein", true},
		{"hat", "hat nichts", true},
		{"siempre", "nunca", true},
		{"dijo", "no dijo", true},
		{"did not say", "never said", false},
		{"n'a pas dit", "n'a jamais dit", false},
		{"the council voted on the plan", "no vote was held on the council's plan", false},
		{"reluctant", "hesitant", false},
		{"said", "stated", false},
		{"not", "never", false},
		{"the old", "a new", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := flips(words(tt.del), words(tt.ins)); got != tt.want {
			t.Errorf("flips(%q → %q) = %v, want %v", tt.del, tt.ins, got, tt.want)
		}
	}
	if n := len(antonymPairs); n < 40 {
		t.Errorf("%d antonym pairs, want at least 40", n)
	}
}

// Each edit of one sentence in a longer article, graded with the size
// rules off: what is left is what the edit means.
func TestMeaningOfEdits(t *testing.T) {
	tests := []struct {
		old, new string
		want     article.Significance
	}{
		{"The emergency manager, Luis Ortega, said crews had rescued 42 people.", "The emergency manager, Luis Romero, said crews had rescued 42 people.", article.Substantive},
		{"Mr. Ortega said crews had rescued 42 people.", "Mr. Romero said crews had rescued 42 people.", article.Substantive},
		{"Officials said Ortega was serious.", "Officials said Orlando was serious.", article.Substantive},
		{"Officials said the president was serious.", "Officials said President Ruiz was serious.", article.Substantive},
		{"Officials at the U.S. agency said the storm was serious.", "Officials at the UN agency said the storm was serious.", article.Substantive},
		{"The emergency manager, Luis Ortgea, said crews had rescued 42 people.", "The emergency manager, Luis Ortega, said crews had rescued 42 people.", article.Minor},
		{"The emergency manager, luis ortega, said crews had rescued 42 people.", "The emergency manager, Luis Ortega, said crews had rescued 42 people.", article.Trivial},
		{"Officials at the U.S. agency said the storm was serious.", "Officials at the US agency said the storm was serious.", article.Minor},
		{"Officials at the U.S. agency said the storm was serious.", "Officials at the United States agency said the storm was serious.", article.Minor},
		{"It rained. The storm was serious.", "It rained. A storm was serious.", article.Minor},
		{"I said the storm was serious.", "We said the storm was serious.", article.Minor},
		{"Die Behörden sagten, wann die Brücke wieder geöffnet wird.", "Die Polizei sagte, wann die Brücke wieder geöffnet wird.", article.Minor},
		{"He said: “The storm was serious.”", "He said: “The storm was grave.”", article.Substantive},
		{"\"We were reluctant to order a full evacuation,\" he said.", "“We were reluctant to order a full evacuation,” he said.", article.Trivial},
		{"« Nous avons hésité », a-t-il dit.", "« Nous avons attendu », a-t-il dit.", article.Substantive},
		{"„Wir haben gezögert“, sagte er.", "„Wir haben gewartet“, sagte er.", article.Substantive},
		{"The water rose faster than any forecast, he said.", "The water rose faster than most forecasts, he said.", article.Minor},
		{"The river will crest on Wednesday.", "The river will crest on Thursday.", article.Substantive},
		{"The river will crest on Wed.", "The river will crest on Wednesday.", article.Minor},
		{"The river will crest in March.", "The river will crest in May.", article.Substantive},
		{"Officials said the bridge may reopen.", "Officials said the bridge might reopen.", article.Minor},
		{"La crue a commencé lundi.", "La crue a commencé mardi.", article.Substantive},
		{"Officials reported some deaths.", "Officials reported no deaths.", article.Substantive},
		{"Officials will reopen the bridge.", "Officials won't reopen the bridge.", article.Substantive},
		{"Las autoridades siempre dijeron cuándo se reabriría el puente.", "Las autoridades nunca dijeron cuándo se reabriría el puente.", article.Substantive},
		{"The goverment said the bridge would reopen.", "The government said the bridge would reopen.", article.Minor},
		{"The record was set in 1998.", "The record was set in 1989.", article.Substantive},
	}
	rules := Rules{SubstantiveWords: -1, SubstantiveFraction: -1}
	steady := article.Block{Kind: article.KindParagraph, Text: "A paragraph that stays the same in both versions of the article."}
	for _, tt := range tests {
		old := article.Content{Title: "Flooding", Blocks: []article.Block{steady, {Kind: article.KindParagraph, Text: tt.old}, steady}}
		new := article.Content{Title: "Flooding", Blocks: []article.Block{steady, {Kind: article.KindParagraph, Text: tt.new}, steady}}
		for _, dir := range []struct{ a, b article.Content }{{old, new}, {new, old}} {
			if got := Compare(dir.a, dir.b, rules).Summary.Significance; got != tt.want {
				t.Errorf("%q → %q: %s, want %s", dir.a.Blocks[1].Text, dir.b.Blocks[1].Text, got, tt.want)
			}
		}
	}
}

func TestSpellingFix(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"ortgea", "ortega", true},
		{"evacuaton", "evacuation", true},
		{"goverment", "government", true},
		{"recieve", "receive", true},
		{"smith", "smyth", false}, // too short to tell from another name
		{"ortega", "romero", false},
		{"1998", "1989", false},
		{"forecast", "forecast", false},
	}
	for _, tt := range tests {
		if got := spellingFix(tt.a, tt.b); got != tt.want {
			t.Errorf("spellingFix(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNumberChanged(t *testing.T) {
	tests := []struct {
		del, ins string
		want     bool
	}{
		{"5", "50", true},
		{"five", "50", true},
		{"five", "5", false},
		{"1,000", "1000", false},
		{"15th", "16th", true},
		{"Sept. 15", "Sept. 16", true},
		{"", "at least 5", false}, // an insertion, judged by size
		{"many", "several", false},
		{"five", "a dozen", true},
	}
	for _, tt := range tests {
		if got := numberChanged(words(tt.del), words(tt.ins)); got != tt.want {
			t.Errorf("numberChanged(%q → %q) = %v, want %v", tt.del, tt.ins, got, tt.want)
		}
	}
}

func TestHasCorrection(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Correction: An earlier version misstated the date.", true},
		{"CORRECTIONS: Sept. 16, 2014", true},
		{"Correction — The bridge closed on Monday.", true},
		{"An earlier version of this article misstated the year.", true},
		{"This article has been corrected to reflect the date.", true},
		{"This article has been updated to include comments.", true},
		{"Editor’s Note: names were changed.", true},
		{"Clarification: the shelter accepts pets.", true},
		{"Rectificatif : le pont est fermé.", true},
		{"Korrektur: Die Brücke ist gesperrt.", true},
		{"Fe de erratas: el puente sigue cerrado.", true},
		{"Le pont est fermé. Rectificatif : il a rouvert lundi.", true},
		{"Correction", true},
		{"Correction officers said the prison was calm.", false},
		{"The council voted for a correction of the budget.", false},
		{"An earlier meeting was cancelled.", false},
	}
	for _, tt := range tests {
		if got := hasCorrection(tt.text, words(tt.text)); got != tt.want {
			t.Errorf("hasCorrection(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// lcsLength is the textbook quadratic dynamic programme.
func lcsLength(a, b []int32) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func checkPairs(t *testing.T, a, b []int32, ai, bj []int32) {
	t.Helper()
	for k := range ai {
		if a[ai[k]] != b[bj[k]] {
			t.Fatalf("pair %d (%d,%d) does not match", k, ai[k], bj[k])
		}
		if k > 0 && (ai[k] <= ai[k-1] || bj[k] <= bj[k-1]) {
			t.Fatalf("pairs not increasing at %d", k)
		}
	}
}

func TestCommonSubsequenceIsLongest(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for n := range 500 {
		alphabet := 1 + rng.Intn(6)
		a := make([]int32, rng.Intn(40))
		b := make([]int32, rng.Intn(40))
		for i := range a {
			a[i] = int32(rng.Intn(alphabet))
		}
		for i := range b {
			b[i] = int32(rng.Intn(alphabet))
		}
		budget := workBudget
		ai, bj := commonSubsequence(a, b, alphabet, &budget)
		checkPairs(t, a, b, ai, bj)
		if want := lcsLength(a, b); len(ai) != want {
			t.Fatalf("case %d: %v vs %v: common subsequence of %d, want %d", n, a, b, len(ai), want)
		}
	}
}

func TestCommonSubsequenceBounded(t *testing.T) {
	// Two long sequences over a small alphabet: the exact search would take
	// (N+M)·D steps; the budget stops it and the fallback still answers
	// with a valid common subsequence.
	rng := rand.New(rand.NewSource(2))
	a := make([]int32, 40000)
	b := make([]int32, 40000)
	for i := range a {
		a[i] = int32(rng.Intn(300))
		b[i] = int32(rng.Intn(300))
	}
	budget := workBudget
	ai, bj := commonSubsequence(a, b, 300, &budget)
	checkPairs(t, a, b, ai, bj)
	if budget >= 0 {
		t.Fatalf("budget not exhausted (%d left): the test does not exercise the fallback", budget)
	}
}

func TestApplyRejectsInconsistentOps(t *testing.T) {
	old := []article.Block{{Kind: "p", Text: "a"}, {Kind: "p", Text: "b"}}
	zero, one := 0, 1
	tests := []struct {
		name string
		ops  []Op
	}{
		{"old block missing", []Op{{Op: OpEqual, Old: &zero, New: &zero}}},
		{"old block twice", []Op{{Op: OpEqual, Old: &zero, New: &zero}, {Op: OpEqual, Old: &zero, New: &one}, {Op: OpDelete, Old: &one}}},
		{"new index out of order", []Op{{Op: OpEqual, Old: &zero, New: &one}, {Op: OpDelete, Old: &one}}},
		{"spans do not give old text", []Op{{Op: OpChange, Old: &zero, New: &zero, Spans: []Span{{SpanDelete, "x"}}}, {Op: OpDelete, Old: &one}}},
		{"unknown op", []Op{{Op: "replace", Old: &zero}}},
		{"insert with old index", []Op{{Op: OpInsert, Old: &zero, New: &zero}}},
		{"old index out of range", []Op{{Op: OpDelete, Old: &[]int{5}[0]}}},
	}
	for _, tt := range tests {
		if _, err := Apply(old, tt.ops); err == nil {
			t.Errorf("%s: Apply accepted the ops", tt.name)
		}
	}
}

func TestRulesZeroMeansDefault(t *testing.T) {
	if got, want := (Rules{}).withDefaults(), DefaultRules(); !reflect.DeepEqual(got, want) {
		t.Errorf("zero rules = %+v, want %+v", got, want)
	}
	var r Rules
	if err := json.Unmarshal([]byte(`{"substantive_words": 40, "pair_similarity": 0.6}`), &r); err != nil {
		t.Fatal(err)
	}
	r = r.withDefaults()
	if r.SubstantiveWords != 40 || r.PairSimilarity != 0.6 || r.SubstantiveBlockWords != 8 {
		t.Errorf("rules from JSON = %+v", r)
	}
}

func TestResultJSON(t *testing.T) {
	old := article.Content{Title: "T", Blocks: []article.Block{{Kind: "p", Text: "one two three"}}}
	new := article.Content{Title: "T", Blocks: []article.Block{{Kind: "p", Text: "one two four"}}}
	raw, err := json.Marshal(Compare(old, new, DefaultRules()))
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	for _, want := range []string{`"op":"change","old":0,"new":0,"kind":"p"`, `"byline":[]`, `"significance":`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON %s lacks %s", got, want)
		}
	}
}

// A page that flips between two paragraphs order and back must grade the
// same both ways, and an identical comparison is always trivial.
func TestSymmetryOfGrades(t *testing.T) {
	p := newProse(11)
	a := p.article(1500, 60)
	b := p.edit(a, 3)
	ab, ba := Compare(a, b, DefaultRules()), Compare(b, a, DefaultRules())
	if ab.Summary.Significance != ba.Summary.Significance {
		t.Errorf("a→b is %s, b→a is %s", ab.Summary.Significance, ba.Summary.Significance)
	}
	if ab.Summary.WordsAdded != ba.Summary.WordsRemoved || ab.Summary.WordsRemoved != ba.Summary.WordsAdded {
		t.Errorf("word counts not mirrored: %+v vs %+v", ab.Summary, ba.Summary)
	}
	if s := Compare(a, a, DefaultRules()).Summary.Significance; s != article.Trivial {
		t.Errorf("identical articles graded %s", s)
	}
}

func TestLargeInputsStayCorrect(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new article.Content
	}{
		{"unrelated", newProse(3).article(20000, 65), newProse(4).article(20000, 65)},
		{"edited", newProse(5).article(20000, 65), newProse(5).edit(newProse(5).article(20000, 65), 20)},
		{"one paragraph each", article.Content{Blocks: []article.Block{{Kind: "p", Text: newProse(7).paragraph(20000)}}},
			article.Content{Blocks: []article.Block{{Kind: "p", Text: newProse(8).paragraph(20000)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkResult(t, tc.old, tc.new, Compare(tc.old, tc.new, DefaultRules()))
		})
	}
}

// A byte that is not UTF-8 but starts like a quotation mark opens no
// quotation: the word after it is read as it stands.
func TestInvalidByteIsNoQuotationMark(t *testing.T) {
	if isQuoteMark("\xe2") || isQuoteMark("\xe2\x80") || !isQuoteMark("“") || !isQuoteMark("\"") || isQuoteMark("a") {
		t.Error("isQuoteMark misreads a character")
	}
	rules := Rules{SubstantiveWords: -1, SubstantiveFraction: -1}
	steady := article.Block{Kind: article.KindParagraph, Text: "A paragraph that stays the same in both versions of the article."}
	// The byte is removed in the edit, so it is read with the edit's words.
	old := article.Content{Title: "T", Blocks: []article.Block{steady, {Kind: article.KindParagraph, Text: "The crews \xe2 said the water was high."}}}
	new := article.Content{Title: "T", Blocks: []article.Block{steady, {Kind: article.KindParagraph, Text: "The crews said the water was rising."}}}
	if got := Compare(old, new, rules).Summary.Significance; got != article.Minor {
		t.Errorf("an unquoted word replaced after an invalid byte: %s, want minor", got)
	}
}

// The noise phrases are a user setting: each comparison follows the rules
// it is given, whatever phrases the comparison before it had, and even when
// the caller changes its list in place afterwards.
func TestNoisePhrasesFollowTheRules(t *testing.T) {
	p := func(s string) article.Block { return article.Block{Kind: article.KindParagraph, Text: s} }
	old := article.Content{Blocks: []article.Block{p("The council met on Tuesday to vote on the new budget for the city.")}}
	new := article.Content{Blocks: []article.Block{p("The council met on Tuesday to vote on the new budget for the city."), p("Read the whole story in our evening edition")}}
	noiseOf := func(phrases []string) bool {
		t.Helper()
		rules := DefaultRules()
		rules.NoisePhrases = phrases
		res := Compare(old, new, rules)
		for _, op := range res.Ops {
			if op.Op == OpInsert {
				return op.Noise
			}
		}
		t.Fatalf("no insertion in %+v", res.Ops)
		return false
	}
	phrases := []string{"Read the whole story in our evening edition"}
	if !noiseOf(phrases) {
		t.Error("a line the rules name as noise is reported as a change")
	}
	if noiseOf([]string{"Subscribe today"}) {
		t.Error("a line the earlier rules named is still noise after the rules changed")
	}
	if noiseOf(nil) {
		t.Error("a line the earlier rules named is still noise with no phrases")
	}
	if !noiseOf(phrases) {
		t.Error("a line the rules name again is reported as a change")
	}
	phrases[0] = "Subscribe today" // the caller's list changed in place
	if noiseOf(phrases) {
		t.Error("a comparison followed the phrases the list held before it changed")
	}
}
