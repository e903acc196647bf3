package main

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"redline/daemon/internal/testtool"
)

// serviceHome gives the test a home folder of its own, and a login
// without a systemd user manager (as in a container): systemctl --user
// finds no bus to talk to.
func serviceHome(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("systemctl"); err != nil {
		testtool.Need(t, "systemctl is not installed (apt-get install systemd)")
	}
	home := t.TempDir()
	runtimeDir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	return home
}

// unitLines returns the lines of the unit file.
func unitLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(b), "\n")
}

func execStart(t *testing.T, path string) string {
	t.Helper()
	for _, l := range unitLines(t, path) {
		if strings.HasPrefix(l, "ExecStart=") {
			return strings.TrimPrefix(l, "ExecStart=")
		}
	}
	t.Fatalf("%s has no ExecStart line", path)
	return ""
}

func mustContain(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// Where no user service manager answers, install still writes and enables
// the unit and says what to run; status says it is installed and enabled
// but not running, and where its log is; uninstall takes it all away.
func TestServiceInstallStatusUninstallWithoutUserManager(t *testing.T) {
	home := serviceHome(t)
	data := filepath.Join(t.TempDir(), "data")
	unit := filepath.Join(home, ".config", "systemd", "user", "redline.service")
	wants := filepath.Join(home, ".config", "systemd", "user", "default.target.wants", "redline.service")
	self, _ := os.Executable()

	out, errOut, code := cli(t, "", "service", "install", "--addr", "127.0.0.1:7791", "--data", data)
	if code != 1 {
		t.Errorf("install without a user manager exited %d, want 1 (not started)", code)
	}
	mustContain(t, "install's output", out, "wrote "+unit+"\n", "enabled redline.service")
	mustContain(t, "install's error", errOut,
		"did not answer", "systemctl --user daemon-reload && systemctl --user restart redline.service",
		"loginctl enable-linger", "redline serve")
	if got, want := execStart(t, unit), self+" serve --addr 127.0.0.1:7791 --data "+data; got != want {
		t.Errorf("ExecStart=%s\nwant      %s", got, want)
	}
	if target, err := os.Readlink(wants); err != nil || target != unit {
		t.Errorf("not enabled: %s -> %q, %v", wants, target, err)
	}

	out, errOut, code = cli(t, "", "service", "status")
	if code != 0 {
		t.Fatalf("status exited %d: %s", code, errOut)
	}
	mustContain(t, "status", out,
		"service:  installed ("+unit+")",
		"enabled:  yes",
		"running:  no (nothing answers at 127.0.0.1:7791",
		"address:  http://127.0.0.1:7791",
		"log:      journalctl --user -u redline")

	// The same install again changes nothing; another address updates
	// the file.
	out, _, _ = cli(t, "", "service", "install", "--addr", "127.0.0.1:7791", "--data", data)
	mustContain(t, "second install", out, "unchanged "+unit, "already enabled")
	out, _, _ = cli(t, "", "service", "install", "--addr", "127.0.0.1:7792", "--data", data)
	mustContain(t, "install with another address", out, "updated "+unit)
	if got := execStart(t, unit); !strings.Contains(got, "--addr 127.0.0.1:7792 ") {
		t.Errorf("the unit was not updated: %s", got)
	}

	out, errOut, code = cli(t, "", "service", "uninstall")
	if code != 0 {
		t.Fatalf("uninstall exited %d: %s", code, errOut)
	}
	mustContain(t, "uninstall", out, "disabled redline.service", "removed "+unit)
	for _, p := range []string{unit, wants} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there after uninstall (%v)", p, err)
		}
	}
	out, _, code = cli(t, "", "service", "uninstall")
	if code != 0 || !strings.Contains(out, "not installed") {
		t.Errorf("second uninstall: %d %q", code, out)
	}
	out, _, _ = cli(t, "", "service", "status")
	mustContain(t, "status after uninstall", out, "service:  not installed ("+unit+" does not exist")
}

// A daemon that answers at the unit's address is reported even when the
// service manager cannot be asked about it.
func TestServiceStatusSeesTheDaemonAtItsAddress(t *testing.T) {
	serviceHome(t)
	data := t.TempDir()
	d := startDaemon(t, data)
	u, err := url.Parse(d.base)
	if err != nil {
		t.Fatal(err)
	}
	cli(t, "", "service", "install", "--addr", u.Host, "--data", data)
	out, _, _ := cli(t, "", "service", "status")
	mustContain(t, "status", out, "running:  a daemon answers at "+u.Host)
	d.stop(t)
	out, _, _ = cli(t, "", "service", "status")
	mustContain(t, "status once it stopped", out, "running:  no (nothing answers at "+u.Host)
}

