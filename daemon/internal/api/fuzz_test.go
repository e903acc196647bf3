package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"redline/daemon/internal/api"
	"redline/daemon/internal/store"
)

// FuzzCaptureDecode sends any body to the capture endpoint: the answer is
// always a clean 201 or a JSON 4xx, never a 5xx or a panic, and what is
// stored can be read back.
func FuzzCaptureDecode(f *testing.F) {
	for _, seed := range []string{
		captureJSON("https://example.com/a", "T", "Text."),
		`{"url":"https://example.com/a","title":"T","blocks":[{"kind":"p","text":"x"}],"captured_at":"2026-01-01T00:00:00Z","source":"browser","extractor":"e"}`,
		`{"url":"https://example.com/a","title":"T","blocks":[{"kind":"pre","text":"\u0000\r\n\u200b"}],"captured_at":"2026-01-01T00:00:00Z","source":"browser","extractor":"e","canonical_url":"https://www.example.com/b"}`,
		`{"url":"javascript:alert(1)"}`, `{}`, `[]`, `null`, `"x"`, `{"blocks":null}`, "\xff\xfe",
		`{"url":"https://example.com/a","title":"T","blocks":[{"kind":"p","text":"x"}],"captured_at":"2026-01-01T00:00:00Z","source":"browser","extractor":"e","reading":{"dwell_ms":1e30}}`,
	} {
		f.Add(seed)
	}
	st, err := store.Open(f.TempDir(), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	h := newHandler(f, api.Config{Store: st, Token: token, Port: 7710})
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "http://127.0.0.1:7710/api/v1/captures", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("answer is not JSON: %q", w.Body.String())
		}
		switch w.Code {
		case http.StatusCreated:
			var out api.CaptureResponse
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.ArticleID < 1 || out.Version < 1 {
				t.Fatalf("bad 201 answer %q", w.Body.String())
			}
			v, err := st.Version(out.ArticleID, out.Version)
			if err != nil {
				t.Fatalf("stored version unreadable: %v", err)
			}
			if len(v.Blocks) == 0 {
				t.Fatal("stored a version without text")
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for body %q: %s", w.Code, body, w.Body.String())
		}
	})
}
