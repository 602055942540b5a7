// Package quality is the quality pages of the staff portal (issue 20; docs/quality-reviews.md,
// docs/talk-analytics.md): talk analytics per agent, brand, campaign and queue with the brand's
// flag thresholds (/quality), the review queue (/quality/queue), a call's review page with the
// player, the talk strip and the scorecard form (/quality/calls/{id}), the brand's scorecards
// (/quality/scorecards), scores over time per agent and per queue (/quality/trends), an agent's
// own reviews (/quality/mine) and the recordings' audit log (/quality/audit).
//
// The pages use the portal's frame (portal.RequirePage, portal.RenderPage) and templates
// (portal/templates/quality*.html); the data comes from recordings/talk, recordings/review and
// recordings, always through the viewer's scope.
package quality

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/talk"
)

// Options are the services the pages read and write through.
type Options struct {
	Access  *access.Service
	Talk    *talk.Service
	Reviews *review.Service
	// Retention is the recordings' retention setting (recordings/retention; nil: no form).
	Retention Retention
}

type pages struct {
	o    Options
	page portal.Deps
}

// Routes mounts the quality pages on r (serve passes them to portal.Deps.Routes).
func Routes(r fiber.Router, o Options) {
	p := &pages{o: o, page: portal.Deps{Access: o.Access}}
	anyone := portal.RequirePage(p.page, access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager)
	scorers := portal.RequirePage(p.page, access.RoleSupervisor, access.RoleBrandManager)
	keepers := portal.RequirePage(p.page, access.RoleBrandManager)
	r.Get("/quality", anyone, p.overview)
	r.Post("/quality/thresholds", keepers, p.saveThresholds)
	r.Post("/quality/sample", keepers, p.saveSample)
	r.Post("/quality/retention", keepers, p.saveRetention)
	r.Get("/quality/queue", scorers, p.queue)
	r.Get("/quality/calls/:id<int>", scorers, p.callPage)
	r.Post("/quality/calls/:id<int>", scorers, p.score)
	r.Get("/quality/scorecards", scorers, p.scorecards)
	r.Post("/quality/scorecards", keepers, p.saveScorecard)
	r.Get("/quality/trends", scorers, p.trends)
	r.Get("/quality/mine", anyone, p.mine)
	r.Get("/quality/audit", keepers, p.audit)
}

// Frame is what every quality page shows above its own part: the brand it is about and the
// other brands the viewer may switch to, and the sub-navigation.
type Frame struct {
	Brand   access.Brand
	Brands  []access.Brand
	Tab     string
	Manager bool // brand managers and admins: thresholds, sample, scorecards, audit
	Done    string
	Error   string
}

// frameOf decides the brand a page is about: ?brand= (or the form's) when the viewer may
// see it, else the viewer's first brand.
func (p *pages) frameOf(c *fiber.Ctx, tab string) (Frame, error) {
	pr := access.PrincipalOf(c)
	brands, err := p.o.Access.Brands(c.UserContext(), pr.Scope)
	if err != nil {
		return Frame{}, err
	}
	if len(brands) == 0 {
		return Frame{}, fiber.NewError(fiber.StatusNotFound, "no brand for this account")
	}
	f := Frame{Brand: brands[0], Brands: brands, Tab: tab,
		Manager: pr.User != nil && (pr.User.Role == access.RoleBrandManager || pr.User.Role == access.RoleAdmin)}
	if v := c.FormValue("brand", c.Query("brand")); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		found := false
		for _, b := range brands {
			if b.ID == id {
				f.Brand, found = b, true
			}
		}
		if !found {
			return f, fiber.NewError(fiber.StatusNotFound, "brand: no brand "+v+" for this account")
		}
	}
	return f, nil
}

func (p *pages) loc(c *fiber.Ctx) i18n.Locale { return portal.PageLocale(c, p.page) }

func (p *pages) render(c *fiber.Ctx, name, titleKey string, data any) error {
	return portal.RenderPage(c, p.page, name, p.loc(c).T(titleKey), data)
}

// problem is an error's words for the page: the fields of a validation error, else the text.
func problem(err error) string {
	var ve *input.ValidationError
	if errors.As(err, &ve) {
		parts := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// back redirects to path with the brand and a done notice.
func back(c *fiber.Ctx, path string, brand int64, done string) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return c.Redirect(fmt.Sprintf("%s%sbrand=%d&done=%s", path, sep, brand, done), fiber.StatusSeeOther)
}

// doneText is the notice for ?done=.
func doneText(l i18n.Locale, c *fiber.Ctx) string {
	switch v := c.Query("done"); v {
	case "thresholds", "sample", "scorecard", "review":
		return l.T("q.done." + v)
	case "retention":
		return l.T("retention.done")
	}
	return ""
}
