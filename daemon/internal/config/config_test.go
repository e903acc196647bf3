package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokenIsCreatedOnceOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	tok, err := LoadToken(dir)
	if err != nil || len(tok) != 64 {
		t.Fatalf("token %q, %v", tok, err)
	}
	info, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, %v", info.Mode().Perm(), err)
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v", d.Mode().Perm())
	}
	again, err := LoadToken(dir)
	if err != nil || again != tok {
		t.Errorf("second load %q, %v; want the same token", again, err)
	}
	// A token file others can read is tightened.
	os.Chmod(filepath.Join(dir, TokenFile), 0o644)
	if _, err := LoadToken(dir); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(filepath.Join(dir, TokenFile)); info.Mode().Perm() != 0o600 {
		t.Errorf("loose token file left at %v", info.Mode().Perm())
	}
	os.WriteFile(filepath.Join(dir, TokenFile), []byte("short\n"), 0o600)
	if _, err := LoadToken(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged token: %v", err)
	}
}

func TestListenAddrIsLoopbackOnly(t *testing.T) {
	t.Setenv(EnvAddr, "")
	for in, want := range map[string]string{
		"":               DefaultAddr,
		"127.0.0.1:9000": "127.0.0.1:9000",
		"localhost:9000": "127.0.0.1:9000",
		"[::1]:9000":     "[::1]:9000",
		"127.0.0.5:0":    "127.0.0.5:0",
	} {
		if got, err := ListenAddr(in); err != nil || got != want {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"0.0.0.0:7710", ":7710", "192.168.1.2:7710", "[::]:7710", "example.com:7710", "7710"} {
		if _, err := ListenAddr(bad); err == nil {
			t.Errorf("ListenAddr(%q) accepted", bad)
		}
	}
	t.Setenv(EnvAddr, "127.0.0.1:8123")
	if got, _ := ListenAddr(""); got != "127.0.0.1:8123" {
		t.Errorf("REDLINE_ADDR ignored: %q", got)
	}
}

func TestDataDirPrecedence(t *testing.T) {
	t.Setenv(EnvData, "/tmp/from-env")
	t.Setenv("XDG_DATA_HOME", "/tmp/xdg")
	if got, _ := DataDir("/tmp/from-flag"); got != "/tmp/from-flag" {
		t.Errorf("flag: %q", got)
	}
	if got, _ := DataDir(""); got != "/tmp/from-env" {
		t.Errorf("env: %q", got)
	}
	t.Setenv(EnvData, "")
	if got, _ := DataDir(""); got != "/tmp/xdg/redline" {
		t.Errorf("default: %q", got)
	}
}

func TestDashboardHostIsRandomPerInstallAndKept(t *testing.T) {
	dir := t.TempDir()
	host, err := LoadDashboardHost(dir)
	if err != nil {
		t.Fatal(err)
	}
	label, ok := strings.CutSuffix(host, DashboardHostSuffix)
	if !ok || !ValidDashboardLabel(label) {
		t.Fatalf("dashboard host %q: want redline-<20 hex digits>.localhost", host)
	}
	if info, err := os.Stat(filepath.Join(dir, DashboardHostFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("dashboard host file: %v %v; want it readable by its owner only", info, err)
	}
	if again, err := LoadDashboardHost(dir); err != nil || again != host {
		t.Fatalf("second load = %q, %v; want the same name %q (logins stay valid across restarts)", again, err, host)
	}
	if other, _ := LoadDashboardHost(t.TempDir()); other == host {
		t.Fatalf("two installs share the dashboard host %q", host)
	}
	for _, bad := range []string{"evil.example", "redline-", "redline-0123456789ABCDEF0123", "redline-0123456789abcdef01234", "redline-0123456789abcdef012g"} {
		os.WriteFile(filepath.Join(dir, DashboardHostFile), []byte(bad+"\n"), 0o600)
		if _, err := LoadDashboardHost(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("dashboard host file holding %q: err %v, want it called damaged", bad, err)
		}
	}
}
