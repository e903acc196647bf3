package main

import (
	"strings"
	"testing"
	"time"
)

// The results table carries the memory rows issue 18 sets targets for:
// cold on 10,000 articles, the burst's peak and a minute after it, next to
// the 100,000-article idle and load rows.
func TestReportHasTheMemoryRows(t *testing.T) {
	r := &report{
		Started: time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC), Finished: time.Date(2026, 12, 3, 16, 7, 0, 0, time.UTC),
		Footprint: footprint{Articles: 100000, IdleAnon: 50e6, IdleRSS: 90e6, LoadAnon: 120e6, LoadRSS: 200e6, LoadCaptures: 2000, LoadSeconds: 10},
		Memory: memoryFigures{Articles: 10000, ColdRSS: 29e6, ColdAnon: 8e6, BurstAnon: 100e6, BurstHWM: 180e6, BurstCount: 10000,
			BurstSeconds: 30, AfterRSS: 60e6, AfterAnon: 40e6, AfterWait: time.Minute},
	}
	md := r.markdown()
	for _, row := range []string{
		"| Daemon memory, cold start with 10,000 articles | 29.0 MB RSS (8000 kB own memory) |",
		"| Daemon memory, peak during a burst of 10,000 captures (16 clients, 10,000 articles) | 100.0 MB own memory (180.0 MB RSS with the store's mapped files) |",
		"| Daemon memory, 60 s after that burst, idle | 60.0 MB RSS (40.0 MB own memory) |",
		"| Daemon memory, idle with 100,000 articles | 50.0 MB own memory (90.0 MB RSS with the store's mapped files) |",
		"| Daemon memory, peak under load (16 clients, 200 captures/s) | 120.0 MB own memory (200.0 MB RSS with the store's mapped files) |",
	} {
		if !strings.Contains(md, row) {
			t.Errorf("the table lacks the row\n%s\nin\n%s", row, md)
		}
	}
}

// The table extension/scripts/measure.mjs prints, as it prints it.
const measureOutput = `Chromium 156.0.8078.114, 5 runs per page, median (ms):
content code: 4 KB (before: 102 KB)
page          KB  elements  blocks  same  load  html  text  message  page  background  before
ars-1          55       440      16   yes   0.3   0.6   0.5      0.6   2.0        25.8    30.4
qq            308       569      17    NO   0.3   1.8   0.5      1.4   4.0        41.5    37.7
page main thread per capture: median 3.0 ms, max 4.0 ms
`

func TestExtensionFiguresAreReadFromTheMeasurement(t *testing.T) {
	figs, err := parseExtensionFigures(measureOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := []extensionFigure{
		{Page: "ars-1 (440 elements)", Load: 0.3, HTML: 0.6, Text: 0.5, Message: 0.6, PageTotal: 2.0, Background: 25.8, Before: 30.4, Same: true},
		{Page: "qq (569 elements)", Load: 0.3, HTML: 1.8, Text: 0.5, Message: 1.4, PageTotal: 4.0, Background: 41.5, Before: 37.7, Same: false},
	}
	if len(figs) != len(want) {
		t.Fatalf("got %d figures, want %d: %+v", len(figs), len(want), figs)
	}
	for i := range want {
		if figs[i] != want[i] {
			t.Errorf("figure %d: got %+v, want %+v", i, figs[i], want[i])
		}
	}
}

func TestAMeasurementWithoutFiguresIsAnError(t *testing.T) {
	for _, out := range []string{"", "page KB elements\n", "ars-1 55 440 16 yes a b c d e f g\n"} {
		if _, err := parseExtensionFigures(out); err == nil || !strings.Contains(err.Error(), "no figures") {
			t.Errorf("%q: got %v, want an error saying there are no figures", out, err)
		}
	}
}
