package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"redline/daemon/internal/testtool"
)

var (
	when  = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	files = []archiveFile{
		{Name: "redline", Mode: 0o755, Data: []byte("binary")},
		{Name: "README.md", Mode: 0o644, Data: []byte("# Redline\n")},
	}
)

// A linux or macOS archive unpacks into one folder named after the
// release, with the binary executable; the same input gives the same
// bytes.
func TestTarArchive(t *testing.T) {
	name, data, err := Archive(Target{"darwin", "arm64"}, "v1.2.0", when, files)
	if err != nil {
		t.Fatal(err)
	}
	if name != "redline_v1.2.0_darwin_arm64.tar.gz" {
		t.Errorf("archive name %s", name)
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, h.Name)
		if !h.ModTime.Equal(when) {
			t.Errorf("%s dated %v, want %v", h.Name, h.ModTime, when)
		}
		switch h.Name {
		case "redline_v1.2.0_darwin_arm64/redline":
			if h.Mode != 0o755 || string(body) != "binary" {
				t.Errorf("binary: mode %o, %q", h.Mode, body)
			}
		case "redline_v1.2.0_darwin_arm64/README.md":
			if h.Mode != 0o644 || string(body) != "# Redline\n" {
				t.Errorf("README: mode %o, %q", h.Mode, body)
			}
		}
	}
	want := []string{"redline_v1.2.0_darwin_arm64/", "redline_v1.2.0_darwin_arm64/redline", "redline_v1.2.0_darwin_arm64/README.md"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("archive holds %q, want %q", got, want)
	}
	_, again, err := Archive(Target{"darwin", "arm64"}, "v1.2.0", when, files)
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("a second archive of the same files differs (%v)", err)
	}
}

// A windows archive is a zip holding redline.exe in the release's folder.
func TestZipArchive(t *testing.T) {
	win := []archiveFile{{Name: "redline.exe", Mode: 0o755, Data: []byte("binary")}, files[1]}
	name, data, err := Archive(Target{"windows", "amd64"}, "abc1234-dirty", when, win)
	if err != nil {
		t.Fatal(err)
	}
	if name != "redline_abc1234-dirty_windows_amd64.zip" {
		t.Errorf("archive name %s", name)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "redline_abc1234-dirty_windows_amd64/redline.exe" && string(body) != "binary" {
			t.Errorf("redline.exe holds %q", body)
		}
	}
	if want := "redline_abc1234-dirty_windows_amd64/redline.exe redline_abc1234-dirty_windows_amd64/README.md"; strings.Join(got, " ") != want {
		t.Errorf("zip holds %q, want %s", got, want)
	}
}

// Debian versions start with a digit and keep git describe's order.
func TestDebVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.0":            "1.2.0",
		"v1.2.0-3-gabc1234": "1.2.0+3+gabc1234",
		"1.2.0":             "1.2.0",
		"abc1234":           "0.0.0+gitabc1234",
		"abc1234-dirty":     "0.0.0+gitabc1234+dirty",
		"0214144-dirty":     "0214144+dirty",
	} {
		if got := DebVersion(in); got != want {
			t.Errorf("DebVersion(%q) = %q, want %q", in, got, want)
		}
	}
	// dpkg takes them, and orders them as releases follow: a later
	// commit is newer.
	if _, err := exec.LookPath("dpkg"); err != nil {
		testtool.Need(t, "dpkg is not installed")
	}
	for _, pair := range [][2]string{{"v1.2.0-3-gabc1234", "v1.2.0"}, {"v1.3.0", "v1.2.0-3-gabc1234"}, {"abc1234-dirty", "abc1234"}} {
		newer, older := DebVersion(pair[0]), DebVersion(pair[1])
		if out, err := exec.Command("dpkg", "--compare-versions", newer, "gt", older).CombinedOutput(); err != nil {
			t.Errorf("dpkg does not order %s after %s: %v %s", newer, older, err, out)
		}
	}
}

// SHA256SUMS names every file once, not itself nor hidden build folders,
// and sha256sum -c accepts it.
func TestSums(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b.zip": "bee", "a.tar.gz": "ay", "SHA256SUMS": "old", ".hidden": "x"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".build-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	sums, err := Sums(dir)
	if err != nil {
		t.Fatal(err)
	}
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	if want := hash("ay") + "  a.tar.gz\n" + hash("bee") + "  b.zip\n"; string(sums) != want {
		t.Fatalf("SHA256SUMS:\n%s\nwant\n%s", sums, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), sums, 0o644); err != nil {
		t.Fatal(err)
	}
	check := func() error {
		cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return &exec.ExitError{ProcessState: cmd.ProcessState, Stderr: out}
		}
		return nil
	}
	if err := check(); err != nil {
		t.Errorf("sha256sum -c refused SHA256SUMS: %s", err.(*exec.ExitError).Stderr)
	}
	// A file changed after is caught.
	if err := os.WriteFile(filepath.Join(dir, "b.zip"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if check() == nil {
		t.Error("sha256sum -c accepted a changed file")
	}
}
