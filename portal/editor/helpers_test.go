package editor

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// browser is a tiny cookie-keeping client over app.Test (as portal's page tests use).
type browser struct {
	t       *testing.T
	app     *fiber.App
	cookies map[string]string
}

type reply struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values) reply {
	b.t.Helper()
	var body string
	if form != nil {
		body = form.Encode()
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Value == "" || c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	data, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(data), resp.Header}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login fills in the login form as a person would and returns the redirect.
func (b *browser) login(email, password, next string) reply {
	b.t.Helper()
	page := b.do("GET", "/login?next="+url.QueryEscape(next), nil)
	m := csrfField.FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		b.t.Fatalf("login page: %d %s", page.status, page.body)
	}
	return b.do("POST", "/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {password}, "next": {next}})
}

const parcelJSON = `{"parcels":[{"id":"RB123456785GB","service_level":"standard","kind":"packet","weight_kg":0.4,
 "origin_country":"GB","destination_country":"RU","cod":{"amount":"1200.00","currency":"RUB"},
 "recipient":{"name":"Иван Петров","phone":"+7 913 123 45 67","email":"ivan@example.com","region":"RU-NVS","time_zone":""}}]}`
