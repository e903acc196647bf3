package web

import (
	"net/http"
)

// export downloads every article and version as JSON lines.
func (d *Dashboard) export(w http.ResponseWriter, r *http.Request, u user) error {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="redline-export-`+d.now().Format("2006-01-02")+`.jsonl"`)
	if err := d.store.Export(w); err != nil {
		// Headers are gone: the log says why, and the download is
		// broken off, so that the browser does not keep it as whole.
		d.log.Error("dashboard export", "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// backup downloads a full backup that `redline restore` reads.
func (d *Dashboard) backup(w http.ResponseWriter, r *http.Request, u user) error {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="redline-`+d.now().Format("2006-01-02")+`.backup"`)
	if err := d.store.Backup(w); err != nil {
		d.log.Error("dashboard backup", "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
