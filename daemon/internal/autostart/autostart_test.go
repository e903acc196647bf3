package autostart

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"redline/daemon/internal/testtool"
)

// fakeBinary writes an executable file standing in for the redline binary,
// in a folder whose name needs quoting.
func fakeBinary(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "my apps")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "redline")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// verifyUnit runs systemd-analyze verify on a user unit and returns what
// it says; a unit it accepts whole gives no output at all.
func verifyUnit(t *testing.T, unit string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		testtool.Need(t, "systemd-analyze is not installed (apt-get install systemd)")
	}
	home := t.TempDir()
	runtimeDir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("systemd-analyze", "verify", "--user", unit)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+runtimeDir, "XDG_CONFIG_HOME=")
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func TestSystemdUserUnit(t *testing.T) {
	home := t.TempDir()
	exe := fakeBinary(t)
	// %, $ and a quote would be read by systemd as a specifier, a
	// variable and the end of a word unless written with care.
	data := filepath.Join(t.TempDir(), `news 100% "mine" $HOME`)
	h := Host{OS: "linux", Home: home}
	spec := Spec{Exe: exe, Addr: "127.0.0.1:7711", DataDir: data}
	unit, err := Render(h, spec)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := Path(h)
	if want := filepath.Join(home, ".config", "systemd", "user", "redline.service"); path != want {
		t.Errorf("unit path %s, want %s", path, want)
	}
	text := string(unit)
	wantExec := `ExecStart="` + exe + `" serve --addr 127.0.0.1:7711 --data "` +
		strings.NewReplacer(`%`, `%%`, `$`, `$$`, `"`, `\"`).Replace(data) + `"`
	for _, line := range []string{wantExec, "Restart=on-failure", "WantedBy=default.target", "[Service]", "[Install]"} {
		if !hasLine(text, line) {
			t.Errorf("unit lacks the line %q:\n%s", line, text)
		}
	}
	// The file the user's manager would read, checked by systemd itself.
	file := filepath.Join(t.TempDir(), "redline.service")
	if err := os.WriteFile(file, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verifyUnit(t, file); err != nil || out != "" {
		t.Errorf("systemd-analyze verify: %v\n%s\n%s", err, out, text)
	}

	// With XDG_CONFIG_HOME, the unit goes where the manager looks then.
	cfg := t.TempDir()
	if p, _ := Path(Host{OS: "linux", Home: home, ConfigDir: cfg}); p != filepath.Join(cfg, "systemd", "user", "redline.service") {
		t.Errorf("with a config folder, the unit path is %s", p)
	}

	// --allow-private passes through.
	spec.AllowPrivate = true
	unit, _ = Render(h, spec)
	if !strings.Contains(string(unit), " --allow-private\n") {
		t.Errorf("--allow-private not passed on:\n%s", unit)
	}
}

// The unit a package ships is the unit `redline service install` writes,
// but for every user: the binary and `serve` alone, so that each user's
// daemon finds its own data folder and the default address. systemd
// accepts it.
func TestPackagedUnit(t *testing.T) {
	exe := fakeBinary(t)
	unit, err := PackagedUnit(exe)
	if err != nil {
		t.Fatal(err)
	}
	text := string(unit)
	if want := `ExecStart="` + exe + `" serve`; !hasLine(text, want) {
		t.Errorf("packaged unit lacks the line %q:\n%s", want, text)
	}
	file := filepath.Join(t.TempDir(), "redline.service")
	if err := os.WriteFile(file, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verifyUnit(t, file); err != nil || out != "" {
		t.Errorf("systemd-analyze verify: %v\n%s\n%s", err, out, text)
	}
	// Apart from where it comes from and the command line, it is the
	// user's unit line for line.
	user, err := Render(Host{OS: "linux", Home: t.TempDir()}, Spec{Exe: exe, Addr: "127.0.0.1:7711", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	same := func(u []byte) []string {
		var lines []string
		for _, l := range strings.Split(string(u), "\n") {
			if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "ExecStart=") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	if got, want := same(unit), same(user); !reflect.DeepEqual(got, want) {
		t.Errorf("packaged unit differs from the user's:\n%s\nwant as in\n%s", unit, user)
	}
	if PackagedUnitPath != "/usr/lib/systemd/user/redline.service" {
		t.Errorf("packaged unit goes to %s", PackagedUnitPath)
	}
	if _, err := PackagedUnit("bin/redline"); err == nil {
		t.Error("a relative binary path was taken")
	}
}

// The check is not empty: systemd-analyze refuses a unit whose binary is
// gone, so a passing verify means something.
func TestSystemdVerifyRefusesAUnitWithoutItsBinary(t *testing.T) {
	exe := fakeBinary(t)
	unit, err := Render(Host{OS: "linux", Home: t.TempDir()}, Spec{Exe: exe, Addr: "127.0.0.1:7711", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(exe)
	file := filepath.Join(t.TempDir(), "redline.service")
	if err := os.WriteFile(file, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verifyUnit(t, file); err == nil || !strings.Contains(out, "not executable") {
		t.Errorf("verify passed a unit whose binary is gone: %v\n%s", err, out)
	}
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// plistValue is one value of a property list: a string, a bool, an
// array or a dict.
type plistValue struct {
	Kind  string
	Text  string
	Items []plistValue
	Dict  map[string]plistValue
}

// parsePlist reads the XML property list's top value.
func parsePlist(t *testing.T, b []byte) plistValue {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var read func(start xml.StartElement) plistValue
	read = func(start xml.StartElement) plistValue {
		v := plistValue{Kind: start.Name.Local}
		var key string
		for {
			tok, err := d.Token()
			if err != nil {
				t.Fatalf("plist: %v", err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if tok.Name.Local == "key" {
					var k string
					if err := d.DecodeElement(&k, &tok); err != nil {
						t.Fatal(err)
					}
					key = k
					continue
				}
				child := read(tok)
				switch v.Kind {
				case "dict":
					if v.Dict == nil {
						v.Dict = map[string]plistValue{}
					}
					v.Dict[key] = child
				default:
					v.Items = append(v.Items, child)
				}
			case xml.CharData:
				v.Text += string(tok)
			case xml.EndElement:
				return v
			}
		}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("plist: no top element: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "plist" {
			top := read(se)
			if len(top.Items) != 1 {
				t.Fatalf("plist holds %d top values", len(top.Items))
			}
			return top.Items[0]
		}
	}
}

func TestLaunchdAgent(t *testing.T) {
	h := Host{OS: "darwin", Home: "/Users/ann", UID: 501}
	spec := Spec{Exe: "/Applications/Red & line/redline", Addr: "127.0.0.1:7712", DataDir: "/Users/ann/Library/Application Support/Redline <main>"}
	b, err := Render(h, spec)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := Path(h); p != "/Users/ann/Library/LaunchAgents/local.redline.plist" {
		t.Errorf("agent path %s", p)
	}
	if !bytes.Contains(b, []byte(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"`)) {
		t.Errorf("no plist doctype:\n%s", b)
	}
	top := parsePlist(t, b)
	if top.Kind != "dict" {
		t.Fatalf("top value is a %s", top.Kind)
	}
	if got := top.Dict["Label"].Text; got != "local.redline" {
		t.Errorf("Label %q", got)
	}
	var argv []string
	for _, it := range top.Dict["ProgramArguments"].Items {
		argv = append(argv, it.Text)
	}
	if want := []string{spec.Exe, "serve", "--addr", "127.0.0.1:7712", "--data", spec.DataDir}; !reflect.DeepEqual(argv, want) {
		t.Errorf("ProgramArguments %q, want %q", argv, want)
	}
	if top.Dict["RunAtLoad"].Kind != "true" {
		t.Errorf("RunAtLoad is %s", top.Dict["RunAtLoad"].Kind)
	}
	// Started again when it fails, not when it ends cleanly.
	if ka := top.Dict["KeepAlive"]; ka.Kind != "dict" || ka.Dict["SuccessfulExit"].Kind != "false" {
		t.Errorf("KeepAlive is %+v", ka)
	}
	log := "/Users/ann/Library/Logs/Redline/redline.log"
	if top.Dict["StandardErrorPath"].Text != log || top.Dict["StandardOutPath"].Text != log {
		t.Errorf("log paths %q %q", top.Dict["StandardErrorPath"].Text, top.Dict["StandardOutPath"].Text)
	}
}

// splitWindows splits a command line the way a Windows program's runtime
// does.
func splitWindows(s string) []string {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			have = true
		case c == '"':
			inQuote = !inQuote
			have = true
		case (c == ' ' || c == '\t') && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

// task is the part of a Task Scheduler task the test looks at.
type task struct {
	Triggers struct {
		Logon []struct {
			Enabled bool   `xml:"Enabled"`
			UserID  string `xml:"UserId"`
		} `xml:"LogonTrigger"`
	} `xml:"Triggers"`
	Principal struct {
		UserID    string `xml:"UserId"`
		LogonType string `xml:"LogonType"`
		RunLevel  string `xml:"RunLevel"`
	} `xml:"Principals>Principal"`
	Settings struct {
		Enabled          bool   `xml:"Enabled"`
		ExecutionLimit   string `xml:"ExecutionTimeLimit"`
		MultipleInstance string `xml:"MultipleInstancesPolicy"`
		Restart          struct {
			Interval string `xml:"Interval"`
			Count    int    `xml:"Count"`
		} `xml:"RestartOnFailure"`
	} `xml:"Settings"`
	Exec struct {
		Command   string `xml:"Command"`
		Arguments string `xml:"Arguments"`
	} `xml:"Actions>Exec"`
}

func TestWindowsLogonTask(t *testing.T) {
	h := Host{OS: "windows", Home: `C:\Users\Ann Lee`, ConfigDir: `C:\Users\Ann Lee\AppData\Roaming`, User: `PC\Ann Lee`}
	spec := Spec{Exe: `C:\Program Files\Redline\redline.exe`, Addr: "127.0.0.1:7713", DataDir: `C:\Users\Ann Lee\AppData\Local\Redline & co`}
	b, err := Render(h, spec)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := Path(h); p != filepath.Join(h.ConfigDir, "Redline", "redline-task.xml") {
		t.Errorf("task path %s", p)
	}
	if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) {
		t.Fatalf("the task file is not UTF-16 with a byte order mark: % x", b[:4])
	}
	text := decodeText(b)
	if !bytes.HasPrefix(text, []byte(`<?xml version="1.0" encoding="UTF-16"?>`)) {
		t.Errorf("declaration: %.60s", text)
	}
	d := xml.NewDecoder(bytes.NewReader(text))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // decoded above
	var tk task
	if err := d.Decode(&tk); err != nil {
		t.Fatalf("task XML: %v\n%s", err, text)
	}
	if len(tk.Triggers.Logon) != 1 || !tk.Triggers.Logon[0].Enabled || tk.Triggers.Logon[0].UserID != h.User {
		t.Errorf("logon trigger %+v", tk.Triggers.Logon)
	}
	if tk.Principal.UserID != h.User || tk.Principal.LogonType != "InteractiveToken" || tk.Principal.RunLevel != "LeastPrivilege" {
		t.Errorf("principal %+v: want the user, without raised rights", tk.Principal)
	}
	if !tk.Settings.Enabled || tk.Settings.ExecutionLimit != "PT0S" || tk.Settings.MultipleInstance != "IgnoreNew" {
		t.Errorf("settings %+v", tk.Settings)
	}
	if tk.Settings.Restart.Interval == "" || tk.Settings.Restart.Count < 1 {
		t.Errorf("no restart on failure: %+v", tk.Settings.Restart)
	}
	if tk.Exec.Command != spec.Exe {
		t.Errorf("command %q", tk.Exec.Command)
	}
	log := `C:\Users\Ann Lee\AppData\Local\Redline & co\redline.log`
	want := []string{"serve", "--addr", "127.0.0.1:7713", "--data", spec.DataDir, "--log", log}
	if got := splitWindows(tk.Exec.Arguments); !reflect.DeepEqual(got, want) {
		t.Errorf("arguments %q split into %q, want %q", tk.Exec.Arguments, got, want)
	}
	if got := (&logonTask{h: h}).logWhere(b); got != log {
		t.Errorf("log read back from the file: %q, want %q", got, log)
	}
	if got := addrIn(b); got != "127.0.0.1:7713" {
		t.Errorf("address read back from the file: %q", got)
	}

	// The Task Scheduler would expand %NAME% in a path.
	spec.DataDir = `C:\Users\%USERNAME%\Redline`
	if _, err := Render(h, spec); err == nil || !strings.Contains(err.Error(), "%") {
		t.Errorf("a path with %% was written: %v", err)
	}
}

func TestWindowsQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{`plain`, `with space`, `C:\dir\`, `C:\dir with space\`, `a"b`, `a\"b`, `tab	in`, `\\server\share\x y`, ``} {
		if got := splitWindows(windowsQuote(s)); len(got) != 1 || got[0] != s {
			t.Errorf("%q quoted as %s splits into %q", s, windowsQuote(s), got)
		}
	}
}

// Bad input is refused before anything is written, on every OS family.
func TestBadSpecWritesNothing(t *testing.T) {
	exe := fakeBinary(t)
	good := Spec{Exe: exe, Addr: "127.0.0.1:7714", DataDir: t.TempDir()}
	bad := map[string]func(s *Spec){
		"relative binary":             func(s *Spec) { s.Exe = "bin/redline" },
		"relative data folder":        func(s *Spec) { s.DataDir = "data" },
		"newline in the data folder":  func(s *Spec) { s.DataDir = "/tmp/x\nExecStartPre=/bin/sh -c 'rm -rf ~'" },
		"control character in binary": func(s *Spec) { s.Exe = "/tmp/red\x1bline" },
		"address without a port":      func(s *Spec) { s.Addr = "127.0.0.1" },
		"address off this computer":   func(s *Spec) { s.Addr = "0.0.0.0:7714" },
		"host name":                   func(s *Spec) { s.Addr = "redline.test:7714" },
		"port zero":                   func(s *Spec) { s.Addr = "127.0.0.1:0" },
		"port too large":              func(s *Spec) { s.Addr = "127.0.0.1:70000" },
		"port not a number":           func(s *Spec) { s.Addr = "127.0.0.1:http" },
	}
	for _, osName := range []string{"linux", "darwin", "windows"} {
		for name, spoil := range bad {
			t.Run(osName+"/"+name, func(t *testing.T) {
				home := t.TempDir()
				h := Host{OS: osName, Home: home, ConfigDir: filepath.Join(home, "cfg"), User: `PC\ann`, Run: noManager}
				s := good
				spoil(&s)
				if _, err := Render(h, s); err == nil {
					t.Errorf("rendered %+v", s)
				}
				if _, err := Install(context.Background(), h, s); err == nil {
					t.Errorf("installed %+v", s)
				}
				if left := filesUnder(t, home); len(left) > 0 {
					t.Errorf("bad input wrote %q", left)
				}
			})
		}
	}
	if _, err := Render(Host{OS: "plan9"}, good); !errors.Is(err, ErrUnsupported) {
		t.Errorf("an unknown OS family: %v", err)
	}
}

// noManager is a computer without the service manager's tool.
func noManager(_ context.Context, name string, _ ...string) (string, error) {
	return "", fmt.Errorf("%s: %w", name, errNotFound)
}

func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// On a Mac whose launchd cannot be asked (here: no launchctl at all), the
// agent file is still written with its log folder, the error says what to
// run, and uninstall takes the file away again.
func TestLaunchdInstallWithoutLaunchctl(t *testing.T) {
	home := t.TempDir()
	h := Host{OS: "darwin", Home: home, UID: 501, Run: noManager}
	spec := Spec{Exe: fakeBinary(t), Addr: "127.0.0.1:7715", DataDir: t.TempDir()}
	did, err := Install(context.Background(), h, spec)
	if err == nil || !strings.Contains(err.Error(), "launchctl bootstrap gui/501 ") {
		t.Errorf("install without launchd: %v", err)
	}
	path := filepath.Join(home, "Library", "LaunchAgents", "local.redline.plist")
	if len(did) == 0 || did[0] != "wrote "+path {
		t.Errorf("install said %q", did)
	}
	if _, err := os.Stat(filepath.Join(home, "Library", "Logs", "Redline")); err != nil {
		t.Errorf("no log folder: %v", err)
	}
	st, err := StatusOf(context.Background(), h)
	if err != nil || !st.Installed || st.Manager.Running || st.Addr != "127.0.0.1:7715" || st.Log != filepath.Join(home, "Library", "Logs", "Redline", "redline.log") {
		t.Errorf("status %+v, %v", st, err)
	}
	did, err = Uninstall(context.Background(), h)
	if err != nil || len(did) == 0 || did[len(did)-1] != "removed "+path {
		t.Errorf("uninstall said %q, %v", did, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the agent file is still there: %v", err)
	}
}
