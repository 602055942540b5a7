package access

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// SessionCookie holds a user's session token.
const SessionCookie = "wismo_session"

// CSRFHeader carries the session's CSRF token on unsafe API requests made with a cookie.
const CSRFHeader = "X-CSRF-Token"

const principalKey = "wismo.principal"

// Authenticate is fiber middleware that identifies the caller by an API key
// (Authorization: Bearer wsm_...) or a session cookie, and rejects everyone else with 401.
// Cookie-authenticated unsafe requests must carry the session's CSRF token.
func Authenticate(svc *Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if h := c.Get(fiber.HeaderAuthorization); h != "" {
			key, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return unauthorized(c, "the Authorization header must be \"Bearer <api key>\"")
			}
			p, err := svc.Authenticate(c.UserContext(), strings.TrimSpace(key))
			if errors.Is(err, ErrUnauthorized) {
				return unauthorized(c, "the API key is not valid or was revoked")
			}
			if err != nil {
				return err
			}
			c.Locals(principalKey, p)
			return c.Next()
		}
		sess, err := svc.SessionByToken(c.UserContext(), c.Cookies(SessionCookie))
		if errors.Is(err, ErrUnauthorized) {
			return unauthorized(c, "log in, or send an API key as \"Authorization: Bearer <key>\"")
		}
		if err != nil {
			return err
		}
		if !safeMethod(c.Method()) && !CheckCSRF(c, sess.CSRF) {
			return fiber.NewError(fiber.StatusForbidden, "missing or wrong CSRF token")
		}
		c.Locals(principalKey, SessionPrincipal(sess))
		return c.Next()
	}
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

