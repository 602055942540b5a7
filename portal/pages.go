package portal

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// The staff pages (agent desktop, editors, dashboards) share one frame: a header with the
// user's role and brands, the navigation their role may use, and the session's CSRF token for
// forms and scripts. A page handler sits behind requirePage and renders with render:
//
//	app.Get("/desk", requirePage(d, access.RoleAgent, access.RoleSupervisor), func(c *fiber.Ctx) error {
//		return render(c, "desk.html", "Agent desktop", data)
//	})
//
// and its template wraps its body in {{template "top" .}} ... {{template "bottom" .}}; the
// page's own data is .Data.

// Page is what every staff page template gets.
type Page struct {
	Lang, Title, Path string
	User              access.User
	Brands            []access.Brand
	CSRF              string
	Nav               []NavItem
	// Search shows the header's search box (the roles that may search).
	Search bool
	Data   any
	// L writes the page's texts, dates, numbers and durations for the viewer:
	// {{.L.T "key"}}, {{$.L.DateTime .At}}.
	L i18n.Locale
}

// NavItem is one link of the header's navigation.
type NavItem struct {
	Href, Label string
	Current     bool
}

// navigation lists the staff pages and the roles that see them (admins see all); label is
// the catalog key of the link's text (i18n/catalog/*/staff.json).
var navigation = []struct {
	href, label string
	roles       []access.Role
}{
	{"/desk", "nav.desk", []access.Role{access.RoleAgent, access.RoleSupervisor}},
	{"/cases", "nav.cases", []access.Role{access.RoleAgent, access.RoleSupervisor}},
	{"/search", "nav.search", searchRoles},
	{"/dashboard", "nav.dashboard", []access.Role{access.RoleSupervisor}},
	{"/quality", "nav.quality", []access.Role{access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager}},
	{"/wallboard", "nav.wallboard", []access.Role{access.RoleSupervisor}}, // portal/wallboard; agents reach it from the desk's URL
	{"/editor", "nav.editors", []access.Role{access.RoleBrandManager}},
	{"/routing", "nav.routing", []access.Role{access.RoleSupervisor, access.RoleBrandManager}},
	{"/dead-letters", "nav.dead_letters", deadLetterRoles},
	{"/settings", "nav.settings", nil},
}

// searchRoles may use the one search box (every staff page shows it to them).
var searchRoles = []access.Role{access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager}

const sessionKey = "wismo.page.session"

// loginCSRFCookie carries the double-submit token of the login form (there is no session yet).
const loginCSRFCookie = "wismo_login_csrf"

// requirePage lets in users with a session and one of roles (admins always), redirecting
// everyone else to the login page. Unsafe methods must carry the session's CSRF token.
func requirePage(d Deps, roles ...access.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sess, err := d.Access.SessionByToken(c.UserContext(), c.Cookies(access.SessionCookie))
		loc := viewerLocale(c, d, sess.User)
		if errors.Is(err, access.ErrUnauthorized) {
			if c.Method() != fiber.MethodGet {
				return fiber.NewError(fiber.StatusUnauthorized, loc.T("staff.err_session"))
			}
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		if err != nil {
			return err
		}
		c.Locals(sessionKey, sess) // the error page, too, speaks the user's language
		if sess.User.Role != access.RoleAdmin && len(roles) > 0 && !slices.Contains(roles, sess.User.Role) {
			return fiber.NewError(fiber.StatusForbidden, loc.T("staff.err_role", "role", loc.T("role."+string(sess.User.Role))))
		}
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && !access.CheckCSRF(c, sess.CSRF) {
			return fiber.NewError(fiber.StatusForbidden, loc.T("staff.err_csrf"))
		}
		c.Locals(sessionKey, sess)
		access.SetPrincipal(c, access.SessionPrincipal(sess))
		return c.Next()
	}
}

// pageSession is the session requirePage let in.
func pageSession(c *fiber.Ctx) access.Session {
	s, _ := c.Locals(sessionKey).(access.Session)
	return s
}

// render executes a staff page template inside the common frame. title is a catalog key
// (or, for a page not yet in the catalog, the title itself).
func render(c *fiber.Ctx, d Deps, name, title string, data any) error {
	sess := pageSession(c)
	loc := viewerLocale(c, d, sess.User)
	if i18n.Default().Has(title) {
		title = loc.T(title)
	}
	p := Page{Lang: string(loc.Lang), Title: title, Path: c.Path(), User: sess.User, CSRF: sess.CSRF, Data: data, L: loc}
	if d.Access != nil {
		brands, err := d.Access.Brands(c.UserContext(), access.ScopeOf(&sess.User))
		if err != nil {
			return err
		}
		p.Brands = brands
	}
	p.Nav = navFor(sess.User.Role, p.Path, loc)
	// The search page has its own, bigger box: the header's would be a second one.
	p.Search = p.Path != "/search" && (sess.User.Role == access.RoleAdmin || slices.Contains(searchRoles, sess.User.Role))
	return executePage(c, p.Lang, name, p)
}

