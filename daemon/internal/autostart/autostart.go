// Package autostart installs the daemon as a per-user service that starts
// at login, without root: a systemd user unit on Linux, a launchd agent on
// macOS, a logon task of the Task Scheduler on Windows. Each OS family
// writes one file the user owns and asks the OS's own tool to load it; the
// files are rendered by this package so that all three can be checked on
// any OS.
package autostart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Name is the service's name in every service manager.
const Name = "redline"

// Spec is what the service runs: the binary, and the address and data
// folder written into its arguments.
type Spec struct {
	Exe          string // absolute path of the redline binary
	Addr         string // loopback HOST:PORT
	DataDir      string // absolute path of the data folder
	AllowPrivate bool   // pass --allow-private to the daemon
}

// Host is where the service goes: the OS family and the user's folders.
type Host struct {
	OS        string // "linux", "darwin" or "windows"
	Home      string // the user's home folder
	ConfigDir string // XDG_CONFIG_HOME on Linux, %AppData% on Windows; may be empty on Linux
	UID       int    // the user's id, for launchd's gui/UID domain
	User      string // DOMAIN\name on Windows, for the logon trigger
	// Run runs a service manager's command and returns its output; nil
	// runs the real command.
	Run func(ctx context.Context, name string, args ...string) (string, error)
}

// ErrUnsupported is the answer on an OS family without a per-user service
// manager this package knows.
var ErrUnsupported = errors.New("no per-user service manager known on this OS")

// CurrentHost describes this computer and the user running the command.
func CurrentHost(goos string) (Host, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Host{}, fmt.Errorf("find home directory: %w", err)
	}
	h := Host{OS: goos, Home: home, UID: os.Getuid()}
	switch goos {
	case "linux":
		if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
			h.ConfigDir = d
		}
	case "windows":
		d, err := os.UserConfigDir()
		if err != nil {
			return Host{}, fmt.Errorf("find the configuration folder: %w", err)
		}
		h.ConfigDir = d
		h.User = windowsUser()
	case "darwin":
	default:
		return Host{}, fmt.Errorf("%w (%s): run `redline serve` from your own login script", ErrUnsupported, goos)
	}
	return h, nil
}

