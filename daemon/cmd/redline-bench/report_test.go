package main

import (
	"strings"
	"testing"
)

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
