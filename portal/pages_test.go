package portal

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal/browsertest"
)

// browser is a tiny cookie-keeping client over app.Test.
type browser struct {
	t       *testing.T
	app     *fiber.App
	cookies map[string]string
}

func (b *browser) do(method, path string, form url.Values) reply {
	b.t.Helper()
	status, body, header := browsertest.Request(b.t, b.app, b.cookies, method, path, form)
	return reply{status, body, header}
}

// doWith is do with request headers, given as name, value pairs.
func (b *browser) doWith(method, path string, form url.Values, hdr ...string) reply {
	b.t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	status, body, header := browsertest.RequestWith(b.t, b.app, b.cookies, method, path, form, h)
	return reply{status, body, header}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login fills in the login form as a person would and returns the answer (a redirect).
func (b *browser) login(email, password, next string) reply {
	b.t.Helper()
	status, body, header := browsertest.Login(b.t, b.app, b.cookies, email, password, next)
	return reply{status, body, header}
}

func TestLoginAndStaffPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.acc.CreateUser(ctx, "sup@a.example", "correct horse battery", access.RoleSupervisor, []int64{f.brandA}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.acc.CreateUser(ctx, "mgr@a.example", "correct horse battery", access.RoleBrandManager, []int64{f.brandA}); err != nil {
		t.Fatal(err)
	}
	d := Deps{Access: f.acc}
	f.app.Get("/t/supervised", requirePage(d, access.RoleSupervisor), func(c *fiber.Ctx) error {
		return render(c, d, "probe.html", "Probe", "secret board")
	})
	f.app.Post("/t/supervised", requirePage(d, access.RoleSupervisor), func(c *fiber.Ctx) error { return c.SendString("saved") })
	// A template set cannot grow once executed: the probe page gets a fresh set of its own.
	shared := pages
	pages = parsePages()
	t.Cleanup(func() { pages = shared })
	for _, set := range pages {
		template.Must(set.New("probe.html").Parse(`{{template "top" .}}<p id="data">{{.Data}}</p>{{template "bottom" .}}`))
	}

	anon := &browser{t: t, app: f.app, cookies: map[string]string{}}
	if r := anon.do("GET", "/t/supervised?x=1", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next="+url.QueryEscape("/t/supervised?x=1") {
		t.Fatalf("anonymous visitor should be sent to the login page, got %d %q", r.status, r.header.Get("Location"))
	}
	if r := anon.do("POST", "/t/supervised", url.Values{}); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous POST: want 401, got %d", r.status)
	}

	sup := &browser{t: t, app: f.app, cookies: map[string]string{}}
	if r := sup.login("sup@a.example", "wrong", ""); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong email or password") || !strings.Contains(r.body, `value="sup@a.example"`) {
		t.Fatalf("wrong password: want the form again with the email kept and a clear message, got %d %s", r.status, r.body)
	}
	if r := sup.do("POST", "/login", url.Values{"_csrf": {"forged"}, "email": {"sup@a.example"}, "password": {"correct horse battery"}}); r.status != http.StatusForbidden {
		t.Fatalf("login with a forged CSRF token: want 403, got %d", r.status)
	}
	if r := sup.login("sup@a.example", "correct horse battery", "//evil.example/x"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/dashboard" {
		t.Fatalf("an off-site next must be ignored: got %d %q", r.status, r.header.Get("Location"))
	}
	r := sup.do("GET", "/t/supervised", nil)
	if r.status != 200 || !strings.Contains(r.body, "secret board") || !strings.Contains(r.body, "sup@a.example") || !strings.Contains(r.body, "Brand A") || strings.Contains(r.body, "Brand B") {
		t.Fatalf("supervisor page: want the frame with the user and their brand only, got %d %s", r.status, r.body)
	}
	if !strings.Contains(r.body, `href="/dashboard"`) || strings.Contains(r.body, `href="/editor"`) {
		t.Fatalf("navigation should follow the role: %s", r.body)
	}
	if !strings.Contains(r.body, `<script type="application/json" id="wismo-texts">{"js.`) || !strings.Contains(r.body, `"js.error.network":"wismo cannot be reached`) {
		t.Fatalf("the frame should give its scripts the catalog's js. texts in the page's language: %s", r.body)
	}
	if r := sup.doWith("GET", "/t/supervised", nil, "Accept-Language", "ru"); !strings.Contains(r.body, `"js.error.network":"Нет связи с wismo`) {
		t.Fatalf("a Russian reader's scripts should get Russian texts: %s", r.body)
	}
	token := csrfField.FindStringSubmatch(r.body)
	if token == nil {
		t.Fatal("the frame carries no CSRF token for forms")
	}
	if r := sup.do("POST", "/t/supervised", url.Values{}); r.status != http.StatusForbidden {
		t.Fatalf("POST without CSRF token: want 403, got %d", r.status)
	}
	if r := sup.do("POST", "/t/supervised", url.Values{"_csrf": {token[1]}}); r.status != 200 || r.body != "saved" {
		t.Fatalf("POST with the token: want 200 saved, got %d %s", r.status, r.body)
	}

	mgr := &browser{t: t, app: f.app, cookies: map[string]string{}}
	if r := mgr.login("mgr@a.example", "correct horse battery", "/t/supervised"); r.header.Get("Location") != "/t/supervised" {
		t.Fatalf("login should return to next: %q", r.header.Get("Location"))
	}
	if r := mgr.do("GET", "/t/supervised", nil); r.status != http.StatusForbidden || strings.Contains(r.body, "secret board") {
		t.Fatalf("a brand manager on a supervisor page: want 403, got %d", r.status)
	}

	if r := sup.do("POST", "/logout", url.Values{"_csrf": {token[1]}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := sup.do("GET", "/t/supervised", nil); r.status != http.StatusSeeOther {
		t.Fatalf("after logout the page must ask for login again, got %d", r.status)
	}
}
