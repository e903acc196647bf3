package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/config"
	"redline/daemon/internal/store"
)

// target is either a running daemon (client) or the store opened directly.
type target struct {
	dir    string
	client *client
}

// client talks to a running daemon over its API.
type client struct {
	base  string
	token string
	http  *http.Client
}

// dataFlag adds --data to fs.
func dataFlag(fs interface {
	String(string, string, string) *string
}) *string {
	return fs.String("data", "", "data directory (default: REDLINE_DATA or the per-user data folder)")
}

// connect finds the daemon serving dir, if one runs.
func connect(ctx context.Context, dataFlag string) (target, error) {
	dir, err := config.DataDir(dataFlag)
	if err != nil {
		return target{}, err
	}
	t := target{dir: dir}
	running, ok := config.ReadRunning(dir)
	if !ok {
		return t, nil
	}
	token, err := config.LoadToken(dir)
	if err != nil {
		return t, err
	}
	c := &client{base: "http://" + running.Addr, token: token, http: &http.Client{Timeout: 0}}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(pctx, http.MethodGet, c.base+"/healthz", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		// The note is stale: the daemon died without cleaning up.
		return t, nil
	}
	resp.Body.Close()
	t.client = c
	return t, nil
}

// openStore opens the store directly when no daemon runs.
func (t target) openStore() (*store.Store, error) {
	dir, err := t.storeDir()
	if err != nil {
		return nil, err
	}
	return store.Open(dir, store.Options{})
}

// storeDir is the folder of the store, which must exist.
func (t target) storeDir() (string, error) {
	dir := filepath.Join(t.dir, config.StoreDir)
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("no Redline data in %s yet: start the daemon with `redline serve`", t.dir)
	}
	return dir, nil
}

// do sends a request and decodes a JSON answer into out (if not nil).
func (c *client) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	resp, err := c.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("read answer of %s: %w", path, err)
	}
	return nil
}

// request sends a request and returns the response when its status is 2xx.
func (c *client) request(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the daemon at %s did not answer: %w", c.base, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) == nil && e.Error.Message != "" {
			return nil, errors.New(e.Error.Message)
		}
		return nil, fmt.Errorf("the daemon answered %s", resp.Status)
	}
	return resp, nil
}

// stream copies a streamed answer (export, backup) to w and checks that
// the daemon finished it.
func (c *client) stream(ctx context.Context, path string, w io.Writer) error {
	resp, err := c.request(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("receive %s: %w", path, err)
	}
	if resp.Trailer.Get(api.CompleteTrailer) != "yes" {
		return errors.New("the daemon stopped before the end: the output is incomplete (see the daemon's log)")
	}
	return nil
}