// Each kind of bad input is refused with a usage error, and nothing is
// written: no unit, no data folder.
func TestServiceBadInputWritesNothing(t *testing.T) {
	home := serviceHome(t)
	data := filepath.Join(t.TempDir(), "data")
	cases := []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"service"}, "", "name what to do: install, uninstall or status"},
		{[]string{"service", "start"}, "", `unknown subcommand "start"`},
		{[]string{"service", "install", "--addr", "0.0.0.0:7710", "--data", data}, "", "loopback only"},
		{[]string{"service", "install", "--addr", "127.0.0.1", "--data", data}, "", "want HOST:PORT"},
		{[]string{"service", "install", "--addr", "127.0.0.1:0", "--data", data}, "", "the port must be a number from 1 to 65535"},
		{[]string{"service", "install", "--addr", "127.0.0.1:http", "--data", data}, "", "the port must be a number"},
		{[]string{"service", "install", "--data", data}, "REDLINE_ADDR=192.0.2.1:7710", "loopback only"},
		{[]string{"service", "install", "--data", data + "\nExecStartPre=/bin/sh -c true"}, "", "control character"},
		{[]string{"service", "install", "--data", data, "now"}, "", `unexpected argument "now"`},
		{[]string{"service", "install", "--port", "7710"}, "", "unknown flag --port"},
		{[]string{"service", "status", "--data", data}, "", "unknown flag --data"},
		{[]string{"service", "uninstall", "all"}, "", `unexpected argument "all"`},
	}
	for _, c := range cases {
		cmd := redline(c.args...)
		if c.env != "" {
			cmd.Env = append(cmd.Env, c.env)
		}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%q: %v, want exit 2", c.args, err)
		}
		if !strings.Contains(e.String(), c.want) || !strings.Contains(e.String(), "usage: redline service") {
			t.Errorf("%q: stderr %q, want %q and the usage", c.args, e.String(), c.want)
		}
	}
	if left := filesIn(t, home); len(left) > 0 {
		t.Errorf("bad input wrote %q", left)
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("bad input made the data folder (%v)", err)
	}
}

func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil && p != dir {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// serve --log writes the log to the file, not to stderr: the logon task
// of Windows has no console.
func TestServeLogFile(t *testing.T) {
	data := t.TempDir()
	fifo := filepath.Join(t.TempDir(), "redline.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := redline("serve", "--addr", "127.0.0.1:0", "--data", data, "--log", fifo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	t.Cleanup(func() {
		if !exited {
			cmd.Process.Kill()
			<-done
		}
	})
	// Opening a FIFO for reading waits until the daemon opens it for
	// writing; the reads below then follow the daemon line by line.
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			t.Error(err)
		}
		opened <- f
	}()
	var f *os.File
	select {
	case f = <-opened:
	case err := <-done:
		exited = true
		// Let the opener go: open the other end ourselves.
		if w, werr := os.OpenFile(fifo, os.O_WRONLY, 0); werr == nil {
			w.Close()
		}
		if f := <-opened; f != nil {
			f.Close()
		}
		t.Fatalf("the daemon ended (%v) before it opened its log:\n%s", err, stderr.String())
	}
	if f == nil {
		t.FailNow()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var base string
	for base == "" && sc.Scan() {
		if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("the log file never said where the daemon listens (%v):\n%s", sc.Err(), stderr.String())
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cmd.Process.Signal(syscall.SIGTERM)
	// The log ends when the daemon closes it on its way out.
	for sc.Scan() {
	}
	err = <-done
	exited = true
	if err != nil {
		t.Errorf("daemon ended with %v", err)
	}
	if strings.Contains(stderr.String(), "listening on") {
		t.Errorf("with --log the log still went to stderr:\n%s", stderr.String())
	}

	// Why the daemon could not start is in the log too: nobody may read
	// a logon task's stderr.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	logPath := filepath.Join(t.TempDir(), "redline.log")
	if _, _, code := cli(t, "", "serve", "--addr", busy.Addr().String(), "--data", t.TempDir(), "--log", logPath); code != 1 {
		t.Errorf("serve on a busy address exited %d", code)
	}
	if b, err := os.ReadFile(logPath); err != nil || !strings.Contains(string(b), "the daemon stopped") || !strings.Contains(string(b), "address already in use") {
		t.Errorf("the log of a daemon that could not start: %q, %v", b, err)
	}

	// The log of a logon task is in its data folder, which may not
	// exist yet when the daemon first starts.
	fresh := filepath.Join(t.TempDir(), "Redline")
	lf, err := openLog(fresh, filepath.Join(fresh, "redline.log"))
	if err != nil {
		t.Fatal(err)
	}
	lf.Close()
	for p, want := range map[string]fs.FileMode{fresh: 0o700 | fs.ModeDir, filepath.Join(fresh, "redline.log"): 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v, want mode %v", p, fi.Mode(), err, want)
		}
	}
	// A log in a missing folder elsewhere is a clear error.
	if _, err := openLog(fresh, filepath.Join(t.TempDir(), "no", "such", "redline.log")); err == nil || !strings.Contains(err.Error(), "open log file") {
		t.Errorf("log in a missing folder: %v", err)
	}
}

// A binary `go run` built is deleted when it ends: a service must not
// name it.
func TestServiceRefusesAGoRunBinary(t *testing.T) {
	for exe, want := range map[string]bool{
		"/tmp/go-build3141592/b001/exe/redline":  true,
		"/home/ann/redline/bin/redline":          false,
		"/tmp/go-build3141592/b001/redline.test": false,
		"/usr/local/exe/redline":                 false,
	} {
		if got := builtByGoRun(exe); got != want {
			t.Errorf("builtByGoRun(%q) = %v, want %v", exe, got, want)
		}
	}
}