func unauthorized(c *fiber.Ctx, msg string) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="wismo"`)
	return fiber.NewError(fiber.StatusUnauthorized, msg)
}

// PrincipalOf returns the caller set by Authenticate.
func PrincipalOf(c *fiber.Ctx) Principal {
	p, _ := c.Locals(principalKey).(Principal)
	return p
}

// SessionRoutes mounts login and logout for the browser pages and API users:
// POST /api/v1/session {"email","password"}, GET and DELETE /api/v1/session.
func SessionRoutes(r fiber.Router, svc *Service, secureCookies bool) {
	r.Post("/api/v1/session", func(c *fiber.Ctx) error {
		if CrossSite(c) {
			return fiber.NewError(fiber.StatusForbidden, "log in from wismo's own pages: this request came from another site (Origin or Sec-Fetch-Site)")
		}
		var in struct {
			Email    string `json:"email" form:"email"`
			Password string `json:"password" form:"password"`
		}
		if err := c.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "send email and password as JSON or a form")
		}
		sess, err := svc.LoginFrom(c.UserContext(), in.Email, in.Password, c.IP())
		if err != nil {
			return LoginError(c, err)
		}
		c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", HTTPOnly: true, Secure: secureCookies,
			SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(SessionTTL)})
		return c.JSON(sessionJSON(sess))
	})
	r.Get("/api/v1/session", Authenticate(svc), func(c *fiber.Ctx) error {
		sess, err := svc.SessionByToken(c.UserContext(), c.Cookies(SessionCookie))
		if err != nil {
			return fiber.NewError(fiber.StatusUnauthorized, "not logged in with a session")
		}
		return c.JSON(sessionJSON(sess))
	})
	r.Delete("/api/v1/session", Authenticate(svc), func(c *fiber.Ctx) error {
		if err := svc.Logout(c.UserContext(), c.Cookies(SessionCookie)); err != nil {
			return err
		}
		c.ClearCookie(SessionCookie)
		return c.SendStatus(fiber.StatusNoContent)
	})
}

func sessionJSON(s Session) fiber.Map {
	return fiber.Map{"csrf_token": s.CSRF, "user": fiber.Map{"id": s.User.ID, "email": s.User.Email, "role": s.User.Role, "brand_ids": s.User.BrandIDs,
		"lang": s.User.Lang, "time_zone": s.User.TimeZone}}
}

// SessionPrincipal is the caller a logged-in session stands for.
func SessionPrincipal(s Session) Principal {
	u := s.User
	return Principal{Kind: "user", Scope: ScopeOf(&u), User: &u, Label: "user:" + u.Email}
}

// SetPrincipal records the caller for handlers after page middleware that authenticated it.
func SetPrincipal(c *fiber.Ctx, p Principal) { c.Locals(principalKey, p) }

// CheckCSRF compares the token a form or script sent (the _csrf field or the X-CSRF-Token
// header) with the session's, in constant time.
func CheckCSRF(c *fiber.Ctx, want string) bool {
	got := c.Get(CSRFHeader)
	if got == "" {
		got = c.FormValue("_csrf")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// LoginError maps a refused login to its answer: 401 for a wrong email or password, 429 with
// Retry-After while failures are being slowed down or every password check is taken, 400
// for a malformed attempt. It sets the header and returns the error with the words to show.
func LoginError(c *fiber.Ctx, err error) error {
	var retry *RetryError
	switch {
	case errors.Is(err, ErrUnauthorized):
		return fiber.NewError(fiber.StatusUnauthorized, "wrong email or password")
	case errors.As(err, &retry):
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((retry.Wait+time.Second-1)/time.Second)))
		if errors.Is(err, ErrTooManyAttempts) {
			return fiber.NewError(fiber.StatusTooManyRequests, "too many failed logins: wait "+WaitWords(retry.Wait)+", then try again")
		}
		return fiber.NewError(fiber.StatusTooManyRequests, "too many logins at once: try again in "+WaitWords(retry.Wait))
	case errors.Is(err, ErrInvalid):
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	return err
}

// CrossSite reports a request a browser sent on behalf of another site: a login form on an
// attacker's page would otherwise log the victim in to the attacker's account (login CSRF).
// Browsers say where a request comes from in Sec-Fetch-Site (Fetch Metadata) and, on every
// POST, Origin (RFC 6454 §7); a client that sends neither is not a browser acting for a page.
func CrossSite(c *fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none": // none: the user typed or bookmarked it
	default: // same-site (a sibling subdomain) or cross-site
		return true
	}
	o := c.Get(fiber.HeaderOrigin)
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	// "null" is the Origin of a sandboxed frame or a redirect chain: anyone can produce it.
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, c.Hostname())
}

// WriteBrand is the one way a handler decides the brand a write (or a read of one brand's
// settings) acts for: the brand requested (0: none named) when the caller may touch it,
// else the caller's only brand. It answers, naming what to fix:
//
//   - 403 for a partner post's key, and for a user whose role is not among roles (when
//     roles are given; API keys are their brand's and pass);
//   - 404 for a brand the caller may not touch, in the words of a brand that does not exist;
//   - 400 for an account of several brands (or an operator) that names none: ?brand=ID.
func WriteBrand(c *fiber.Ctx, requested int64, roles ...Role) (int64, error) {
	p := PrincipalOf(c)
	if len(roles) > 0 && p.User != nil && !slices.Contains(roles, p.User.Role) {
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		return 0, fiber.NewError(fiber.StatusForbidden, "only "+strings.Join(names, ", ")+" users may change this")
	}
	id, err := p.Scope.WriteBrand(requested)
	switch {
	case errors.Is(err, ErrPostNoBrand):
		return 0, fiber.NewError(fiber.StatusForbidden, "partner posts' keys cannot act for a brand here: use a brand's key or a staff login")
	case errors.Is(err, ErrNotFound):
		return 0, fiber.NewError(fiber.StatusNotFound, "brand: no brand "+strconv.FormatInt(requested, 10)+" for this account")
	case errors.Is(err, ErrBrandRequired):
		return 0, fiber.NewError(fiber.StatusBadRequest, "brand: this account spans several brands: name one with ?brand=ID")
	case err != nil:
		return 0, err
	}
	return id, nil
}

// QueryBrand is WriteBrand for routes whose callers name a brand with ?brand=ID.
func QueryBrand(c *fiber.Ctx, roles ...Role) (int64, error) {
	requested, err := BrandQuery(c, "brand")
	if err != nil {
		return 0, err
	}
	return WriteBrand(c, requested, roles...)
}

// BrandQuery reads the brand a request names in the query parameter name (0: none); a value
// that is not a brand id is a 400 naming the parameter.
func BrandQuery(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.NewError(fiber.StatusBadRequest, name+": must be a brand id, got "+strconv.Quote(v))
	}
	return id, nil
}
