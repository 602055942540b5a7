package portal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/i18n"
)

// Errors are answered in the form the caller reads: JSON {"error": {...}} under /api/, a
// friendly page in the common look everywhere else. A 4xx error's message is meant for the
// user and is shown (escaped); a 5xx error is logged with a short reference the page shows,
// and its details (and any stack) never reach the browser.

// errorPage is the data of templates/error.html.
type errorPage struct {
	Lang, Title, Message, Ref, Next string
	Code                            int
	Login                           bool // offer to log in (401, 403)
}

// errorText is the error page's own word key (i18n/catalog/*/errors.json, "error."+key);
// the message of a 4xx error is the handler's.
func errorText(lang, key string) string { return i18n.New(i18n.Lang(lang), nil).T("error." + key) }

// errorHandler answers API errors as JSON and page errors as the friendly page; internal
// errors are logged and never shown.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		code := fiber.StatusInternalServerError
		msg := "internal error"
		var fe *fiber.Error
		ref := ""
		if errors.As(err, &fe) {
			code, msg = fe.Code, fe.Message
		}
		if code >= 500 {
			ref = newRef()
			if log != nil {
				log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", code, "ref", ref, "err", err)
			}
		}
		if strings.HasPrefix(c.Path(), "/api/") {
			body := fiber.Map{"status": code, "message": msg}
			if ref != "" {
				body["ref"] = ref
			}
			return c.Status(code).JSON(fiber.Map{"error": body})
		}
		return renderError(c, code, msg, ref)
	}
}

// renderError writes the friendly error page.
func renderError(c *fiber.Ctx, code int, msg, ref string) error {
	// A staff page that failed after its session was read speaks the user's own language.
	lang := string(viewerLocale(c, Deps{}, pageSession(c).User).Lang)
	p := errorPage{Lang: lang, Code: code, Ref: ref}
	key := itoa(code)
	switch {
	case code >= 500 && code != fiber.StatusServiceUnavailable:
		key, msg = "5xx", errorText(lang, "internal")
	case code == fiber.StatusNotFound && (msg == "" || strings.HasPrefix(msg, "Cannot ")):
		msg = errorText(lang, "notfound") // fiber's "Cannot GET /x" for unknown routes
	case code == fiber.StatusMethodNotAllowed && strings.HasPrefix(msg, "Method Not Allowed"):
		msg = ""
	case code == fiber.StatusTooManyRequests && (msg == "" || msg == "Too Many Requests"):
		msg = errorText(lang, "toomany")
	}
	if !i18n.Default().Has("error." + key) {
		key = "generic"
	}
	p.Title, p.Message = errorText(lang, key), msg
	if code == fiber.StatusUnauthorized || code == fiber.StatusForbidden {
		p.Login = true
		if c.Method() == fiber.MethodGet {
			p.Next = safeNext(c.OriginalURL())
		}
	}
	var buf bytes.Buffer
	if err := pages[lang].ExecuteTemplate(&buf, "error.html", p); err != nil {
		// the page itself failed: a plain line, still without details
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(code).SendString(p.Title)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(code).Send(buf.Bytes())
}

// newRef is a short random reference that ties the page a user saw to the log line.
func newRef() string {
	b := make([]byte, 4)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	return hex.EncodeToString(b)
}

// Word is what error.html calls as {{.Word "key"}}: the page's words live beside the handler.
func (p errorPage) Word(key string) string { return errorText(p.Lang, key) }
