package api

import (
	"net/http"
	"time"
)

// Status answers GET /api/v1/status and `redline status`.
type Status struct {
	Version       string    `json:"version"`
	DataDir       string    `json:"data_dir"`
	StartedAt     time.Time `json:"started_at"`
	Articles      int       `json:"articles"`
	Versions      int       `json:"versions"`
	BytesOnDisk   int64     `json:"bytes_on_disk"`
	UptimeSeconds int64     `json:"uptime_seconds"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.Stats()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Status{
		Version: s.version, DataDir: s.dataDir, StartedAt: s.started.UTC(),
		Articles: st.Articles, Versions: st.Versions, BytesOnDisk: st.Bytes,
		UptimeSeconds: int64(s.now().Sub(s.started).Seconds()),
	})
}

// CompleteTrailer is the HTTP trailer that ends a whole export or backup
// stream. A stream without it was cut short and must not be trusted.
const CompleteTrailer = "Redline-Complete"

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Trailer", CompleteTrailer)
	if err := s.store.Export(w); err != nil {
		s.log.Error("export failed", "err", err)
		return
	}
	w.Header().Set(CompleteTrailer, "yes")
}

func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="redline.backup"`)
	w.Header().Set("Trailer", CompleteTrailer)
	if err := s.store.Backup(w); err != nil {
		s.log.Error("backup failed", "err", err)
		return
	}
	w.Header().Set(CompleteTrailer, "yes")
}
