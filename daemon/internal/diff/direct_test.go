package diff

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"redline/daemon/internal/article"
)

// TestDirectPairingFindsTheSamePairs checks that comparing few blocks each
// with each (similarDirect) gives the same comparisons as the search by
// rare words: the aligner takes one way or the other by the size of the
// input alone, and a reader must never see the difference.
func TestDirectPairingFindsTheSamePairs(t *testing.T) {
	saved := directWork
	defer func() { directWork = saved }()
	rules := DefaultRules()
	for seed := int64(1); seed <= 80; seed++ {
		old, new := rewrittenPair(seed)
		directWork = -1 // never direct
		searched := Compare(old, new, rules)
		directWork = 1 << 40 // always direct
		direct := Compare(old, new, rules)
		if !reflect.DeepEqual(searched, direct) {
			t.Fatalf("seed %d: the direct pairing differs from the search:\nsearch %+v\ndirect %+v", seed, searched.Summary, direct.Summary)
		}
	}
}

// rewrittenPair makes an article and a version of it with blocks edited a
// little, rewritten by half, moved, removed and added: blocks near every
// similarity threshold.
func rewrittenPair(seed int64) (article.Content, article.Content) {
	p := newProse(seed)
	r := rand.New(rand.NewSource(seed))
	old := p.article(200+r.Intn(3000), 10+r.Intn(60))
	other := newProse(seed+1000).article(2000, 40)
	var blocks []article.Block
	for i, b := range old.Blocks {
		ws := strings.Fields(b.Text)
		switch r.Intn(10) {
		case 0: // removed
			continue
		case 1, 2: // a share of the words replaced
			share := r.Intn(len(ws) + 1)
			ow := strings.Fields(other.Blocks[i%len(other.Blocks)].Text)
			for k := 0; k < share && len(ow) > 0; k++ {
				ws[r.Intn(len(ws))] = ow[r.Intn(len(ow))]
			}
		case 3: // a word or two edited
			ws[r.Intn(len(ws))] = p.vocab[r.Intn(len(p.vocab))]
		case 4: // moved, maybe edited
			blocks = append(blocks, article.Block{Kind: b.Kind, Text: strings.Join(ws, " ")})
			blocks[0], blocks[len(blocks)-1] = blocks[len(blocks)-1], blocks[0]
			continue
		}
		blocks = append(blocks, article.Block{Kind: b.Kind, Text: strings.Join(ws, " ")})
		if r.Intn(8) == 0 {
			blocks = append(blocks, other.Blocks[r.Intn(len(other.Blocks))])
		}
	}
	new := old
	new.Blocks = blocks
	return old, new
}
