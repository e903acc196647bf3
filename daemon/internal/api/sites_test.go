package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"redline/daemon/internal/api"
	"redline/daemon/internal/store"
)

func (h *harness) siteRules() store.SiteRules {
	h.t.Helper()
	resp, b := h.do(req{path: "/api/v1/settings/sites"})
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET site rules: %d %s", resp.StatusCode, b)
	}
	var r store.SiteRules
	if err := json.Unmarshal(b, &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// The deny list the extension's options edit is the one the daemon keeps:
// what is written comes back as sites, the allow list is left alone, and a
// capture of a denied site is refused.
func TestSiteRulesRoundTrip(t *testing.T) {
	h := newHarness(t)
	if got := h.siteRules(); len(got.Allow) != 0 || len(got.Deny) != 0 {
		t.Fatalf("a new daemon has lists %+v", got)
	}
	resp, b := h.do(req{method: "POST", path: "/api/v1/settings/sites", body: `{"allow": ["news.example", "www.paper.example"]}`})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set allow: %d %s", resp.StatusCode, b)
	}
	resp, b = h.do(req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": ["Bank.Example", "https://www.shop.example/cart?x=1", " ", "bank.example"]}`})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set deny: %d %s", resp.StatusCode, b)
	}
	want := `{"allow":["news.example","paper.example"],"deny":["bank.example","shop.example"]}`
	if strings.TrimSpace(string(b)) != want {
		t.Errorf("answer %s, want %s", b, want)
	}
	got := h.siteRules()
	if fmt.Sprint(got.Allow) != "[news.example paper.example]" || fmt.Sprint(got.Deny) != "[bank.example shop.example]" {
		t.Errorf("kept %+v", got)
	}
	resp, b = h.do(req{method: "POST", path: "/api/v1/captures", body: captureJSON("https://www.bank.example/statement", "Statement", "Balance.")})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("capture of a denied site: %d %s", resp.StatusCode, b)
	}
	// An empty list clears it.
	h.do(req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": [], "allow": null}`})
	if got := h.siteRules(); len(got.Deny) != 0 || len(got.Allow) != 2 {
		t.Errorf("after clearing deny: %+v", got)
	}
}

// Bad input gets a clear 400 that names the problem, and changes nothing:
// not even the list given beside the bad one.
func TestSiteRulesRefuseBadInput(t *testing.T) {
	h := newHarness(t)
	h.do(req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": ["kept.example"]}`})
	many := make([]string, store.MaxSites+1)
	for i := range many {
		many[i] = fmt.Sprintf("site%d.example", i)
	}
	manyJSON, _ := json.Marshal(many)
	for _, c := range []struct{ name, body, says string }{
		{"not a site", `{"deny": ["new.example", "not a site"]}`, `"not a site" is not a site`},
		{"a scheme other than http", `{"deny": ["ftp://files.example/"]}`, "is not a site"},
		{"nothing but a scheme", `{"deny": ["https://"]}`, "is not a site"},
		{"too many", `{"deny": ` + string(manyJSON) + `}`, fmt.Sprintf("at most %d sites", store.MaxSites)},
		{"too long", `{"deny": ["` + strings.Repeat("a", store.MaxSiteEntryBytes) + `.example"]}`, fmt.Sprintf("at most %d bytes", store.MaxSiteEntryBytes)},
		{"a host name too long", `{"deny": ["` + strings.Repeat("abcdefghi.", 30) + `example"]}`, "is not a site"},
		{"bad with a good list beside it", `{"allow": ["new.example"], "deny": ["bad site"]}`, "is not a site"},
		{"a string, not a list", `{"deny": "new.example"}`, "wrong type"},
		{"a number in the list", `{"deny": [7]}`, "wrong type"},
		{"not JSON", `{"deny": [`, "malformed JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := h.do(req{method: "POST", path: "/api/v1/settings/sites", body: c.body})
			var e struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal(b, &e)
			if resp.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, c.says) {
				t.Errorf("%d %s, want 400 invalid saying %q", resp.StatusCode, b, c.says)
			}
			if got := h.siteRules(); fmt.Sprint(got.Deny) != "[kept.example]" || len(got.Allow) != 0 {
				t.Errorf("the lists changed: %+v", got)
			}
		})
	}
}

