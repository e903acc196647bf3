// Package histories holds the history corpus's runner, in its tests only:
// real article pages turned into pairs of versions (the article as the
// reader read it, and as the site served it later), each labelled with
// what the reader should be told, run through the daemon's extraction,
// store and judgement. See docs/diff.md, "The history corpus", and
// shared/testdata/histories.
package histories
