// Package config finds Redline's data directory and keeps the files in it
// that are not articles: the API token and the note a running daemon leaves
// so that the CLI can find it.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultAddr is where the daemon listens unless told otherwise.
const DefaultAddr = "127.0.0.1:7710"

// Environment variables that stand in for flags.
const (
	EnvData         = "REDLINE_DATA"
	EnvAddr         = "REDLINE_ADDR"
	EnvAllowPrivate = "REDLINE_ALLOW_PRIVATE"
)

// File names inside the data directory.
const (
	TokenFile         = "token"
	DashboardHostFile = "dashboard-host"
	DaemonFile        = "daemon.json"
	StoreDir          = "store"
)

// DefaultDataDir returns the per-user data folder of the OS, with a
// "redline" folder inside: $XDG_DATA_HOME or ~/.local/share on Linux and
// BSDs, ~/Library/Application Support on macOS, %LocalAppData% on Windows.
func DefaultDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "Redline"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find home directory: %w", err)
		}
		return filepath.Join(home, "Library", "Application Support", "Redline"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "redline"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find home directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "redline"), nil
}

// DataDir resolves the data directory from a flag value, then
// REDLINE_DATA, then the OS default. The result is absolute.
func DataDir(flagValue string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv(EnvData)
	}
	if dir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data directory %q: %w", dir, err)
	}
	return abs, nil
}

// EnsureDataDir creates the data directory, readable by its owner only.
func EnsureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	return nil
}

// ListenAddr resolves the listen address from a flag value, then
// REDLINE_ADDR, then DefaultAddr, and refuses anything but loopback:
// reading history must never be reachable from the network.
func ListenAddr(flagValue string) (string, error) {
	addr := flagValue
	if addr == "" {
		addr = os.Getenv(EnvAddr)
	}
	if addr == "" {
		addr = DefaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: want HOST:PORT, e.g. %s", addr, DefaultAddr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("address %q: Redline listens on loopback only (127.0.0.1 or [::1])", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// LoadToken reads the API token, creating it on first use: 256 random bits
// as 64 hex digits in DIR/token, readable by the owner only.
func LoadToken(dir string) (string, error) {
	return loadSecret(dir, secretFile{
		name: TokenFile, what: "token", make: NewSecret,
		valid:   func(s string) bool { return len(s) == 64 },
		damaged: "delete it to make a new one (paired extensions must then pair again)",
	})
}

// DashboardHostSuffix ends every dashboard host name.
const DashboardHostSuffix = ".localhost"

// LoadDashboardHost reads the dashboard's own host name, creating it on
// first use: "redline-" and 80 random bits as 20 hex digits, under
// .localhost, which browsers resolve to this computer. Cookies are not
// kept apart by port, so a cookie of 127.0.0.1 would reach every server
// on 127.0.0.1; a name of its own that no other page knows keeps the
// dashboard's session away from them.
func LoadDashboardHost(dir string) (string, error) {
	label, err := loadSecret(dir, secretFile{
		name: DashboardHostFile, what: "dashboard host name",
		make: func() (string, error) {
			var b [10]byte
			if _, err := rand.Read(b[:]); err != nil {
				return "", fmt.Errorf("random: %w", err)
			}
			return "redline-" + hex.EncodeToString(b[:]), nil
		},
		valid:   ValidDashboardLabel,
		damaged: "delete it to make a new one (log in again with `redline open`)",
	})
	if err != nil {
		return "", err
	}
	return label + DashboardHostSuffix, nil
}

// ValidDashboardLabel reports whether s is a dashboard host label as
// LoadDashboardHost makes them.
func ValidDashboardLabel(s string) bool {
	rest, ok := strings.CutPrefix(s, "redline-")
	if !ok || len(rest) != 20 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil && strings.ToLower(rest) == rest
}

// secretFile describes a small secret kept in a file of the data folder.
type secretFile struct {
	name, what string
	make       func() (string, error)
	valid      func(string) bool
	damaged    string // what to do when the file holds something else
}

// loadSecret reads f from dir, creating it readable by its owner only on
// first use, and fixing its mode if others can read it.
func loadSecret(dir string, f secretFile) (string, error) {
	path := filepath.Join(dir, f.name)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		v := strings.TrimSpace(string(b))
		if !f.valid(v) {
			return "", fmt.Errorf("%s file %s is damaged: %s", f.what, path, f.damaged)
		}
		if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return "", fmt.Errorf("%s file %s is readable by others and cannot be fixed: %w", f.what, path, err)
			}
		}
		return v, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("read %s: %w", f.what, err)
	}
	if err := EnsureDataDir(dir); err != nil {
		return "", err
	}
	v, err := f.make()
	if err != nil {
		return "", err
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process made it first; use theirs.
		return loadSecret(dir, f)
	}
	if err != nil {
		return "", fmt.Errorf("create %s: %w", f.what, err)
	}
	if _, err := file.WriteString(v + "\n"); err != nil {
		file.Close()
		return "", fmt.Errorf("write %s: %w", f.what, err)
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return "", fmt.Errorf("write %s: %w", f.what, err)
	}
	if err := file.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", f.what, err)
	}
	return v, nil
}

// NewSecret returns 256 random bits as 64 hex digits.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Running is the note a serving daemon leaves in its data directory.
type Running struct {
	Addr string `json:"addr"`
	PID  int    `json:"pid"`
}

// WriteRunning records where the daemon listens.
func WriteRunning(dir string, r Running) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode daemon note: %w", err)
	}
	tmp := filepath.Join(dir, DaemonFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write daemon note: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, DaemonFile)); err != nil {
		return fmt.Errorf("write daemon note: %w", err)
	}
	return nil
}

// ReadRunning returns the note of the daemon that last served from dir, if
// any. The daemon may have died since; callers check by asking it.
func ReadRunning(dir string) (Running, bool) {
	b, err := os.ReadFile(filepath.Join(dir, DaemonFile))
	if err != nil {
		return Running{}, false
	}
	var r Running
	if json.Unmarshal(b, &r) != nil || r.Addr == "" {
		return Running{}, false
	}
	return r, true
}

// RemoveRunning deletes the note on clean shutdown.
func RemoveRunning(dir string) {
	_ = os.Remove(filepath.Join(dir, DaemonFile))
}
