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
