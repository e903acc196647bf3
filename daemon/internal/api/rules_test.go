package api_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"testing"

	"redline/daemon/internal/api"
	"redline/daemon/internal/diff"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// The user may change the thresholds while the daemon runs: the diff
// endpoint grades with the rules in force now, not those at start.
func TestDiffUsesTheRulesInForceNow(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rules := reading.NewRules(diff.DefaultRules())
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = newHandler(t, api.Config{Store: st, Token: token, Port: srv.Listener.Addr().(*net.TCPAddr).Port, Reading: reading.New(reading.Config{Store: st, Rules: rules})})
	srv.Start()
	defer srv.Close()
	h := &harness{t: t, base: srv.URL, store: st}
	long := "The council met on Tuesday evening to debate the budget for the coming year, and the meeting ran late into the night."
	c := h.capture(captureJSON("https://example.com/r", "Rules", long, "Ten people attended the meeting in the town hall."))
	h.capture(captureJSON("https://example.com/r", "Rules", long, "Ten people attended the meeting in the old town hall."))
	significance := func() string {
		_, b := h.do(req{path: fmt.Sprintf("/api/v1/articles/%d/diff?from=1&to=2", c.ArticleID)})
		var d struct{ Summary struct{ Significance string } }
		json.Unmarshal(b, &d)
		return d.Summary.Significance
	}
	before := significance()
	rules.Set(diff.Rules{PairSimilarity: 0.5, MoveSimilarity: 0.9, SubstantiveWords: 1})
	if after := significance(); after != "substantive" || before == after {
		t.Errorf("significance %q before and %q after lowering the threshold to one word", before, after)
	}
}
