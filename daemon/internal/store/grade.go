package store

import (
	"errors"

	"github.com/dgraph-io/badger/v4"

	"redline/daemon/internal/article"
)

// Grading a capture: once per capture, in its transaction. The new
// version is judged against the previous one of its lineage; a counted
// change the reader had read before may alert (an article.changed event),
// graded by the change since the read; and a read carries the grading of
// what the reader has not seen (Saved.SinceRead). A comparison of a
// capture at the limits costs tens of MB: each pair is judged once
// (judgeMemo).

// judging is what grading knows of a new version.
type judging struct {
	// prev is the previous version of the new version's lineage (zero
	// when this is the first); other is the newest version of the other
	// lineage before this one (0: none).
	prev  versionRecord
	other int
	rec   versionRecord
	// known is the version the reader knew; readBefore says whether they
	// had read the article at all.
	known      int
	readBefore bool
}

// judgeMemo keeps the summaries judged while saving one capture, by the
// hashes of the two contents compared: the change since the read is most
// often the change just judged (the reader knew the previous version),
// and a capture runs its transaction again after a conflict.
type judgeMemo map[judgeKey]article.Summary

type judgeKey struct {
	from, to string
	across   bool
}

// judge grades p, whose contents have the hashes from and to, once per
// capture. A pair with a counterpart is graded each time.
func (m judgeMemo) judge(judge Judge, p article.Pair, from, to string) article.Summary {
	if p.Counterpart != nil || m == nil {
		return judge(p)
	}
	k := judgeKey{from, to, p.Across}
	if sum, ok := m[k]; ok {
		return sum
	}
	sum := judge(p)
	m[k] = sum
	return sum
}

// grader is Options.Judge. Without the diff engine, no extractors'
// difference can be told from an edit: only a change within a lineage
// counts.
func (s *Store) grader() Judge {
	if s.judge != nil {
		return s.judge
	}
	return func(p article.Pair) article.Summary {
		if p.Across {
			return article.Summary{Significance: article.Trivial}
		}
		return article.Summary{Significance: article.Substantive}
	}
}

// grade judges a new version against the previous one of its lineage;
// the first of a lineage is compared across with the other lineage's
// newest, so that an edit made before the daemon's first fetch is found.
// A change the other lineage already brought (the same new content
// reached by fetch and by browser) is not counted again. A counted change
// of an article the reader had read may alert.
func (c *capturing) grade(j judging) error {
	p, fromHash, err := c.pairWithPrevious(j)
	if err != nil {
		return err
	}
	if p.Furniture, err = c.furniture(); err != nil {
		return err
	}
	sum := c.judged.judge(c.s.grader(), p, fromHash, j.rec.Hash)
	c.out.Summary = &sum
	if p.Across && sum.Significance == article.Trivial {
		return nil // the two extractors' difference, not a change
	}
	if sum.Layout && sum.Significance == article.Trivial {
		return c.layout(j)
	}
	if !p.Across && j.other > j.prev.Number {
		// The other lineage has a newer version than this one's previous:
		// when it already holds this content, the change was counted there.
		brought, err := c.otherBrought(j.other, p)
		if err != nil || brought {
			return err
		}
	}
	c.out.Counted = true
	c.a.Changes++
	c.a.LastChanged = c.in.Capture.CapturedAt
	if !j.readBefore || sum.Significance == article.Trivial {
		return nil
	}
	return c.alert(j, p, fromHash)
}

// layout records a version whose only difference from the previous one
// of its lineage is the page's layout (the extractor kept more or less of
// an unchanged page): no change of the article, no alert. It is the new
// baseline of its lineage: when the reader knew the previous version and
// has no change unseen, the one they know moves to it, so that the next
// change is compared with a version extracted from the same template.
func (c *capturing) layout(j judging) error {
	j.rec.Layout = true
	b, err := j.rec.marshal()
	if err != nil {
		return err
	}
	if err := c.txn.Set(versionKey(c.a.ID, j.rec.Number), b); err != nil {
		return err
	}
	if len(c.a.Unseen) == 0 && j.readBefore && j.known == j.prev.Number {
		c.a.Seen = j.rec.Number
	}
	return nil
}

