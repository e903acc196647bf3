package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// meter shows the progress of long work (export, backup, restore,
// import) on stderr when stderr is a terminal: items done, bytes, the
// rate and the time left when the total is known. Piped or redirected,
// it shows nothing, so scripts and log files stay clean. A nil *meter is
// quiet too.
type meter struct {
	bar   *progressbar.ProgressBar
	what  string
	bytes int64
	items int64
	// byBytes: the bar counts bytes (its total is a size); otherwise
	// items, with the bytes in its description.
	byBytes bool
}

// meterUnit is what a meter's bar counts.
type meterUnit int

const (
	meterItems meterUnit = iota
	meterBytes
)

// newMeter returns a meter for work named what on e's stderr, counting
// unit up to total (-1: unknown), or nil when stderr is not a terminal.
func newMeter(e *env, what string, unit meterUnit, total int64) *meter {
	if !isTerminal(e.stderr) {
		return nil
	}
	return meterOn(e.stderr, what, unit, total)
}

// meterOn draws a meter on w whatever w is (tests give a buffer).
func meterOn(w io.Writer, what string, unit meterUnit, total int64) *meter {
	m := &meter{what: what, byBytes: unit == meterBytes}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionUseIECUnits(true),
	}
	if m.byBytes {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowTotalBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("items"))
	}
	if total < 0 {
		opts = append(opts, progressbar.OptionSpinnerType(14))
	} else {
		opts = append(opts, progressbar.OptionSetPredictTime(true))
	}
	m.bar = progressbar.NewOptions64(total, opts...)
	return m
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// add counts items done and bytes moved.
func (m *meter) add(items, bytes int) {
	if m == nil {
		return
	}
	m.items += int64(items)
	m.bytes += int64(bytes)
	if m.byBytes {
		_ = m.bar.Add(bytes)
		if items > 0 {
			m.bar.Describe(fmt.Sprintf("%s (%d items)", m.what, m.items))
		}
		return
	}
	if bytes > 0 {
		m.bar.Describe(fmt.Sprintf("%s %s", m.what, bytesText(m.bytes)))
	}
	_ = m.bar.Add(items)
}

// done ends the meter's line: at its total after work that ended well,
// where it stopped after work that failed.
func (m *meter) done(ok bool) {
	if m == nil {
		return
	}
	if ok {
		_ = m.bar.Finish()
		return
	}
	_ = m.bar.Exit()
}

// meteredWriter counts what goes through it on a meter: bytes, and each
// line as an item.
type meteredWriter struct {
	w io.Writer
	m *meter
}

func (mw meteredWriter) Write(p []byte) (int, error) {
	n, err := mw.w.Write(p)
	lines := 0
	for _, b := range p[:n] {
		if b == '\n' {
			lines++
		}
	}
	mw.m.add(lines, n)
	return n, err
}

// meteredReader counts the bytes read through it on a meter.
type meteredReader struct {
	r io.Reader
	m *meter
}

func (mr meteredReader) Read(p []byte) (int, error) {
	n, err := mr.r.Read(p)
	mr.m.add(0, n)
	return n, err
}
