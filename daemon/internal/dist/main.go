// Command dist builds Redline's release files into one folder (`make dist`
// runs it, after the extension's store zips are written there):
//
//	redline_V_OS_ARCH.tar.gz   the daemon for linux and darwin, amd64 and arm64
//	redline_V_windows_ARCH.zip the daemon for windows, amd64 and arm64
//	redline_V_ARCH.deb         the linux daemon and its systemd user unit
//	SHA256SUMS                 the SHA-256 of every file in the folder
//
// Binaries are built as `make daemon` builds them (-trimpath, stripped,
// the version stamped) but without cgo, for each OS and architecture. The
// .deb is made by nfpm, run as a Go tool from tools/go.mod so that the
// main module does not depend on it.
//
//	go run ./daemon/internal/dist -version V -out dist [-jobs N]
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"redline/daemon/internal/autostart"
)

// Target is one OS and architecture a binary is built for.
type Target struct{ OS, Arch string }

// Targets are every OS and architecture Redline is released for.
var Targets = []Target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// exe is the binary's file name on t's OS.
func (t Target) exe() string {
	if t.OS == "windows" {
		return "redline.exe"
	}
	return "redline"
}

// base is the name of t's archive without its extension, and of the
// folder inside it.
func (t Target) base(version string) string {
	return fmt.Sprintf("redline_%s_%s_%s", version, t.OS, t.Arch)
}

// versionRe is a version as a file name may hold it: `git describe`
// output such as v1.2.0, v1.2.0-3-gabc1234 or abc1234-dirty.
var versionRe = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+-]*$`)

func main() {
	version := flag.String("version", "", "the version stamped into the binaries and named in the files (as `make daemon` stamps it)")
	out := flag.String("out", "dist", "the folder the files go to; it may already hold the extension's zips")
	jobs := flag.Int("jobs", runtime.NumCPU(), "how many binaries to build at once")
	goCmd := flag.String("go", "go", "the go command")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "dist: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	start := time.Now()
	r := release{version: *version, out: *out, jobs: *jobs, goCmd: *goCmd, log: log}
	if err := r.run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
	log.Info("dist: done", "folder", *out, "took", time.Since(start).Round(100*time.Millisecond))
}

// release is one run of dist.
type release struct {
	version, out string
	jobs         int
	goCmd        string
	log          *slog.Logger
	mtime        time.Time // the time written into archives: the commit's
}

func (r *release) run(ctx context.Context) error {
	if !versionRe.MatchString(r.version) {
		return fmt.Errorf("version %q: want letters, digits, dots, plus and minus signs, as git describe gives", r.version)
	}
	if r.jobs < 1 {
		return fmt.Errorf("jobs %d: want at least 1", r.jobs)
	}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", r.out, err)
	}
	r.mtime = commitTime(ctx)
	stage, err := os.MkdirTemp(r.out, ".build-")
	if err != nil {
		return fmt.Errorf("create a build folder in %s: %w", r.out, err)
	}
	defer os.RemoveAll(stage)

	if err := r.buildAll(ctx, stage); err != nil {
		return err
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return fmt.Errorf("read README.md (run dist from the repository's root): %w", err)
	}
	for _, t := range Targets {
		bin, err := os.ReadFile(filepath.Join(stage, t.base(r.version), t.exe()))
		if err != nil {
			return fmt.Errorf("read the %s/%s binary: %w", t.OS, t.Arch, err)
		}
		files := []archiveFile{{Name: t.exe(), Mode: 0o755, Data: bin}, {Name: "README.md", Mode: 0o644, Data: readme}}
		name, data, err := Archive(t, r.version, r.mtime, files)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(r.out, name), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	for _, t := range Targets {
		if t.OS == "linux" {
			if err := r.deb(ctx, stage, t); err != nil {
				return err
			}
		}
	}
	sums, err := Sums(r.out)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.out, "SHA256SUMS"), sums, 0o644); err != nil {
		return fmt.Errorf("write SHA256SUMS: %w", err)
	}
	return nil
}

// commitTime is the time of the commit being built, so that two builds of
// one commit give the same archives; SOURCE_DATE_EPOCH overrides it.
func commitTime(ctx context.Context) time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	out, err := exec.CommandContext(ctx, "git", "log", "-1", "--format=%ct").Output()
	if err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Unix(0, 0).UTC()
}

// buildAll builds the binary for every target into stage, r.jobs at once.
func (r *release) buildAll(ctx context.Context, stage string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, r.jobs)
	errs := make([]error, len(Targets))
	var wg sync.WaitGroup
	for i, t := range Targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			begin := time.Now()
			if errs[i] = r.build(ctx, stage, t); errs[i] != nil {
				cancel()
				return
			}
			r.log.Info("dist: built", "os", t.OS, "arch", t.Arch, "took", time.Since(begin).Round(100*time.Millisecond))
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// build builds the binary for t as `make daemon` does, without cgo.
func (r *release) build(ctx context.Context, stage string, t Target) error {
	dst := filepath.Join(stage, t.base(r.version), t.exe())
	cmd := exec.CommandContext(ctx, r.goCmd, "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+r.version, "-o", dst, "./daemon/cmd/redline")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build for %s/%s: %w\n%s", t.OS, t.Arch, err, out)
	}
	return nil
}

// archiveFile is one file put in an archive.
type archiveFile struct {
	Name string
	Mode int64
	Data []byte
}

// Archive packs files into a folder named after t and version: a .tar.gz
// for linux and darwin, a .zip for windows. It returns the archive's file
// name and bytes. The same files and time give the same bytes.
func Archive(t Target, version string, mtime time.Time, files []archiveFile) (string, []byte, error) {
	dir := t.base(version)
	var buf bytes.Buffer
	if t.OS == "windows" {
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			h := &zip.FileHeader{Name: dir + "/" + f.Name, Method: zip.Deflate, Modified: mtime}
			h.SetMode(os.FileMode(f.Mode))
			w, err := zw.CreateHeader(h)
			if err != nil {
				return "", nil, fmt.Errorf("zip %s: %w", f.Name, err)
			}
			if _, err := w.Write(f.Data); err != nil {
				return "", nil, fmt.Errorf("zip %s: %w", f.Name, err)
			}
		}
		if err := zw.Close(); err != nil {
			return "", nil, fmt.Errorf("zip %s: %w", dir, err)
		}
		return dir + ".zip", buf.Bytes(), nil
	}
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", nil, err
	}
	tw := tar.NewWriter(gz)
	hdr := func(h *tar.Header) error {
		h.ModTime, h.Uname, h.Gname, h.Format = mtime, "root", "root", tar.FormatPAX
		return tw.WriteHeader(h)
	}
	if err := hdr(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755}); err != nil {
		return "", nil, fmt.Errorf("tar %s: %w", dir, err)
	}
	for _, f := range files {
		if err := hdr(&tar.Header{Typeflag: tar.TypeReg, Name: dir + "/" + f.Name, Mode: f.Mode, Size: int64(len(f.Data))}); err != nil {
			return "", nil, fmt.Errorf("tar %s: %w", f.Name, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return "", nil, fmt.Errorf("tar %s: %w", f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return "", nil, fmt.Errorf("tar %s: %w", dir, err)
	}
	if err := gz.Close(); err != nil {
		return "", nil, fmt.Errorf("gzip %s: %w", dir, err)
	}
	return dir + ".tar.gz", buf.Bytes(), nil
}

// DebVersion is version as a Debian package version: without a leading
// v, with the parts git describe joins by minus signs joined by plus signs
// (a minus would start the Debian revision), and after 0.0.0+git when it
// is a bare commit, since a Debian version starts with a digit.
func DebVersion(version string) string {
	v := strings.TrimPrefix(version, "v")
	v = strings.ReplaceAll(v, "-", "+")
	if v == "" || v[0] < '0' || v[0] > '9' {
		v = "0.0.0+git" + v
	}
	return v
}

// nfpmConfig is nfpm's configuration for the .deb of t: the binary in
// /usr/bin, the systemd user unit, and the README.
func nfpmConfig(t Target, version string, mtime time.Time, bin, unit, readme string) string {
	return fmt.Sprintf(`name: redline
