package reading_test

import (
	"context"
	"slices"
	"testing"

	"redline/daemon/internal/article"
	"redline/daemon/internal/reading"
	"redline/daemon/internal/store"
)

// hubSpy records the articles the hub is told were forgotten, and the
// alert policies it is told of.
type hubSpy struct {
	forgot   []int64
	policies []article.AlertPolicy
}

func (h *hubSpy) Forget(id int64) { h.forgot = append(h.forgot, id) }

func (h *hubSpy) AlertPolicyChanged(p article.AlertPolicy) { h.policies = append(h.policies, p) }

func openWithHub(t *testing.T) (*store.Store, *reading.Service, *hubSpy) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &hubSpy{}
	return st, reading.New(reading.Config{Store: st, Hub: h}), h
}

// Forgetting an article removes it and tells the hub, so that no client
// is served its events again; an article that is not there is not found,
// and nobody is told anything.
func TestForgetTellsTheHub(t *testing.T) {
	st, svc, h := openWithHub(t)
	a := readPage(t, svc, "https://site.test/a", "", "A", "Text.").Article
	if err := svc.Forget(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Article(a.ID); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("the article is still there: %v", err)
	}
	if err := svc.Forget(context.Background(), a.ID); article.ErrorCode(err) != article.ENOTFOUND {
		t.Errorf("forgetting it again: %v, want not found", err)
	}
	if !slices.Equal(h.forgot, []int64{a.ID}) {
		t.Errorf("the hub was told %v, want [%d]", h.forgot, a.ID)
	}
}

// Forgetting a site forgets each of its articles, and only those.
func TestForgetSite(t *testing.T) {
	st, svc, h := openWithHub(t)
	a := readPage(t, svc, "https://site.test/a", "", "A", "Text.").Article
	b := readPage(t, svc, "https://www.site.test/b", "", "B", "Text.").Article
	other := readPage(t, svc, "https://other.test/c", "", "C", "Text.").Article
	n, err := svc.ForgetSite(context.Background(), "site.test")
	if err != nil || n != 2 {
		t.Fatalf("ForgetSite = %d, %v; want 2", n, err)
	}
	slices.Sort(h.forgot)
	if !slices.Equal(h.forgot, []int64{a.ID, b.ID}) {
		t.Errorf("the hub was told %v, want [%d %d]", h.forgot, a.ID, b.ID)
	}
	if _, err := st.Article(other.ID); err != nil {
		t.Errorf("the other site's article: %v", err)
	}
}

// The change since the read is the default range compared: Compare with
// no versions named and Compare of Range's versions say the same.
func TestCompareSinceReadIsTheRange(t *testing.T) {
	_, svc, _ := openJudged(t)
	readPage(t, svc, "https://site.test/a", "", "A", "The minister was reluctant to sign.")
	a := readPage(t, svc, "https://site.test/a", "", "A", "The minister was willing to sign.").Article
	from, to, err := svc.Range(a)
	if err != nil || from != 1 || to != 2 {
		t.Fatalf("Range = %d, %d, %v; want 1, 2", from, to, err)
	}
	since, err := svc.Compare(a, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	named, err := svc.Compare(a, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if since.From.Number != 1 || since.To.Number != 2 || since.Summary != named.Summary || since.Summary.WordsAdded == 0 {
		t.Errorf("since the read: %d→%d %+v; named: %+v", since.From.Number, since.To.Number, since.Summary, named.Summary)
	}
}

// Forgetting a site forgets what Redline learned of its template too: a
// line two of its articles shared is no longer listed, and the record is
// gone.
func TestForgetSiteForgetsItsTemplate(t *testing.T) {
	st, svc, _ := openWithHub(t)
	const promo = "Get the Riverton Courier app for alerts on the river"
	readPage(t, svc, "https://site.test/a", "", "A", "Text of A.", promo)
	readPage(t, svc, "https://site.test/b", "", "B", "Text of B.", promo)
	if got, err := st.Furniture("site.test"); err != nil || len(got) != 1 || got[0].Text != promo {
		t.Fatalf("learned %+v, %v; want the promo line", got, err)
	}
	if _, err := svc.ForgetSite(context.Background(), "site.test"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Furniture("site.test")
	n, _ := st.FurnitureBytes("site.test")
	if err != nil || len(got) != 0 || n != 0 {
		t.Errorf("after ForgetSite: learned %+v (%v), record of %d bytes; want nothing", got, err, n)
	}
}
