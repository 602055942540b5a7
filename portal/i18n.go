package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// language picks the page language: ?lang= (kept in the lang cookie), then the lang cookie,
// then Accept-Language.
func language(c *fiber.Ctx) string {
	if l, ok := i18n.Parse(c.Query("lang")); ok {
		c.Cookie(&fiber.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode})
		return string(l)
	}
	return string(i18n.Negotiate(c.Get(fiber.HeaderAcceptLanguage), c.Cookies("lang")))
}

// translator returns the lookup function templates call as {{t "key"}}: the catalog's text of
// key, or of "track."+key (the public tracking page's short keys, i18n/catalog/*/track.json).
func translator(lang string) func(string) string {
	loc := i18n.New(i18n.Lang(lang), nil)
	cat := i18n.Default()
	return func(key string) string {
		if !cat.Has(key) && cat.Has("track."+key) {
			key = "track." + key
		}
		return loc.T(key)
	}
}

// viewerLocale is the language and time zone a staff page is written for: the page's language
// (?lang=, the lang cookie, Accept-Language) in the zone the viewer works in (UTC until users
// carry their own setting).
func viewerLocale(c *fiber.Ctx, _ access.User) i18n.Locale {
	return i18n.New(i18n.Lang(language(c)), time.UTC)
}

// JSTexts are the catalog's texts for a page's scripts (keys under "js."), given to the page
// as a JSON data block that static/wismo.js reads as T("js.key").
func (p Page) JSTexts() map[string]string { return i18n.Default().Texts(p.L.Lang, "js.") }
