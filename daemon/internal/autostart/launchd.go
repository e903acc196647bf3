package autostart

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// launchdAgent is a launchd agent in ~/Library/LaunchAgents, which launchd
// loads at login into the user's gui/UID domain.
type launchdAgent struct {
	h   Host
	run func(ctx context.Context, name string, args ...string) (string, error)
}

// Label is the agent's launchd label.
const Label = "local.redline"

func (a *launchdAgent) path() string {
	return filepath.Join(a.h.Home, "Library", "LaunchAgents", Label+".plist")
}

// logFile is where launchd writes the daemon's output.
func (a *launchdAgent) logFile() string {
	return filepath.Join(a.h.Home, "Library", "Logs", "Redline", "redline.log")
}

// launchd does not make the log's folder.
func (a *launchdAgent) prepare(Spec) error {
	if err := os.MkdirAll(filepath.Dir(a.logFile()), 0o700); err != nil {
		return fmt.Errorf("create the log folder: %w", err)
	}
	return nil
}

func (a *launchdAgent) render(s Spec) ([]byte, error) {
	var b bytes.Buffer
	str := func(v string) {
		b.WriteString("<string>")
		_ = xml.EscapeText(&b, []byte(v))
		b.WriteString("</string>")
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by redline service install; redline service uninstall removes it. -->
<plist version="1.0">
<dict>
	<key>Label</key>
	`)
	str(Label)
	b.WriteString("\n\t<key>ProgramArguments</key>\n\t<array>\n")
	for _, w := range append([]string{s.Exe}, s.args()...) {
		b.WriteString("\t\t")
		str(w)
		b.WriteString("\n")
	}
	b.WriteString("\t</array>\n")
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n")
	// Started again whenever it ends other than cleanly.
	b.WriteString("\t<key>KeepAlive</key>\n\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>\n")
	b.WriteString("\t<key>ProcessType</key>\n\t<string>Background</string>\n")
	b.WriteString("\t<key>StandardOutPath</key>\n\t")
	str(a.logFile())
	b.WriteString("\n\t<key>StandardErrorPath</key>\n\t")
	str(a.logFile())
	b.WriteString("\n</dict>\n</plist>\n")
	return b.Bytes(), nil
}

func (a *launchdAgent) domain() string  { return "gui/" + strconv.Itoa(a.h.UID) }
func (a *launchdAgent) service() string { return a.domain() + "/" + Label }

func (a *launchdAgent) activate(ctx context.Context) ([]string, error) {
	var did []string
	// A loaded agent keeps its old arguments until it is booted out.
	if _, err := a.run(ctx, "launchctl", "print", a.service()); err == nil {
		if _, err := a.run(ctx, "launchctl", "bootout", a.service()); err == nil {
			did = append(did, "unloaded the old "+Label)
		}
	}
	if _, err := a.run(ctx, "launchctl", "enable", a.service()); err != nil {
		return did, fmt.Errorf("launchd did not answer (%v); log in to the desktop and run `launchctl bootstrap %s %s`", err, a.domain(), a.path())
	}
	if _, err := a.run(ctx, "launchctl", "bootstrap", a.domain(), a.path()); err != nil {
		return did, fmt.Errorf("load %s: %w (run `launchctl bootstrap %s %s` from the desktop session)", Label, err, a.domain(), a.path())
	}
	return append(did, "loaded and started "+Label+" (starts when you log in)"), nil
}

func (a *launchdAgent) deactivate(ctx context.Context) []string {
	if _, err := a.run(ctx, "launchctl", "print", a.service()); err != nil {
		return nil
	}
	if _, err := a.run(ctx, "launchctl", "bootout", a.service()); err != nil {
		return []string{"could not unload " + Label + ": " + err.Error()}
	}
	return []string{"stopped and unloaded " + Label}
}

func (a *launchdAgent) forget(context.Context) {}

var (
	launchdState = regexp.MustCompile(`(?m)^\s*state = (\S+)`)
	launchdPID   = regexp.MustCompile(`(?m)^\s*pid = (\d+)`)
)

func (a *launchdAgent) state(ctx context.Context) ManagerState {
	out, err := a.run(ctx, "launchctl", "print", a.service())
	if err != nil {
		return ManagerState{Note: "launchd has not loaded it: " + oneLine(err.Error())}
	}
	st := ManagerState{Known: true, Enabled: true}
	if m := launchdState.FindStringSubmatch(out); m != nil {
		st.Running = m[1] == "running"
		if !st.Running {
			st.Note = m[1]
		}
	}
	if m := launchdPID.FindStringSubmatch(out); m != nil {
		st.PID, _ = strconv.Atoi(m[1])
	}
	return st
}

func (a *launchdAgent) logWhere([]byte) string { return a.logFile() }
