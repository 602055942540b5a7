package editor

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/portal/browsertest"
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
	status, body, header := browsertest.Request(b.t, b.app, b.cookies, method, path, form)
	return reply{status, body, header}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login fills in the login form as a person would and returns the answer (a redirect).
func (b *browser) login(email, password, next string) reply {
	b.t.Helper()
	status, body, header := browsertest.Login(b.t, b.app, b.cookies, email, password, next)
	return reply{status, body, header}
}

const parcelJSON = `{"parcels":[{"id":"RB123456785GB","service_level":"standard","kind":"packet","weight_kg":0.4,
 "origin_country":"GB","destination_country":"RU","cod":{"amount":"1200.00","currency":"RUB"},
 "recipient":{"name":"Иван Петров","phone":"+7 913 123 45 67","email":"ivan@example.com","region":"RU-NVS","time_zone":""}}]}`
