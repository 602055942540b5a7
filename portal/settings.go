package portal

import (
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// settingsZones are the zones the settings page offers: Russia's from west to east, UTC, then
// Europe's most common. A user whose stored zone is not among them sees it offered too.
var settingsZones = []string{
	"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
	"Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
	"Asia/Magadan", "Asia/Kamchatka", "UTC",
	"Europe/London", "Europe/Lisbon", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
	"Europe/Madrid", "Europe/Rome", "Europe/Vienna", "Europe/Prague", "Europe/Warsaw", "Europe/Stockholm",
	"Europe/Helsinki", "Europe/Riga", "Europe/Vilnius", "Europe/Tallinn", "Europe/Athens", "Europe/Bucharest",
	"Europe/Istanbul", "Europe/Minsk", "Europe/Kyiv",
}

// settingsPage is the data of templates/settings.html.
type settingsPage struct {
	Lang, Zone string // the stored settings ("" not set)
	Zones      []zoneOption
	Error      string
	Saved      bool
}

type zoneOption struct{ Name, Label string }

// settingsRoutes serve the staff user's own settings (any role):
//
//	GET  /settings   the form: language and time zone
//	POST /settings   store them (CSRF); 422 names a value wismo cannot use
func settingsRoutes(app *fiber.App, d Deps) {
	app.Get("/settings", requirePage(d), func(c *fiber.Ctx) error {
		u := pageSession(c).User
		return showSettings(c, d, settingsPage{Lang: u.Lang, Zone: u.TimeZone, Saved: c.Query("saved") != ""}, fiber.StatusOK)
	})
	app.Post("/settings", requirePage(d), func(c *fiber.Ctx) error {
		u := pageSession(c).User
		p := settingsPage{Lang: c.FormValue("lang"), Zone: c.FormValue("time_zone")}
		loc := viewerLocale(c, d, u)
		if _, ok := i18n.Parse(p.Lang); p.Lang != "" && !ok {
			p.Error = loc.T("settings.err_lang", "value", p.Lang)
			return showSettings(c, d, p, fiber.StatusUnprocessableEntity)
		}
		err := d.Access.SetLocale(c.UserContext(), u.ID, p.Lang, p.Zone)
		if errors.Is(err, access.ErrBadSetting) {
			p.Error = loc.T("settings.err_zone", "value", p.Zone)
			return showSettings(c, d, p, fiber.StatusUnprocessableEntity)
		}
		if err != nil {
			return err
		}
		// The saved language now speaks for the user: a choice left in the cookie would hide it.
		c.Cookie(&fiber.Cookie{Name: "lang", Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0)})
		return c.Redirect("/settings?saved=1", fiber.StatusSeeOther)
	})
}

func showSettings(c *fiber.Ctx, d Deps, p settingsPage, status int) error {
	zones := settingsZones
	if p.Zone != "" && !slices.Contains(zones, p.Zone) {
		if _, err := time.LoadLocation(p.Zone); err == nil {
			zones = append(slices.Clone(zones), p.Zone)
		}
	}
	now := time.Now()
	for _, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			continue
		}
		label := z + " (" + i18n.ZoneName(now.In(loc)) + ", " + now.In(loc).Format("15:04") + ")"
		p.Zones = append(p.Zones, zoneOption{Name: z, Label: label})
	}
	c.Status(status)
	return render(c, d, "settings.html", "settings.title", p)
}
