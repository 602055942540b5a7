package portal

import (
	"time"
	_ "time/tzdata" // zones resolve the same on every machine

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

// viewerLocale is the language and time zone a staff page is written for. Language: ?lang=
// or the lang cookie (a choice made on a page), else the user's own setting, else
// Accept-Language. Zone: the user's own setting, else the deployment's (Deps.TimeZone), else
// Europe/Moscow.
func viewerLocale(c *fiber.Ctx, d Deps, u access.User) i18n.Locale {
	var lang i18n.Lang
	if _, ok := i18n.Parse(c.Query("lang")); ok {
		lang = i18n.Lang(language(c)) // keeps the choice in the cookie
	} else {
		lang = i18n.Negotiate(c.Get(fiber.HeaderAcceptLanguage), c.Cookies("lang"), u.Lang)
	}
	return i18n.New(lang, viewerZone(d, u))
}

// viewerZone is the zone a staff user reads times in.
func viewerZone(d Deps, u access.User) *time.Location {
	if u.TimeZone != "" {
		if z, err := time.LoadLocation(u.TimeZone); err == nil {
			return z
		}
	}
	if d.TimeZone != nil {
		return d.TimeZone
	}
	return moscow
}

// moscow is the zone of staff whose deployment and setting name none: most of wismo's agents work in it.
var moscow = func() *time.Location {
	z, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return time.FixedZone("MSK", 3*3600)
	}
	return z
}()

// JSTexts are the catalog's texts for a page's scripts (keys under "js."), given to the page
// as a JSON data block that static/wismo.js reads as T("js.key").
func (p Page) JSTexts() map[string]string { return i18n.Default().Texts(p.L.Lang, "js.") }

// ZoneName names the viewer's zone as pages write it after a time ("MSK", "UTC+7"), for
// scripts that write times themselves.
func (p Page) ZoneName() string {
	if p.L.Zone == nil {
		return "UTC"
	}
	return i18n.ZoneName(time.Now().In(p.L.Zone))
}
