package portal

import (
	"bytes"
	"html/template"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// Staff pages that live outside this package (the brand managers' editors, whose services'
// tests build the portal, so the portal cannot import them) use the same frame through
// these: mount them with Deps.Routes, guard them with RequirePage, draw them with RenderPage
// from a template in portal/templates.

// RequirePage is requirePage for pages mounted from other packages: a session with one of
// roles (admins always), the CSRF token on unsafe methods; it sets access.PrincipalOf.
func RequirePage(d Deps, roles ...access.Role) fiber.Handler { return requirePage(d, roles...) }

// RenderPage executes a staff page template of portal/templates inside the common frame.
func RenderPage(c *fiber.Ctx, d Deps, name, title string, data any) error {
	return render(c, d, name, title, data)
}

// RenderPart draws the named template of portal/templates for one part of a page (a call
// page's section, a case page's card) in L's language; the template gets .L and .Data.
func RenderPart(L i18n.Locale, name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	err := pages[string(L.Lang)].ExecuteTemplate(&buf, name, struct {
		L    i18n.Locale
		Data any
	}{L, data})
	return template.HTML(buf.String()), err //nolint:gosec // html/template escaped it
}

// PageLocale is the language and time zone the page is written for (the viewer's own
// setting, the page's ?lang= or cookie, Accept-Language), for texts a handler writes.
func PageLocale(c *fiber.Ctx, d Deps) i18n.Locale { return viewerLocale(c, d, pageSession(c).User) }

// PageCSRF is the session's CSRF token, for forms drawn by a page's own data.
func PageCSRF(c *fiber.Ctx) string { return pageSession(c).CSRF }

// CaseURL is the case page of a case number: every case number on a staff page links here
// (templates: {{caseurl .Number .BrandID}}). brand picks the brand when numbers of several
// brands coincide (0: none named).
func CaseURL(number string, brand int64) string {
	u := "/cases/" + url.PathEscape(number)
	if brand > 0 {
		u += "?brand=" + strconv.FormatInt(brand, 10)
	}
	return u
}

// CSVCell is a cell made safe to open in a spreadsheet (csvCell: no formula runs), for CSV
// written by pages outside this package.
func CSVCell(s string) string { return csvCell(s) }