// navFor is the header's navigation for role on the page at path.
func navFor(role access.Role, path string, loc i18n.Locale) []NavItem {
	var nav []NavItem
	for _, n := range navigation {
		if role == access.RoleAdmin || n.roles == nil || slices.Contains(n.roles, role) {
			cur := path == n.href || strings.HasPrefix(path, n.href+"/")
			nav = append(nav, NavItem{Href: n.href, Label: loc.T(n.label), Current: cur})
		}
	}
	return nav
}

func executePage(c *fiber.Ctx, lang, name string, data any) error {
	var buf bytes.Buffer
	if err := pages[lang].ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Cache-Control", "no-store")
	return c.Send(buf.Bytes())
}

// homeOf is where a role lands after logging in.
func homeOf(r access.Role) string {
	switch r {
	case access.RoleAgent:
		return "/desk"
	case access.RoleBrandManager:
		return "/editor"
	default:
		return "/dashboard"
	}
}

type loginPage struct {
	Lang, CSRF, Next, Email, Error string
	L                              i18n.Locale
}

// loginRoutes serve the HTML login form (POST /login) and logout (POST /logout). The JSON
// session API (/api/v1/session) stays for scripts.
func loginRoutes(app *fiber.App, d Deps) {
	app.Get("/login", func(c *fiber.Ctx) error {
		return showLogin(c, d, loginPage{Next: safeNext(c.Query("next"))}, fiber.StatusOK)
	})
	app.Post("/login", func(c *fiber.Ctx) error {
		p := loginPage{Next: safeNext(c.FormValue("next")), Email: strings.TrimSpace(c.FormValue("email"))}
		loc := i18n.New(i18n.Lang(language(c)), nil)
		want := c.Cookies(loginCSRFCookie)
		if access.CrossSite(c) || want == "" || subtle.ConstantTimeCompare([]byte(c.FormValue("_csrf")), []byte(want)) != 1 {
			p.Error = loc.T("login.err_csrf")
			return showLogin(c, d, p, fiber.StatusForbidden)
		}
		if p.Email == "" || c.FormValue("password") == "" {
			p.Error = loc.T("login.err_empty")
			return showLogin(c, d, p, fiber.StatusUnprocessableEntity)
		}
		sess, err := d.Access.LoginFrom(c.UserContext(), p.Email, c.FormValue("password"), c.IP())
		if err != nil {
			return loginRefused(c, d, p, err)
		}
		c.Cookie(&fiber.Cookie{Name: access.SessionCookie, Value: sess.Token, Path: "/", HTTPOnly: true, Secure: d.SecureCookies,
			SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(access.SessionTTL)})
		c.ClearCookie(loginCSRFCookie)
		next := p.Next
		if next == "" {
			next = homeOf(sess.User.Role)
		}
		return c.Redirect(next, fiber.StatusSeeOther)
	})
	app.Post("/logout", requirePage(d), func(c *fiber.Ctx) error {
		if err := d.Access.Logout(c.UserContext(), c.Cookies(access.SessionCookie)); err != nil {
			return err
		}
		c.ClearCookie(access.SessionCookie)
		return c.Redirect("/login", fiber.StatusSeeOther)
	})
}

func showLogin(c *fiber.Ctx, d Deps, p loginPage, status int) error {
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	p.CSRF = hex.EncodeToString(b)
	p.Lang = language(c)
	p.L = i18n.New(i18n.Lang(p.Lang), nil)
	c.Cookie(&fiber.Cookie{Name: loginCSRFCookie, Value: p.CSRF, Path: "/login", HTTPOnly: true, Secure: d.SecureCookies,
		SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Now().Add(time.Hour)})
	c.Status(status)
	return executePage(c, p.Lang, "login.html", p)
}

// loginRefused shows the form again with the reason in words: a wrong email or password, or
// how long to wait (429 with Retry-After) when failures are being slowed down.
func loginRefused(c *fiber.Ctx, d Deps, p loginPage, err error) error {
	var fe *fiber.Error
	if !errors.As(access.LoginError(c, err), &fe) {
		return err
	}
	var retry *access.RetryError
	loc := i18n.New(i18n.Lang(language(c)), nil)
	switch {
	case fe.Code == fiber.StatusUnauthorized:
		p.Error = loc.T("login.err_wrong")
	case errors.As(err, &retry) && errors.Is(err, access.ErrTooManyAttempts):
		p.Error = loc.T("login.err_wait", "wait", loc.Duration((retry.Wait + time.Second - 1).Truncate(time.Second)))
	case retry != nil:
		p.Error = loc.T("login.err_busy")
	default:
		p.Error = fe.Message
	}
	return showLogin(c, d, p, fe.Code)
}

// safeNext keeps only a local path as the place to return to after login: "/" followed by
// anything but "/" or "\" ("//host" and "/\host" are another site to a browser). It removes
// nothing and refuses any control character or backslash: browsers drop tabs and newlines
// from a URL and read "\" as "/", so "/\t/evil.example" would be "//evil.example".
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') ||
		strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return ""
	}
	return s
}