// Only the paired extension (or the CLI) with the token reads or writes
// the lists: no web page, no form post, no request without the token.
func TestSiteRulesNeedTheToken(t *testing.T) {
	h := newHarness(t)
	h.do(req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": ["private.example"]}`})
	for _, c := range []struct {
		name   string
		r      req
		status int
	}{
		{"read without token", req{path: "/api/v1/settings/sites", header: map[string]string{"Authorization": ""}}, http.StatusUnauthorized},
		{"write with a wrong token", req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": []}`, header: map[string]string{"Authorization": "Bearer " + strings.Repeat("f", 64)}}, http.StatusUnauthorized},
		{"read from a web page", req{path: "/api/v1/settings/sites", header: map[string]string{"Origin": "https://evil.example"}}, http.StatusForbidden},
		{"write from a web page", req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": []}`, header: map[string]string{"Origin": "https://evil.example"}}, http.StatusForbidden},
		{"a form post", req{method: "POST", path: "/api/v1/settings/sites", body: `{"deny": []}`, header: map[string]string{"Content-Type": "text/plain"}}, http.StatusUnsupportedMediaType},
	} {
		resp, b := h.do(c.r)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, b, c.status)
		}
		if strings.Contains(string(b), "private.example") {
			t.Errorf("%s: the answer shows the list: %s", c.name, b)
		}
	}
	if got := h.siteRules(); fmt.Sprint(got.Deny) != "[private.example]" {
		t.Errorf("the list changed: %+v", got)
	}
}

func (h *harness) furniture(site string) api.FurnitureResponse {
	h.t.Helper()
	resp, b := h.do(req{path: "/api/v1/sites/" + site + "/furniture"})
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET furniture of %s: %d %s", site, resp.StatusCode, b)
	}
	var f api.FurnitureResponse
	if err := json.Unmarshal(b, &f); err != nil {
		h.t.Fatal(err)
	}
	return f
}

// A line two articles of a site share is listed as the site's template
// furniture, under any form of the site's name; removing it empties the
// list. Bad sites and ids are refused with a clear error and change
// nothing; without the token nothing is shown.
func TestFurnitureListAndRemove(t *testing.T) {
	h := newHarness(t)
	const promo = "Get the Riverton Courier app for alerts on the river"
	for _, page := range []string{"a", "b"} {
		resp, b := h.do(req{method: "POST", path: "/api/v1/captures", body: captureJSON("https://news.test/"+page, "Story "+page, "Text of story "+page+".", promo)})
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			t.Fatalf("capture %s: %d %s", page, resp.StatusCode, b)
		}
	}
	f := h.furniture("www.News.test")
	if f.Site != "news.test" || len(f.Entries) != 1 || f.Entries[0].Text != promo || f.Entries[0].Articles != 2 {
		t.Fatalf("furniture = %+v; want the promo line of news.test, seen in 2 articles", f)
	}
	id := f.Entries[0].ID
	for _, bad := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/sites/news.test/furniture/xyz", http.StatusBadRequest, "invalid"},
		{"/api/v1/sites/news.test/furniture/0123456789abcdef", http.StatusNotFound, "not_found"},
		{"/api/v1/sites/other.test/furniture/" + id, http.StatusNotFound, "not_found"},
		{"/api/v1/sites/not%20a%20site/furniture/" + id, http.StatusBadRequest, "invalid"},
	} {
		resp, b := h.do(req{method: "DELETE", path: bad.path})
		if resp.StatusCode != bad.status || !strings.Contains(string(b), `"`+bad.code+`"`) {
			t.Errorf("DELETE %s: %d %s; want %d %s", bad.path, resp.StatusCode, b, bad.status, bad.code)
		}
	}
	if got := h.furniture("news.test"); len(got.Entries) != 1 {
		t.Fatalf("bad removals changed the list: %+v", got)
	}
	resp, b := h.do(req{method: "DELETE", path: "/api/v1/sites/news.test/furniture/" + id, header: map[string]string{"Authorization": ""}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("DELETE without the token: %d %s", resp.StatusCode, b)
	}
	resp, b = h.do(req{method: "DELETE", path: "/api/v1/sites/news.test/furniture/" + id})
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(b)) != `{"site":"news.test","entries":[]}` {
		t.Fatalf("DELETE: %d %s; want the empty list", resp.StatusCode, b)
	}
	if got := h.furniture("news.test"); len(got.Entries) != 0 {
		t.Errorf("after the removal: %+v", got)
	}
}
