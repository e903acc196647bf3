package api_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"redline/daemon/internal/article"
	"redline/daemon/internal/contracttest"
)

// The wire contract in shared/ is run here against the real API: every
// valid capture vector validates against the schema and is stored as the
// vector says; every invalid one gets its status and code and changes
// nothing; every answer validates against its schema.

func schemas(t *testing.T) map[string]*jsonschema.Schema { return contracttest.Schemas(t) }

func validate(t *testing.T, s *jsonschema.Schema, raw []byte) error {
	t.Helper()
	return contracttest.Validate(s, raw)
}

type captureVectors struct {
	Valid []struct {
		Name    string          `json:"name"`
		Capture json.RawMessage `json:"capture"`
		Expect  struct {
			URL      string          `json:"url"`
			Site     string          `json:"site"`
			Title    string          `json:"title"`
			Byline   string          `json:"byline"`
			SiteName string          `json:"site_name"`
			Aliases  []string        `json:"aliases"`
			Blocks   []article.Block `json:"blocks"`
		} `json:"expect"`
	} `json:"valid"`
	Invalid []struct {
		Name            string          `json:"name"`
		Capture         json.RawMessage `json:"capture"`
		Body            string          `json:"body"`
		BodyBase64      string          `json:"body_base64"`
		Status          int             `json:"status"`
		Code            string          `json:"code"`
		MessageContains string          `json:"message_contains"`
		SchemaInvalid   bool            `json:"schema_invalid"`
	} `json:"invalid"`
}

func TestSharedCaptureVectors(t *testing.T) {
	sch := schemas(t)
	raw, err := os.ReadFile(filepath.Join(contracttest.SharedDir(), "vectors", "captures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vec captureVectors
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	for _, v := range vec.Valid {
		t.Run("valid/"+v.Name, func(t *testing.T) {
			if err := validate(t, sch["capture"], v.Capture); err != nil {
				t.Fatalf("vector does not match capture.schema.json: %v", err)
			}
			h := newHarness(t)
			resp, b := h.do(req{method: "POST", path: "/api/v1/captures", body: string(v.Capture)})
			if resp.StatusCode != 201 {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if err := validate(t, sch["capture-response"], b); err != nil {
				t.Errorf("answer does not match capture-response.schema.json: %v", err)
			}
			var cr struct {
				ArticleID int64 `json:"article_id"`
			}
			json.Unmarshal(b, &cr)
			_, ab := h.do(req{path: fmt.Sprintf("/api/v1/articles/%d", cr.ArticleID)})
			if err := validate(t, sch["article"], ab); err != nil {
				t.Errorf("article does not match article.schema.json: %v\n%s", err, ab)
			}
			var a struct {
				article.Article
			}
			json.Unmarshal(ab, &a)
			e := v.Expect
			if e.URL != "" && a.URL != e.URL {
				t.Errorf("url %q, want %q", a.URL, e.URL)
			}
			if e.Site != "" && a.Site != e.Site {
				t.Errorf("site %q, want %q", a.Site, e.Site)
			}
			if e.SiteName != "" && a.SiteName != e.SiteName {
				t.Errorf("site_name %q, want %q", a.SiteName, e.SiteName)
			}
			if e.Aliases != nil && fmt.Sprint(a.Aliases) != fmt.Sprint(e.Aliases) {
				t.Errorf("aliases %q, want %q", a.Aliases, e.Aliases)
			}
			_, vb := h.do(req{path: fmt.Sprintf("/api/v1/articles/%d/versions/1", cr.ArticleID)})
			if err := validate(t, sch["version"], vb); err != nil {
				t.Errorf("version does not match version.schema.json: %v\n%s", err, vb)
			}
			var ver article.Version
			json.Unmarshal(vb, &ver)
			if e.Title != "" && ver.Title != e.Title {
				t.Errorf("title %q, want %q", ver.Title, e.Title)
			}
			if e.Byline != "" && ver.Byline != e.Byline {
				t.Errorf("byline %q, want %q", ver.Byline, e.Byline)
			}
			if e.Blocks != nil && fmt.Sprint(ver.Blocks) != fmt.Sprint(e.Blocks) {
				t.Errorf("blocks %q, want %q", ver.Blocks, e.Blocks)
			}
		})
	}
	h := newHarness(t)
	for _, v := range vec.Invalid {
		t.Run("invalid/"+v.Name, func(t *testing.T) {
			body := v.Body
			switch {
			case v.Capture != nil:
				body = string(v.Capture)
				err := validate(t, sch["capture"], v.Capture)
				if v.SchemaInvalid && err == nil {
					t.Errorf("capture.schema.json accepts this bad capture")
				}
				if !v.SchemaInvalid && err != nil {
					t.Errorf("capture.schema.json rejects it (mark schema_invalid): %v", err)
				}
			case v.BodyBase64 != "":
				b, err := base64.StdEncoding.DecodeString(v.BodyBase64)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			resp, b := h.do(req{method: "POST", path: "/api/v1/captures", body: body})
			if resp.StatusCode != v.Status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, v.Status, b)
			}
			if err := validate(t, sch["error"], b); err != nil {
				t.Errorf("answer does not match error.schema.json: %v", err)
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			json.Unmarshal(b, &e)
			if e.Error.Code != v.Code || !strings.Contains(e.Error.Message, v.MessageContains) {
				t.Errorf("error %+v, want code %q and a message with %q", e.Error, v.Code, v.MessageContains)
			}
			if st, _ := h.store.Stats(); st.Articles != 0 {
				t.Errorf("bad capture changed the store: %+v", st)
			}
		})
	}
}