// windowsUser names the current user as DOMAIN\name.
func windowsUser() string {
	name := os.Getenv("USERNAME")
	if dom := os.Getenv("USERDOMAIN"); dom != "" && name != "" {
		return dom + `\` + name
	}
	return name
}

// family is one OS family's service manager.
type family interface {
	// path is the file the service lives in.
	path() string
	// render is that file's content.
	render(Spec) ([]byte, error)
	// prepare makes what the service needs beside its file (a log folder).
	prepare(Spec) error
	// activate loads, enables and starts the written file; it returns
	// what it did, and an error with what to run by hand when the
	// service manager could not be reached.
	activate(ctx context.Context) ([]string, error)
	// deactivate stops, disables and unloads the service; it returns
	// what it did.
	deactivate(ctx context.Context) []string
	// forget lets the service manager drop a removed service.
	forget(ctx context.Context)
	// state asks the service manager about the service.
	state(ctx context.Context) ManagerState
	// logWhere says where the service's log is.
	logWhere(content []byte) string
}

// ManagerState is what a service manager says about the service. Known
// says whether Running and PID come from the manager; Note says why they
// do not, or what state a service that is not running is in.
type ManagerState struct {
	Known   bool
	Enabled bool
	Running bool
	PID     int
	Note    string
}

func familyOf(h Host) (family, error) {
	run := h.Run
	if run == nil {
		run = runCommand
	}
	switch h.OS {
	case "linux":
		return &systemdUser{h: h, run: run}, nil
	case "darwin":
		return &launchdAgent{h: h, run: run}, nil
	case "windows":
		return &logonTask{h: h, run: run}, nil
	}
	return nil, fmt.Errorf("%w (%s)", ErrUnsupported, h.OS)
}

// Path is the file the service lives in on h.
func Path(h Host) (string, error) {
	f, err := familyOf(h)
	if err != nil {
		return "", err
	}
	return f.path(), nil
}

// Render returns the service file for s on h, without writing it.
func Render(h Host, s Spec) ([]byte, error) {
	f, err := familyOf(h)
	if err != nil {
		return nil, err
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return f.render(s)
}

// Check refuses a Spec that cannot be written safely into a service file.
func (s Spec) Check() error {
	for _, p := range []struct{ what, v string }{{"binary", s.Exe}, {"data folder", s.DataDir}} {
		if !filepath.IsAbs(p.v) && !isWindowsAbs(p.v) {
			return fmt.Errorf("%s path %q: must be absolute", p.what, p.v)
		}
		if i := strings.IndexFunc(p.v, unicode.IsControl); i >= 0 {
			return fmt.Errorf("%s path %q: holds a control character", p.what, p.v)
		}
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("address %q: want HOST:PORT", s.Addr)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q: Redline listens on loopback only (127.0.0.1 or [::1])", s.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("address %q: the port must be a number from 1 to 65535", s.Addr)
	}
	return nil
}

// isWindowsAbs reports whether p is an absolute Windows path (C:\…), which
// filepath.IsAbs does not know on other OSes.
func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		(p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}

// args is the daemon's command line after the binary.
func (s Spec) args() []string {
	a := []string{"serve", "--addr", s.Addr, "--data", s.DataDir}
	if s.AllowPrivate {
		a = append(a, "--allow-private")
	}
	return a
}

// Install writes the service file for s (or updates it) and asks the
// service manager to enable and start it. It returns what it did. When the
// manager cannot be reached the file stays written and the error says what
// to run.
func Install(ctx context.Context, h Host, s Spec) ([]string, error) {
	f, err := familyOf(h)
	if err != nil {
		return nil, err
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	content, err := f.render(s)
	if err != nil {
		return nil, err
	}
	if err := f.prepare(s); err != nil {
		return nil, err
	}
	path := f.path()
	var did []string
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, content):
		did = append(did, "unchanged "+path)
	case err == nil:
		if err := writeFile(path, content); err != nil {
			return nil, err
		}
		did = append(did, "updated "+path)
	case errors.Is(err, os.ErrNotExist):
		if err := writeFile(path, content); err != nil {
			return nil, err
		}
		did = append(did, "wrote "+path)
	default:
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	more, err := f.activate(ctx)
	return append(did, more...), err
}

// Uninstall stops, disables and removes the service. It returns what it
// did; with nothing installed it does nothing and says so.
func Uninstall(ctx context.Context, h Host) ([]string, error) {
	f, err := familyOf(h)
	if err != nil {
		return nil, err
	}
	path := f.path()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		did := f.deactivate(ctx)
		return append(did, "not installed ("+path+" does not exist)"), nil
	} else if err != nil {
		return nil, fmt.Errorf("look at %s: %w", path, err)
	}
	did := f.deactivate(ctx)
	if err := os.Remove(path); err != nil {
		return did, fmt.Errorf("remove %s: %w", path, err)
	}
	f.forget(ctx)
	return append(did, "removed "+path), nil
}

// Status is what `redline service status` shows.
type Status struct {
	Installed bool
	Path      string
	Addr      string // the address written in the file
	Manager   ManagerState
	// Answers says that a daemon answers at Addr.
	Answers bool
	Log     string
}

// Enabled says whether the service starts at login.
func (st Status) Enabled() bool { return st.Manager.Enabled }

// StatusOf asks about the service on h.
func StatusOf(ctx context.Context, h Host) (Status, error) {
	f, err := familyOf(h)
	if err != nil {
		return Status{}, err
	}
	st := Status{Path: f.path()}
	content, err := os.ReadFile(st.Path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	} else if err != nil {
		return st, fmt.Errorf("read %s: %w", st.Path, err)
	}
	st.Installed = true
	st.Addr = addrIn(content)
	st.Log = f.logWhere(content)
	st.Manager = f.state(ctx)
	if st.Addr != "" {
		st.Answers = answers(ctx, st.Addr)
	}
	return st, nil
}

// addrRe finds the address after --addr in any of the three files.
var addrRe = regexp.MustCompile(`--addr(?:</string>\s*<string>|\s+)([0-9A-Za-z.:\[\]]+)`)

// addrIn returns the address written in a service file.
func addrIn(content []byte) string {
	if m := addrRe.FindSubmatch(decodeText(content)); m != nil {
		return string(m[1])
	}
	return ""
}

// answers reports whether a Redline daemon answers at addr.
func answers(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// writeFile replaces path with content through a temporary file, so that a
// service manager never reads half a file.
func writeFile(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// errNotFound marks a service manager's tool missing from PATH.
var errNotFound = errors.New("not found")

// runCommand runs a service manager's command with a time limit and
// returns its output.
func runCommand(ctx context.Context, name string, args ...string) (string, error) {
	if _, err := exec.LookPath(name); err != nil {
		return "", fmt.Errorf("%s: %w", name, errNotFound)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = toolEnv(os.Environ())
	out, err := cmd.CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err != nil {
		if text == "" {
			return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
		}
		return text, fmt.Errorf("%s %s: %s", name, strings.Join(args, " "), oneLine(text))
	}
	return text, nil
}

// toolEnv is the environment of a service manager's tool: an
// XDG_CONFIG_HOME that is set but not an absolute path is left out, as
// this package then writes under ~/.config, while systemctl would look for
// user units nowhere.
func toolEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok && !filepath.IsAbs(v) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