// pairWithPrevious is the new version with the one it is judged against,
// and the hash of that one's content.
func (c *capturing) pairWithPrevious(j judging) (article.Pair, string, error) {
	s, id := c.s, c.a.ID
	r, across := j.prev, false
	if r.Number == 0 {
		var err error
		if r, err = s.record(c.txn, id, j.other); err != nil {
			return article.Pair{}, "", err
		}
		across = true
	}
	old, err := s.contentOf(c.txn, id, r)
	if err != nil {
		return article.Pair{}, "", err
	}
	page, err := s.pageOf(c.txn, id, r.Number)
	return article.Pair{Old: old, New: c.content, Across: across, OldPage: page, NewPage: c.page}, r.Hash, err
}

// otherBrought reports whether version other, of the other lineage,
// already holds the change p brings.
func (c *capturing) otherBrought(other int, p article.Pair) (bool, error) {
	r, err := c.s.record(c.txn, c.a.ID, other)
	if err != nil {
		return false, err
	}
	seen, err := c.s.contentOf(c.txn, c.a.ID, r)
	if err != nil {
		return false, err
	}
	sum := c.s.grader()(article.Pair{Old: seen, New: c.content, Across: true, Counterpart: &p.Old, Furniture: p.Furniture})
	return sum.Significance == article.Trivial, nil
}

// alert tells the reader of a counted change when the change since they
// read the article, the range "Show changes" shows, is not trivial: it
// appends an article.changed event, graded by that range, and records it
// as unseen. A flip between two contents that already alerted once (a
// headline A/B test) does not alert again.
func (c *capturing) alert(j judging, p article.Pair, fromHash string) error {
	a, txn := &c.a, c.txn
	var ch Change
	if !p.Across && j.known == j.prev.Number {
		// The reader knew the previous version: the change since the read
		// is the one just judged, whose contents are at hand.
		ch = Change{From: j.prev.version(a.ID), To: j.rec.version(a.ID), Pair: p}
		ch.From.Content, ch.To.Content = p.Old, p.New
	} else {
		var err error
		if ch, err = c.s.pairIn(txn, a.ID, j.known, j.rec.Number, p.Furniture); err != nil {
			return err
		}
	}
	since := c.judged.judge(c.s.grader(), ch.Pair, ch.From.Hash, ch.To.Hash)
	if since.Significance == article.Trivial {
		return nil // back to what the reader read
	}
	flip := flipKey(a.ID, fromHash, j.rec.Hash)
	switch _, err := txn.Get(flip); {
	case err == nil:
		return nil // this pair of contents alerted before
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	if err := txn.Set(flip, nil); err != nil {
		return err
	}
	ev := &article.Event{
		Type: article.EventChanged, ArticleID: a.ID, URL: a.URL, Title: c.content.Title, TitleWas: titleWas(ch, since),
		FromVersion: j.known, ToVersion: j.rec.Number, Summary: &since, RevertOf: j.rec.RevertOf, At: c.in.Now.UTC(),
	}
	if err := c.ap.event(txn, ev); err != nil {
		return err
	}
	a.Unseen = append(a.Unseen, article.UnseenChange{
		EventID: ev.ID, From: j.known, To: j.rec.Number, At: ev.At, Significance: since.Significance,
	})
	c.out.Event = ev
	return nil
}

// titleWas is the headline the reader read when the change replaced it.
func titleWas(ch Change, since article.Summary) string {
	if !since.TitleChanged {
		return ""
	}
	return ch.From.Title
}

// gradeSinceRead grades, for a read, the change the reader has not seen:
// the event this capture appended when it covers that whole range (the
// usual case), else the range ChangeSinceRead compares, judged here
// (judgeMemo: most often the pair just judged). The API no longer
// compares again after the commit. A failure leaves it out: the capture
// is kept all the same.
func (c *capturing) gradeSinceRead() {
	a := &c.a
	if !c.in.MarkRead || len(a.Unseen) == 0 {
		return
	}
	un := a.Unseen
	if ev := c.out.Event; ev != nil && ev.FromVersion == un[0].From && ev.ToVersion == un[len(un)-1].To {
		c.out.SinceRead = ev.Summary
		return
	}
	from, to, err := sinceRead(a, c.s.sourceIn(c.txn, a.ID))
	var ch Change
	var furn article.Furniture
	if err == nil {
		furn, err = c.furniture()
	}
	if err == nil {
		ch, err = c.s.pairIn(c.txn, a.ID, from, to, furn)
	}
	if err != nil {
		c.s.log.Error("summarise unseen changes", "article", a.ID, "err", err)
		return
	}
	sum := c.judged.judge(c.s.grader(), ch.Pair, ch.From.Hash, ch.To.Hash)
	c.out.SinceRead = &sum
}
