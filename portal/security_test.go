package portal

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
)

// The place to go after login must be a path of wismo: browsers drop tabs and newlines and
// read "\" as "/", so these all lead to evil.example (issue 13, defect 10).
func TestLoginNextStaysOnSite(t *testing.T) {
	f := newFixture(t)
	newStaff(t, f, "sup@a.example", access.RoleSupervisor)
	for _, next := range []string{"/\t/evil.example", "/\t\\evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example",
		"/\\/evil.example", "https://evil.example", "/x\\..\\..\\/evil.example", "/\x00/evil.example", "/\u0085/evil.example"} {
		b := &browser{t: t, app: f.app, cookies: map[string]string{}}
		if r := b.login("sup@a.example", staffPass, next); r.status != 303 || r.header.Get("Location") != "/dashboard" {
			t.Errorf("next=%q: %d to %q, want the role's home /dashboard", next, r.status, r.header.Get("Location"))
		}
	}
	for _, next := range []string{"/dashboard?week=2026-W49", "/editor/rules/3", "/"} {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q: a local path must be kept", next, got)
		}
	}
}

// A login form on another site must not log the visitor in (login CSRF, issue 13, defect 10).
func TestLoginFromAnotherSiteIsRefused(t *testing.T) {
	f := newFixture(t)
	newStaff(t, f, "sup@a.example", access.RoleSupervisor)
	form := url.Values{"email": {"sup@a.example"}, "password": {staffPass}}
	for _, tc := range []struct {
		name string
		hdr  []string
		want int
	}{
		{"cross-site form post", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, 403},
		{"old browser: Origin only", []string{"Origin", "https://evil.example"}, 403},
		{"sandboxed frame", []string{"Origin", "null"}, 403},
		{"sibling subdomain", []string{"Origin", "https://shop.example.com", "Sec-Fetch-Site", "same-site"}, 403},
		{"wismo's own page", []string{"Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"}, 200},
		{"a script (no browser headers)", nil, 200},
	} {
		b := &browser{t: t, app: f.app, cookies: map[string]string{}}
		r := b.doWith("POST", "/api/v1/session", form, tc.hdr...)
		if r.status != tc.want || (tc.want != 200) != (b.cookies[access.SessionCookie] == "") {
			t.Errorf("%s: %d (session cookie %v), want %d", tc.name, r.status, b.cookies[access.SessionCookie] != "", tc.want)
		}
	}
	// The login page's form too, even with its own token.
	b := &browser{t: t, app: f.app, cookies: map[string]string{}}
	token := csrfField.FindStringSubmatch(b.do("GET", "/login", nil).body)[1]
	r := b.doWith("POST", "/login", url.Values{"_csrf": {token}, "email": {"sup@a.example"}, "password": {staffPass}},
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if r.status != 403 || b.cookies[access.SessionCookie] != "" {
		t.Errorf("cross-site post of the login page: %d, want 403 and no session", r.status)
	}
}

var inlineCode = regexp.MustCompile(`(?i)<script(\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)

// jsonData is a data block (<script type="application/json">): not code, CSP does not run it.
var jsonData = regexp.MustCompile(`<script type="application/json"[^>]*>[^<]*</script>`)

// inlineCodeIn finds inline code in page s, data blocks aside.
func inlineCodeIn(s string) string { return inlineCode.FindString(jsonData.ReplaceAllString(s, "")) }

// Every answer carries the Content-Security-Policy, and no page has inline code it would
// block (issue 13, defect 10).
func TestEveryPageHasContentSecurityPolicy(t *testing.T) {
	f := newFixture(t)
	newStaff(t, f, "sup@a.example", access.RoleSupervisor)
	staff := &browser{t: t, app: f.app, cookies: map[string]string{}}
	staff.login("sup@a.example", staffPass, "")
	anon := &browser{t: t, app: f.app, cookies: map[string]string{}}
	for _, tc := range []struct {
		b    *browser
		path string
	}{{anon, "/"}, {anon, "/login"}, {anon, "/track"}, {anon, "/track/RB000000005GB"}, {anon, "/nope"}, {anon, "/api/v1/parcels/x"},
		{staff, "/dashboard"}, {anon, "/dashboard"}} {
		r := tc.b.do("GET", tc.path, nil)
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s (%d): Content-Security-Policy %q lacks %s", tc.path, r.status, csp, want)
			}
		}
		if st := r.header.Get("Server-Timing"); !strings.HasPrefix(st, "app;dur=") {
			t.Errorf("GET %s: Server-Timing %q should carry the handler's time", tc.path, st)
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: the policy allows inline code", tc.path)
		}
		if m := inlineCodeIn(r.body); m != "" {
			t.Errorf("GET %s: inline code %q the policy would block", tc.path, m)
		}
	}
	// The pages this test does not render (desk, editors, the full dashboard) from their
	// templates, and the scripts' own HTML strings.
	for _, dir := range []string{"templates", "static"} {
		entries, err := fs.ReadDir(embedded(dir), dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, _ := fs.ReadFile(embedded(dir), dir+"/"+e.Name())
			if m := inlineCodeIn(string(b)); m != "" {
				t.Errorf("%s/%s: inline code %q the policy would block", dir, e.Name(), m)
			}
		}
	}
}

func embedded(dir string) fs.FS {
	if dir == "templates" {
		return templateFS
	}
	return staticFS
}

// /metrics: a Bearer token when one is set; otherwise this machine only, and never through a
// proxy (issue 13, defect 10).
func TestMetricsAccess(t *testing.T) {
	const token = "a-metrics-token-1234"
	f := newFixture(t, func(d *Deps) { d.MetricsToken = token })
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"wrong-token-123456789", 401}, {token, 200}} {
		if r := f.do(t, "GET", "/metrics", tc.auth, ""); r.status != tc.want {
			t.Errorf("token %q: %d, want %d", tc.auth, r.status, tc.want)
		}
	}
	open := newFixture(t)
	if r := open.do(t, "GET", "/metrics", "", ""); r.status != 403 || !strings.Contains(r.body, "WISMO_METRICS_TOKEN") {
		t.Errorf("no token, a peer that is not loopback: %d %s", r.status, r.body)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go open.app.Listener(ln) //nolint:errcheck // ends when the app shuts down
	t.Cleanup(func() { open.app.Shutdown() })
	get := func(hdr ...string) int {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/metrics", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(); s != 200 {
		t.Errorf("no token, from loopback: %d, want 200", s)
	}
	if s := get("X-Forwarded-For", "203.0.113.9"); s != 403 {
		t.Errorf("no token, forwarded by a proxy on this machine: %d, want 403", s)
	}
}

// A keep-alive connection that sends no next request is closed after the idle timeout: idle
// connections hold a file descriptor and a slot of the listener's caps (issue 13, defect 3).
func TestIdleKeepAliveConnectionIsClosed(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.IdleTimeout = 300 * time.Millisecond })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.app.Listener(ln) //nolint:errcheck // ends when the app shuts down
	t.Cleanup(func() { f.app.Shutdown() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: wismo.test\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request on a keep-alive connection: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	// Now say nothing: the server must hang up well before our own 10 s deadline.
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("an idle keep-alive connection stayed open: %v", err)
	}
}
