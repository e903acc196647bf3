package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"redline/daemon/internal/article"
)

// realPairs are real version pairs: the two versions of the news article
// Redline grew from, and a real article after a day of edits.
func realPairs(pages []page) ([]pair, error) {
	raw, err := os.ReadFile(filepath.Join("shared", "vectors", "diff", "seed-iraq-conference-v2-v3.json"))
	if err != nil {
		return nil, fmt.Errorf("read the seed article: %w", err)
	}
	var v struct {
		Old article.Content `json:"old"`
		New article.Content `json:"new"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("read the seed article: %w", err)
	}
	seed := pair{Name: "real: a story replaced by another at its URL", Class: "real", Old: v.Old, New: v.New}
	seed.Words = max(words(seed.Old), words(seed.New))
	h := history(rand.New(rand.NewPCG(1, 1)), pages[1], pool(pages[2:4]), 20)
	day := pair{Name: "real: an article after 19 edits", Class: "real", Old: h[0], New: h[19]}
	day.Words = max(words(day.Old), words(day.New))
	return []pair{seed, day}, nil
}

type report struct {
	Started, Finished time.Time
	Diffs             []diffTimes
	Storage           []sizes
	Ingest            map[string]map[string]float64
	Footprint         footprint
	Memory            memoryFigures
	Watcher           map[string]map[string]float64
	Extension         []extensionFigure
}

type extensionFigure struct {
	Page string
	// Milliseconds of the page's main thread per capture (the content
	// script's code load, serialising the page, its visible text, the
	// message) and of the background's reading of it (offscreen document
	// or background page); Before is what the page paid when it judged and
	// extracted in the page.
	Load, HTML, Text, Message, PageTotal, Background, Before float64
	Same                                                     bool
}

// extensionFigures runs the extension's measurement in headless Chromium
// and reads its table: page, KB, elements, blocks, same, load, html, text,
// message, page, background, before.
func extensionFigures() ([]extensionFigure, error) {
	cmd := exec.Command("node", filepath.Join("extension", "scripts", "measure.mjs"), "5")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("measure the extension: %w", err)
	}
	figs, err := parseExtensionFigures(string(out))
	if err != nil {
		return nil, fmt.Errorf("measure the extension: %w", err)
	}
	return figs, nil
}

// parseExtensionFigures reads measure.mjs's table.
func parseExtensionFigures(out string) ([]extensionFigure, error) {
	var figs []extensionFigure
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 12 || (f[4] != "yes" && f[4] != "NO") {
			continue
		}
		var v [7]float64
		ok := true
		for i := range v {
			x, err := strconv.ParseFloat(f[5+i], 64)
			if err != nil {
				ok = false
				break
			}
			v[i] = x
		}
		if !ok {
			continue
		}
		figs = append(figs, extensionFigure{Page: f[0] + " (" + f[2] + " elements)", Load: v[0], HTML: v[1], Text: v[2], Message: v[3], PageTotal: v[4], Background: v[5], Before: v[6], Same: f[4] == "yes"})
	}
	if len(figs) == 0 {
		return nil, fmt.Errorf("no figures in %q", out)
	}
	return figs, nil
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%.3f ms", float64(d)/1e6)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}

func kb(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 10<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}

func ratio(redline, best float64) string {
	if redline <= 0 || best <= 0 {
		return "—"
	}
	if best >= redline {
		return fmt.Sprintf("**%.1f× ahead**", best/redline)
	}
	return fmt.Sprintf("%.1f× behind", redline/best)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func machine() string {
	cpu := runtime.GOARCH
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(raw), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%s, %d cores%s, %s", cpu, runtime.NumCPU(), mem, runtime.Version())
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Redline benchmarks\n\n")
	w("Measured by `make bench` on %s, %s (took %s). Regenerate with `make bench`.\n\n",
		r.Started.UTC().Format("2006-01-02 15:04 MST"), machine(), r.Finished.Sub(r.Started).Round(time.Second))
	w("References, run on the same inputs in the same run:\n\n")
	w("- **Server tracker**: a character diff with semantic cleanup (Debian's `python3-diff-match-patch`, 1 s timeout as shipped), every version committed to a git repository packed with `git gc --aggressive`.\n")
	w("- **Page monitor**: a word-level diff with Python's `difflib.SequenceMatcher`, every snapshot kept as a Brotli file.\n\n")
	w("Times are medians of repeated in-process runs (no process start-up). Sizes are bytes allocated on disk. ")
	w("The daemon's memory is given as its own (anonymous) memory and as RSS, which also counts the pages of the store's files that Badger maps and the kernel may drop at will.\n\n")

	w("## Summary\n\n| Row | Redline | Server tracker | Page monitor | Redline vs the better reference |\n|---|---|---|---|---|\n")
	for _, size := range []int{200, 2000, 20000} {
		var red, dmp, dl []time.Duration
		for _, d := range r.Diffs {
			if d.Pair.Class != "real" && strings.HasSuffix(d.Pair.Name, fmt.Sprintf(", %d words", size)) {
				red, dmp, dl = append(red, d.Redline), append(dmp, d.DMP), append(dl, d.Difflib)
			}
		}
		best := min(median(dmp), median(dl))
		w("| Diff, %s words (median of small edits, heavy rewrite, unrelated) | %s | %s | %s | %s |\n",
			commas(size), ms(median(red)), ms(median(dmp)), ms(median(dl)), ratio(float64(median(red)), float64(best)))
	}
	for _, d := range r.Diffs {
		if d.Pair.Class == "real" {
			w("| Diff, %s (%s words) | %s | %s | %s | %s |\n", strings.TrimPrefix(d.Pair.Name, "real: "), commas(d.Pair.Words),
				ms(d.Redline), ms(d.DMP), ms(d.Difflib), ratio(float64(d.Redline), float64(min(d.DMP, d.Difflib))))
		}
	}
	for _, s := range r.Storage {
		w("| Storage, %s (%s of text) | %s | %s | %s | %s |\n", s.Name, kb(s.Raw), kb(s.Redline), kb(s.Git), kb(s.Brotli),
			ratio(float64(s.Redline), float64(min(s.Git, s.Brotli))))
	}
	for _, c := range []string{"1", "16"} {
		m := r.Ingest["CaptureIngest/clients="+c]
		w("| Ingest over HTTP, durable, %s client(s) | %.0f captures/s, p50 %.2f ms, p99 %.2f ms | — | — | no HTTP ingest to compare |\n",
			c, m["captures/s"], m["p50-ms"], m["p99-ms"])
	}
	for _, c := range []string{"1", "16"} {
		m := r.Ingest["CaptureIngestEvents/clients="+c]
		w("| Ingest over HTTP, captures that append an event, durable, %s client(s) | %.0f captures/s, p50 %.2f ms, p99 %.2f ms | — | — | each a changed version of an article already read |\n",
			c, m["captures/s"], m["p50-ms"], m["p99-ms"])
	}
	f := r.Footprint
	w("| Daemon memory, idle with %s articles | %s own memory (%s RSS with the store's mapped files) | — | — | |\n", commas(f.Articles), kb(f.IdleAnon), kb(f.IdleRSS))
	w("| Daemon memory, peak under load (16 clients, %.0f captures/s) | %s own memory (%s RSS with the store's mapped files) | — | — | |\n", float64(f.LoadCaptures)/f.LoadSeconds, kb(f.LoadAnon), kb(f.LoadRSS))
	m := r.Memory
	w("| Daemon memory, cold start with %s articles | %s RSS (%s own memory) | — | — | |\n", commas(m.Articles), kb(m.ColdRSS), kb(m.ColdAnon))
	w("| Daemon memory, peak during a burst of %s captures (16 clients, %s articles) | %s own memory (%s RSS with the store's mapped files) | — | — | |\n",
		commas(m.BurstCount), commas(m.Articles), kb(m.BurstAnon), kb(m.BurstHWM))
	w("| Daemon memory, %.0f s after that burst, idle | %s RSS (%s own memory) | — | — | |\n", m.AfterWait.Seconds(), kb(m.AfterRSS), kb(m.AfterAnon))
	w("| Binary size | %s | — | — | one static binary |\n", kb(f.BinaryBytes))
	w("| Start-up with %s articles | %s | — | — | to answering /healthz |\n", commas(f.Articles), ms(f.StartTime))
	for _, name := range sortedKeys(r.Watcher) {
		m := r.Watcher[name]
		var parts []string
		for _, unit := range sortedKeys(m) {
			parts = append(parts, fmt.Sprintf("%s %s", trim(m[unit]), unit))
		}
		w("| Watcher, %s | %s | — | — | |\n", name, strings.Join(parts, ", "))
	}
	for _, e := range r.Extension {
		same := "the same capture as read in the page"
		if !e.Same {
			same = "**a capture unlike the one read in the page**"
		}
		w("| Extension, page main thread per capture, %s | %.1f ms (code %.1f, HTML %.1f, visible text %.1f, message %.1f); the background reads it in %.1f ms | — | — | %.1f ms when read in the page; %s |\n", e.Page, e.PageTotal, e.Load, e.HTML, e.Text, e.Message, e.Background, e.Before, same)
	}

	w("\n## Diff speed, every pair\n\n| Pair | Words | Redline | Server tracker | Page monitor |\n|---|---|---|---|---|\n")
	for _, d := range r.Diffs {
		w("| %s | %s | %s | %s | %s |\n", d.Pair.Name, commas(d.Pair.Words), ms(d.Redline), ms(d.DMP), ms(d.Difflib))
	}
	w("\n## Storage\n\n| History | Versions | Text | Redline | git, gc --aggressive | Brotli file per version |\n|---|---|---|---|---|---|\n")
	for _, s := range r.Storage {
		w("| %s | %s | %s | %s | %s | %s |\n", s.Name, commas(s.Versions), kb(s.Raw), kb(s.Redline), kb(s.Git), kb(s.Brotli))
	}
	w("\nFootprint store: %s articles written in %s.\n", commas(f.Articles), f.FillTime.Round(time.Millisecond))
	return b.String()
}

func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func trim(v float64) string {
	if v == float64(int64(v)) {
		return commas(int(v))
	}
	return fmt.Sprintf("%.2f", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
