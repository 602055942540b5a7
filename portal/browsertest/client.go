package browsertest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Request sends one request to app in memory (fiber's app.Test), as a browser with cookies
// would: the cookies go with it, and those it sets or clears come back into cookies. A form,
// when given, is sent url-encoded.
func Request(t testing.TB, app *fiber.App, cookies map[string]string, method, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	return RequestWith(t, app, cookies, method, path, form, nil)
}

// RequestWith is Request with more request headers (a proxy's X-Forwarded-For, a browser's
// Origin).
func RequestWith(t testing.TB, app *fiber.App, cookies map[string]string, method, path string, form url.Values, header http.Header) (int, string, http.Header) {
	t.Helper()
	var body string
	if form != nil {
		body = form.Encode()
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Value == "" || c.MaxAge < 0 {
			delete(cookies, c.Name)
		} else {
			cookies[c.Name] = c.Value
		}
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data), resp.Header
}

// csrfField is the hidden form field every wismo form carries its CSRF token in.
var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// FormToken is the CSRF token of the first form in a page ("" when none).
func FormToken(page string) string {
	if m := csrfField.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

// Login fills in wismo's login form as a person would (the form's token included) and
// returns the answer to the post: a redirect on success.
func Login(t testing.TB, app *fiber.App, cookies map[string]string, email, password, next string) (int, string, http.Header) {
	t.Helper()
	status, page, _ := Request(t, app, cookies, "GET", "/login?next="+url.QueryEscape(next), nil)
	token := FormToken(page)
	if status != 200 || token == "" {
		t.Fatalf("login page: %d %s", status, page)
	}
	return Request(t, app, cookies, "POST", "/login", url.Values{"_csrf": {token}, "email": {email}, "password": {password}, "next": {next}})
}

// Serve runs app on a loopback listener until the test ends and returns its base URL
// (http://127.0.0.1:port), for a browser to load.
func Serve(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)                                            //nolint:errcheck
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	return "http://" + ln.Addr().String()
}
