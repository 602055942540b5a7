package portal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
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

// errorTexts are the page's own words per language; the message of a 4xx error is the
// handler's (English, naming the field or the reason).
var errorTexts = map[string]map[string]string{
	"en": {
		"400": "Something in the request is not right", "401": "Please log in", "403": "This is not open to you",
		"404": "We could not find this page", "405": "This page cannot do that", "413": "That was too much to send",
		"429": "Too many requests", "503": "Not available right now", "5xx": "Something went wrong on our side",
		"generic": "Something went wrong", "notfound": "The address may be mistyped, or the page has moved.",
		"internal": "We have logged the problem. Please try again in a moment.", "ref": "Reference",
		"home": "Go to the home page", "track": "Track a parcel", "login": "Log in", "back": "Go back",
		"toomany": "Please wait a little and try again.",
	},
	"ru": {
		"400": "Запрос составлен неверно", "401": "Войдите, пожалуйста", "403": "Эта страница вам недоступна",
		"404": "Такой страницы нет", "405": "Эта страница так не умеет", "413": "Слишком большой объём данных",
		"429": "Слишком много запросов", "503": "Сейчас недоступно", "5xx": "У нас что-то пошло не так",
		"generic": "Что-то пошло не так", "notfound": "Возможно, в адресе опечатка или страница переехала.",
		"internal": "Мы записали ошибку. Попробуйте ещё раз чуть позже.", "ref": "Номер ошибки",
		"home": "На главную", "track": "Отследить посылку", "login": "Войти", "back": "Назад",
		"toomany": "Подождите немного и попробуйте снова.",
	},
}

func errorText(lang, key string) string {
	if v, ok := errorTexts[lang][key]; ok {
		return v
	}
	return errorTexts["en"][key]
}

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
	lang := language(c)
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
	if _, ok := errorTexts["en"][key]; !ok {
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