arch: %s
platform: linux
version: %q
version_schema: none
mtime: %q
section: web
priority: optional
maintainer: Redline <redline@redline.invalid>
description: |-
  Keeps every version of the articles you read.
  The Redline daemon stores the articles its browser extension captures,
  checks them again, and tells you when one you read has changed. Turn on
  its per-user service with: systemctl --user enable --now redline
  (or redline service install, to choose its address and data folder).
contents:
  - src: %q
    dst: /usr/bin/redline
    file_info: {mode: 0755}
  - src: %q
    dst: %q
    file_info: {mode: 0644}
  - src: %q
    dst: /usr/share/doc/redline/README.md
    file_info: {mode: 0644}
`, t.Arch, DebVersion(version), mtime.Format(time.RFC3339), bin, unit, autostart.PackagedUnitPath, readme)
}

// deb makes the .deb of t with nfpm.
func (r *release) deb(ctx context.Context, stage string, t Target) error {
	unitText, err := autostart.PackagedUnit("/usr/bin/redline")
	if err != nil {
		return err
	}
	unit := filepath.Join(stage, "redline.service")
	if err := os.WriteFile(unit, unitText, 0o644); err != nil {
		return fmt.Errorf("write the unit: %w", err)
	}
	abs := func(p string) (string, error) { return filepath.Abs(p) }
	bin, err := abs(filepath.Join(stage, t.base(r.version), t.exe()))
	if err != nil {
		return err
	}
	readme, err := abs("README.md")
	if err != nil {
		return err
	}
	unitAbs, err := abs(unit)
	if err != nil {
		return err
	}
	cfg := filepath.Join(stage, "nfpm-"+t.Arch+".yaml")
	if err := os.WriteFile(cfg, []byte(nfpmConfig(t, r.version, r.mtime, bin, unitAbs, readme)), 0o644); err != nil {
		return fmt.Errorf("write the nfpm configuration: %w", err)
	}
	name := fmt.Sprintf("redline_%s_%s.deb", r.version, t.Arch)
	cmd := exec.CommandContext(ctx, r.goCmd, "tool", "-modfile=tools/go.mod", "nfpm", "package",
		"--config", cfg, "--packager", "deb", "--target", filepath.Join(r.out, name))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nfpm for %s: %w\n%s", t.Arch, err, out)
	}
	r.log.Info("dist: packed", "file", name)
	return nil
}

// Sums is a SHA256SUMS file of every regular file directly in dir but
// SHA256SUMS itself, sorted by name, in the form `sha256sum -c` reads.
func Sums(dir string) ([]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "SHA256SUMS" && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("hash %s: %w", n, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("hash %s: %w", n, err)
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), n)
	}
	return []byte(b.String()), nil
}
