package histories

import (
	"sort"
	"testing"
	"time"
)

// TestFurnitureRecordOfTheCorpus reads every real page of the corpus as
// articles of one site and logs what the site's learned template
// furniture then costs the store, and what it learned:
//
//	go test -run TestFurnitureRecordOfTheCorpus -v ./daemon/internal/histories
//
// The pages share "Photo" (two of one outlet's templates) and nothing
// else of twenty words or fewer.
func TestFurnitureRecordOfTheCorpus(t *testing.T) {
	m, err := loadManifest()
	if err != nil {
		t.Fatal(err)
	}
	st, err := judgedStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var names []string
	for name := range m.Pages {
		names = append(names, name)
	}
	sort.Strings(names)
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i, name := range names {
		p, err := unchangedPage(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := save(t.Context(), st, fetched(p, "https://one-site.test/read/"+name, start.Add(time.Duration(i)*time.Minute)), true); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.FurnitureBytes("one-site.test")
	if err != nil {
		t.Fatal(err)
	}
	learned, err := st.Furniture("one-site.test")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages of one site: the site's record holds %d bytes; learned %+v", len(names), n, learned)
	if n == 0 || n > 8<<10 {
		t.Errorf("the record holds %d bytes; want some, and far less than 8 KiB", n)
	}
	if len(learned) != 1 || learned[0].Text != "Photo" || learned[0].Articles != 2 {
		t.Errorf("learned %+v; want only \"Photo\", from two pages", learned)
	}
}
