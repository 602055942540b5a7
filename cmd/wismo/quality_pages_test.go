package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
)

// TestQualityPagesBothLanguages: every quality page answers a brand manager in English and
// in Russian with no catalog key left untranslated and no inline script or style (the CSP);
// the thresholds form refuses numbers out of range with a 422 naming the field and stores
// good ones; agents land on their own reviews and may not open the queue; supervisors may
// not change thresholds.
func TestQualityPagesBothLanguages(t *testing.T) {
	ctx, a, _, base := serveInTest(t, map[string]string{"WISMO_JOBS": "none", "WISMO_SIP_ADDR": "127.0.0.1:0"})
	brand, key, err := a.access.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	session := func(email string, role access.Role) access.Session {
		if _, err := a.access.CreateUser(ctx, email, flowPassword, role, []int64{brand.ID}); err != nil {
			t.Fatal(err)
		}
		s, err := a.access.Login(ctx, email, flowPassword)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	max, sue, ann := session("max@shop.test", access.RoleBrandManager), session("sue@shop.test", access.RoleSupervisor), session("ann@shop.test", access.RoleAgent)
	call := &callcenter.Call{Direction: callcenter.Inbound, Mode: "hotline", BrandID: brand.ID, StartedAt: time.Now().UTC(), Outcome: callcenter.Answered}
	if err := callcenter.NewCallLog(a.db).Create(ctx, call); err != nil {
		t.Fatal(err)
	}
	if code, body := apiCall(t, "POST", base+"/api/v1/scorecards", key, `{"name": "QA", "criteria": [{"name": "Greeting", "weight": 1}], "pass_mark": 50}`); code != 201 {
		t.Fatalf("scorecard: %d %s", code, body)
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(s access.Session, method, path string, form url.Values) (int, string, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: s.Token})
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(access.CSRFHeader, s.CSRF)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header.Get("Location")
	}
	leftover := regexp.MustCompile(`\bq\.[a-z_]+\.?[a-z_]*\b`)
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|\sstyle="|\son[a-z]+="`)
	data := regexp.MustCompile(`<script type="application/json"[^>]*>[^<]*</script>`) // data, not code
	for _, lang := range []string{"en", "ru"} {
		for _, path := range []string{"/quality", "/quality/queue", "/quality/scorecards", "/quality/trends", "/quality/mine", "/quality/audit",
			fmt.Sprintf("/quality/calls/%d", call.ID)} {
			code, body, _ := do(max, "GET", path+"?lang="+lang, nil)
			if code != 200 {
				t.Errorf("%s in %s: %d %.300s", path, lang, code, body)
				continue
			}
			if !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s in %s: the page is not in %s", path, lang, lang)
			}
			if m := leftover.FindString(body); m != "" {
				t.Errorf("%s in %s: untranslated key %q", path, lang, m)
			}
			if m := inline.FindString(data.ReplaceAllString(body, "")); m != "" {
				t.Errorf("%s in %s: inline script or style %q (CSP)", path, lang, m)
			}
			if lang == "ru" && (strings.Contains(body, "Talk analytics") || strings.Contains(body, "Review queue")) {
				t.Errorf("%s in Russian shows English words", path)
			}
		}
	}
	form := url.Values{"brand": {fmt.Sprint(brand.ID)}, "dead_air_seconds": {"0"}, "agent_talk_share_percent": {"70"}}
	if code, body, _ := do(max, "POST", "/quality/thresholds", form); code != 422 || !strings.Contains(body, "dead_air_seconds") {
		t.Errorf("dead air 0: %d %.500s, want 422 naming dead_air_seconds", code, body)
	}
	form.Set("dead_air_seconds", "30")
	if code, _, loc := do(max, "POST", "/quality/thresholds", form); code != 303 || !strings.HasPrefix(loc, "/quality?") {
		t.Errorf("good thresholds: %d -> %q, want 303 back to /quality", code, loc)
	}
	if code, body := apiCall(t, "GET", base+"/api/v1/talk/thresholds", key, ""); code != 200 || !strings.Contains(string(body), `"dead_air_seconds":30`) || !strings.Contains(string(body), `"agent_talk_share_percent":70`) {
		t.Errorf("thresholds after the form: %d %s", code, body)
	}
	card := url.Values{"brand": {fmt.Sprint(brand.ID)}, "name": {"Calls"}, "pass_mark": {"80"}, "criterion": {"Greeting", "Help"}, "weight": {"1", "0"}}
	if code, body, _ := do(max, "POST", "/quality/scorecards?lang=ru", card); code != 422 || !strings.Contains(body, "criteria[1].weight") || !strings.Contains(body, `value="Help"`) {
		t.Errorf("weight 0 on the scorecard form: %d %.300s, want 422 naming criteria[1].weight with the form kept", code, body)
	}
	card["weight"] = []string{"1", "3"}
	if code, _, loc := do(max, "POST", "/quality/scorecards", card); code != 303 || !strings.HasPrefix(loc, "/quality/scorecards?") {
		t.Errorf("a good scorecard: %d -> %q", code, loc)
	}
	if code, _, _ := do(sue, "POST", "/quality/scorecards", card); code != 403 {
		t.Errorf("a supervisor creates a scorecard: %d, want 403", code)
	}
	if code, _, _ := do(sue, "POST", "/quality/thresholds", form); code != 403 {
		t.Errorf("a supervisor changes thresholds: %d, want 403", code)
	}
	if code, _, loc := do(ann, "GET", "/quality", nil); code != 303 || loc != "/quality/mine" {
		t.Errorf("an agent on /quality: %d -> %q, want her own reviews", code, loc)
	}
	if code, _, _ := do(ann, "GET", "/quality/queue", nil); code != 403 {
		t.Errorf("an agent on the review queue: %d, want 403", code)
	}
	if code, _, _ := do(ann, "GET", fmt.Sprintf("/quality/calls/%d", call.ID), nil); code != 403 {
		t.Errorf("an agent on a call's review page: %d, want 403", code)
	}
}
