package diff

import (
	"slices"
	"strings"

	"redline/daemon/internal/article"
)

// Extraction drift. After a redesign an extractor may keep only part of
// an article's body, or a new template may expose to it text the old
// page showed elsewhere. The pages' visible text tells such drift from an
// edit (article.Pair's OldPage and NewPage): a block reported removed
// whose text is still on the new page was missed, not deleted; a block
// reported added whose text was already on the old page is not new. Both
// are noise (Op.Drift). A byline that only lost names still shown on the
// new page lost them to the template. A comparison whose differences were
// drift, with nothing else substantive, is a page layout change
// (Summary.Layout).

// driftCover is the share of a block's three-word shingles that must be
// on the other page for the block to count as still there: almost all,
// so that a paragraph cut from the article while a teaser elsewhere on
// the page quotes a sentence of it is still a paragraph removed.
const driftCover = 0.9

// drift knows the pages of a comparison.
type drift struct {
	oldPage, newPage *article.PageDigest
	// The shingles of each side's own article, worked out when needed:
	// a page's digest leaves out what its article holds.
	oldOwn, newOwn map[uint64]bool
}

func newDrift(p article.Pair) *drift {
	if p.OldPage == nil && p.NewPage == nil {
		return nil
	}
	return &drift{oldPage: p.OldPage, newPage: p.NewPage}
}

func ownShingles(c article.Content) map[uint64]bool {
	own := map[uint64]bool{}
	for _, s := range []string{c.Title, c.Byline} {
		for _, h := range article.Shingles(s) {
			own[h] = true
		}
	}
	for _, b := range c.Blocks {
		for _, h := range article.Shingles(b.Text) {
			own[h] = true
		}
	}
	return own
}

// onPage reports whether almost all of text's shingles were on a page:
// in its digest or in its own article.
func onPage(text string, page *article.PageDigest, own map[uint64]bool) bool {
	hs := article.Shingles(text)
	if len(hs) == 0 {
		return false
	}
	found := 0
	for _, h := range hs {
		if own[h] || page.Has(h) {
			found++
		}
	}
	return float64(found) >= driftCover*float64(len(hs))
}

// drifted reports whether op is a block the extractor missed on one side
// while its text was on that side's page.
func (d *drift) drifted(old, new article.Content, op *Op) bool {
	switch {
	case op.Op == OpDelete && d.newPage != nil:
		if d.newOwn == nil {
			d.newOwn = ownShingles(new)
		}
		return onPage(op.Text, d.newPage, d.newOwn)
	case op.Op == OpInsert && d.oldPage != nil:
		if d.oldOwn == nil {
			d.oldOwn = ownShingles(old)
		}
		return onPage(op.Text, d.oldPage, d.oldOwn)
	}
	return false
}

// bylineDrift reports whether the new byline only lost names of the old
// one, and the new page still shows every name it lost: the template
// moved them out of the byline the extractor reads.
func (d *drift) bylineDrift(old, new string) bool {
	if d == nil || d.newPage == nil {
		return false
	}
	was, now := bylineNames(old), bylineNames(new)
	lost := 0
	for _, name := range was {
		if slices.Contains(now, name) {
			continue
		}
		if !d.newPage.HasName(strings.Fields(name)) {
			return false
		}
		lost++
	}
	for _, name := range now {
		if !slices.Contains(was, name) {
			return false // a name added is no template's doing
		}
	}
	return lost > 0
}
