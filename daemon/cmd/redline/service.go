package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"redline/daemon/internal/api"
	"redline/daemon/internal/article"
	"redline/daemon/internal/config"
)

// redlineService is what the commands ask of Redline. It has two
// implementations: httpRedline talks to the daemon serving the data
// folder, and localRedline works in-process on the data folder when no
// daemon runs. Each command is written once against it.
type redlineService interface {
	// Status says what the data folder holds.
	Status(ctx context.Context) (status, error)
	// Export writes every article and version as JSON lines to w.
	Export(ctx context.Context, w io.Writer) error
	// Backup writes a full backup to w.
	Backup(ctx context.Context, w io.Writer) error
	// Restore restores the backup open gives into the data folder, and
	// returns the folder.
	Restore(open func() (io.ReadCloser, error), replace bool) (string, error)
	// Track starts watching the page at a URL the user names.
	Track(ctx context.Context, url string) (api.TrackResponse, error)
	// Check checks the article an id or a URL names now.
	Check(ctx context.Context, idOrURL string) (api.CheckResponse, error)
	// SetPaused pauses or resumes the article an id or a URL names.
	SetPaused(ctx context.Context, idOrURL string, paused bool) (article.Article, error)
	// SetSitePaused pauses or resumes every article of a site.
	SetSitePaused(ctx context.Context, site string, paused bool) (api.SiteResponse, error)
	// List lists the newest articles, or with changed those that changed,
	// the most recently changed first; at most limit of them.
	List(ctx context.Context, changed bool, limit int) (articleList, error)
	// Link asks for a one-time URL (dashboard login, pairing) at an API
	// path; only a running daemon can give one.
	Link(ctx context.Context, path string) (string, error)
	// Known says whether Redline has an article at a URL.
	Known(ctx context.Context, url string) (bool, error)
	// ImportExport adds the articles of a file `redline export` wrote,
	// checked whole before anything is written; meter gives the progress
	// shown for the bytes it reads.
	ImportExport(ctx context.Context, path string, meter func(total int64) *meter) (importReport, error)
	// Close lets go of what the service holds.
	Close() error
}

// Both implementations offer the whole service.
var (
	_ redlineService = (*httpRedline)(nil)
	_ redlineService = (*localRedline)(nil)
)

// importReport is what importing an export did.
type importReport struct {
	Added, Versions, Existing int
}

// status is what `redline status` shows. Daemon is the address of the
// running daemon, empty when none runs; Empty says that the data folder
// holds no store yet.
type status struct {
	api.Status
	Daemon string
	Empty  bool
}

// articleList is a page of articles; More says that more follow.
type articleList struct {
	Articles []article.Article `json:"articles"`
	More     bool              `json:"more"`
}

// errNoDaemon is the answer of what only a running daemon can do.
var errNoDaemon = errors.New("the daemon is not running")

// dataFlag adds --data to fs.
func dataFlag(fs interface {
	String(string, string, string) *string
}) *string {
	return fs.String("data", "", "data folder `DIR` (default: REDLINE_DATA or the per-user data folder)")
}

// connect returns the daemon serving the data folder if one runs, and
// the data folder opened in-process if none does.
func connect(ctx context.Context, dataFlag string) (redlineService, error) {
	dir, err := config.DataDir(dataFlag)
	if err != nil {
		return nil, err
	}
	local := &localRedline{dir: dir}
	running, ok := config.ReadRunning(dir)
	if !ok {
		return local, nil
	}
	token, err := config.LoadToken(dir)
	if err != nil {
		return nil, err
	}
	c := &httpRedline{base: "http://" + running.Addr, token: token, http: &http.Client{Timeout: 0}}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(pctx, http.MethodGet, c.base+"/healthz", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		// The note is stale: the daemon died without cleaning up.
		return local, nil
	}
	resp.Body.Close()
	return c, nil
}
