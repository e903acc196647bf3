package autostart

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// systemdUser is a systemd user unit, run by the user's own service
// manager (`systemctl --user`), which starts at login.
type systemdUser struct {
	h   Host
	run func(ctx context.Context, name string, args ...string) (string, error)
}

const unitName = Name + ".service"

// unitDir is where the user's service manager reads units the user wrote.
func (u *systemdUser) unitDir() string {
	cfg := u.h.ConfigDir
	if cfg == "" {
		cfg = filepath.Join(u.h.Home, ".config")
	}
	return filepath.Join(cfg, "systemd", "user")
}

func (u *systemdUser) path() string { return filepath.Join(u.unitDir(), unitName) }

func (u *systemdUser) prepare(Spec) error { return nil }

func (u *systemdUser) render(s Spec) ([]byte, error) {
	words := []string{systemdQuote(s.Exe)}
	for _, a := range s.args() {
		words = append(words, systemdQuote(a))
	}
	return systemdUnit("# Written by `redline service install`; `redline service uninstall` removes it.", words), nil
}

// PackagedUnitPath is where a package installs PackagedUnit: the folder
// of user units the system provides, which every user's manager reads.
const PackagedUnitPath = "/usr/lib/systemd/user/" + unitName

// PackagedUnit is the systemd user unit a package ships beside the binary
// at exe: the same unit `redline service install` writes, with the
// daemon's own defaults for the address (REDLINE_ADDR, else
// config.DefaultAddr) and the data folder (REDLINE_DATA, else the user's
// data folder), since one file serves every user. A user turns it on with
// `systemctl --user enable --now redline`; `redline service install`
// writes the user's own unit, which takes its place.
func PackagedUnit(exe string) ([]byte, error) {
	if !filepath.IsAbs(exe) {
		return nil, fmt.Errorf("binary path %q: must be absolute", exe)
	}
	return systemdUnit("# Installed with the redline package; turn it on with `systemctl --user enable --now redline`.",
		[]string{systemdQuote(exe), "serve"}), nil
}

// systemdUnit is the unit's text: a comment saying where it comes from,
// then the command line words.
func systemdUnit(comment string, words []string) []byte {
	var b strings.Builder
	b.WriteString(comment + "\n")
	b.WriteString("[Unit]\n")
	b.WriteString("Description=Redline daemon: keeps every version of the articles you read\n\n")
	b.WriteString("[Service]\n")
	b.WriteString("Type=exec\n")
	b.WriteString("ExecStart=" + strings.Join(words, " ") + "\n")
	b.WriteString("Restart=on-failure\n")
	b.WriteString("RestartSec=5\n\n")
	b.WriteString("[Install]\n")
	b.WriteString("WantedBy=default.target\n")
	return []byte(b.String())
}

// systemdQuote writes one word of a unit's command line: plain when it
// can be, else in double quotes, with the specifier (%) and variable ($)
// signs doubled so that systemd passes them on as written.
func systemdQuote(w string) string {
	plain := w != ""
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,[]", r)) {
			plain = false
			break
		}
	}
	if plain {
		return w
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `%`, `%%`, `$`, `$$`)
	return `"` + r.Replace(w) + `"`
}

// systemctl runs `systemctl --user` with args.
func (u *systemdUser) systemctl(ctx context.Context, args ...string) (string, error) {
	return u.run(ctx, "systemctl", append([]string{"--user"}, args...)...)
}

// unreachable explains what to do when the user's service manager does
// not answer, as in a container or a remote shell without a login
// session.
func (u *systemdUser) unreachable(err error) error {
	return fmt.Errorf("your user service manager did not answer (%v), so Redline was not started now. "+
		"From a login session, run `systemctl --user daemon-reload && systemctl --user restart %s`; "+
		"to keep it running when you are not logged in (a server reached over ssh), run `loginctl enable-linger %s` once; "+
		"where there is no systemd user manager at all (a container), run `redline serve` instead",
		err, unitName, userName())
}

func userName() string {
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return "$USER"
}

func (u *systemdUser) activate(ctx context.Context) ([]string, error) {
	var did []string
	// enable works on the files alone, so it also succeeds when the
	// manager cannot be reached: the unit then starts at the next login.
	out, err := u.systemctl(ctx, "is-enabled", unitName)
	if errors.Is(err, errNotFound) {
		return did, fmt.Errorf("systemctl is not installed, so nothing starts the unit; run `redline serve` from your own login script instead")
	}
	if strings.TrimSpace(out) == "enabled" {
		did = append(did, "already enabled "+unitName)
	} else {
		if _, err := u.systemctl(ctx, "enable", unitName); err != nil {
			return did, fmt.Errorf("enable %s: %w", unitName, err)
		}
		did = append(did, "enabled "+unitName+" (starts when you log in)")
	}
	if _, err := u.systemctl(ctx, "daemon-reload"); err != nil {
		return did, u.unreachable(err)
	}
	// restart starts a stopped unit, and makes a running one take up an
	// updated file.
	if _, err := u.systemctl(ctx, "restart", unitName); err != nil {
		return did, fmt.Errorf("start %s: %w (see `journalctl --user -u %s`)", unitName, err, Name)
	}
	return append(did, "started "+unitName), nil
}

func (u *systemdUser) deactivate(ctx context.Context) []string {
	var did []string
	if st := u.state(ctx); st.Known && st.Running {
		if _, err := u.systemctl(ctx, "stop", unitName); err == nil {
			did = append(did, "stopped "+unitName)
		} else {
			did = append(did, "could not stop "+unitName+": "+err.Error())
		}
	}
	if out, err := u.systemctl(ctx, "is-enabled", unitName); err == nil && strings.TrimSpace(out) == "enabled" {
		if _, err := u.systemctl(ctx, "disable", unitName); err == nil {
			did = append(did, "disabled "+unitName)
		} else {
			did = append(did, "could not disable "+unitName+": "+err.Error())
		}
	}
	// Without systemctl, take the link enable made by hand, so that no
	// dangling link is left behind.
	link := filepath.Join(u.unitDir(), "default.target.wants", unitName)
	if target, err := os.Readlink(link); err == nil && target == u.path() {
		if os.Remove(link) == nil {
			did = append(did, "removed "+link)
		}
	}
	return did
}

// forget lets the manager drop the removed unit.
func (u *systemdUser) forget(ctx context.Context) {
	_, _ = u.systemctl(ctx, "daemon-reload")
}

func (u *systemdUser) state(ctx context.Context) ManagerState {
	var st ManagerState
	// is-enabled reads the files, so it answers without the manager; with
	// no systemctl at all, the link enable makes says the same.
	out, err := u.systemctl(ctx, "is-enabled", unitName)
	switch {
	case errors.Is(err, errNotFound):
		_, lerr := os.Stat(filepath.Join(u.unitDir(), "default.target.wants", unitName))
		st.Enabled = lerr == nil
	default:
		st.Enabled = strings.TrimSpace(out) == "enabled"
	}
	out, err = u.systemctl(ctx, "show", unitName, "--property=ActiveState,MainPID")
	if err != nil {
		why := oneLine(out)
		if why == "" {
			why = oneLine(err.Error())
		}
		st.Note = "the user service manager did not answer: " + why
		return st
	}
	st.Known = true
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "ActiveState":
			st.Running = v == "active" || v == "activating" || v == "reloading"
			if !st.Running {
				st.Note = v
			}
		case "MainPID":
			st.PID, _ = strconv.Atoi(v)
		}
	}
	return st
}

func (u *systemdUser) logWhere([]byte) string {
	return "journalctl --user -u " + Name
}
