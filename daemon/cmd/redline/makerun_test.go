package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"redline/daemon/internal/testtool"
)

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// makeRun runs the Makefile's run target with the given environment and
// make arguments, and returns the address the daemon it starts listens
// on. The build step is taken as done (-o build) and the binary is this
// test binary, which is the redline CLI with REDLINE_BE_MAIN=1: the test
// is of the run recipe, not of the build.
func makeRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		testtool.Need(t, "make is not installed")
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	bin, err := filepath.Rel(root, self) // the recipe runs ./$(BIN)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", append([]string{"--no-print-directory", "-o", "build", "run", "BIN=" + bin}, args...)...)
	cmd.Dir = root
	// Run under `make test`, the outer make's flags and variables would
	// reach this make through MAKEFLAGS; they are left out.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "REDLINE_BE_MAIN=1", "REDLINE_DATA="+t.TempDir(), "REDLINE_ADDR=", "ADDR=")
	cmd.Env = append(cmd.Env, env...)
	// make, its shell and the daemon share a process group, so that one
	// signal stops them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log bytes.Buffer
	found := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- strings.TrimPrefix(m[1], "http://"):
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
		cmd.Wait()
		close(done)
	}()
	text := func() string { mu.Lock(); defer mu.Unlock(); return log.String() }
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		<-done
	})
	select {
	case addr := <-found:
		return addr
	case <-done:
		t.Fatalf("make run ended before the daemon listened:\n%s", text())
	case <-time.After(60 * time.Second):
		t.Fatalf("make run: the daemon did not say where it listens:\n%s", text())
	}
	return ""
}

// healthy reports whether the daemon answers at addr.
func healthy(t *testing.T, addr string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("nothing answers at %s: %v", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz at %s: %s", addr, resp.Status)
	}
}

// make run serves where REDLINE_ADDR says; ADDR= on make's command line
// wins over it; an ADDR that is only in the environment is not Redline's.
func TestMakeRunHonoursTheAddress(t *testing.T) {
	t.Run("REDLINE_ADDR", func(t *testing.T) {
		want := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		got := makeRun(t, []string{"REDLINE_ADDR=" + want})
		if got != want {
			t.Fatalf("with REDLINE_ADDR=%s, make run serves at %s", want, got)
		}
		healthy(t, want)
	})
	t.Run("ADDR= over REDLINE_ADDR", func(t *testing.T) {
		want := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		other := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		got := makeRun(t, []string{"REDLINE_ADDR=" + other}, "ADDR="+want)
		if got != want {
			t.Fatalf("with make run ADDR=%s and REDLINE_ADDR=%s, it serves at %s", want, other, got)
		}
		healthy(t, want)
	})
	t.Run("ADDR in the environment", func(t *testing.T) {
		want := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		other := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		got := makeRun(t, []string{"REDLINE_ADDR=" + want, "ADDR=" + other})
		if got != want {
			t.Fatalf("with REDLINE_ADDR=%s and ADDR=%s in the environment, make run serves at %s", want, other, got)
		}
		healthy(t, want)
	})
}
