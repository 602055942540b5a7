package scripts

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

// Routes mounts the brand managers' API (authenticated: paths under /api/):
//
//	GET, POST /api/v1/templates; GET, PUT /api/v1/templates/{id}; GET /api/v1/templates/{id}/versions[/{v}]
//	POST /api/v1/templates/preview            render unsaved content with a real parcel or the sample
//	GET, POST /api/v1/scripts; GET, PUT /api/v1/scripts/{id}; GET /api/v1/scripts/{id}/versions
//	GET /api/v1/scripts/{id}/run?parcel=ID[&version=N]   the script filled in, for the agent desktop
//	GET, POST /api/v1/rules; GET, PUT /api/v1/rules/{id}; POST /api/v1/rules/check
//	GET, PUT /api/v1/comms/settings           freshness limit and default language
//
// Saving publishes a new version. Validation failures answer 422 with
// {"error": {...}, "problems": [{"field", "line", "column", "message"}]}. A caller with several
// brands names one with ?brand=ID; writes need a brand's key, a brand manager or an admin.
func Routes(r fiber.Router, svc *Service) {
	h := handlers{svc: svc}
	r.Get("/api/v1/templates", h.listTemplates)
	r.Post("/api/v1/templates", h.saveTemplate)
	r.Post("/api/v1/templates/preview", h.preview)
	r.Get("/api/v1/templates/:id", h.getTemplate)
	r.Put("/api/v1/templates/:id", h.saveTemplate)
	r.Get("/api/v1/templates/:id/versions", h.templateVersions)
	r.Get("/api/v1/templates/:id/versions/:v", h.getTemplate)
	r.Get("/api/v1/scripts", h.listScripts)
	r.Post("/api/v1/scripts", h.saveScript)
	r.Get("/api/v1/scripts/:id", h.getScript)
	r.Put("/api/v1/scripts/:id", h.saveScript)
	r.Get("/api/v1/scripts/:id/versions", h.scriptVersions)
	r.Get("/api/v1/scripts/:id/run", h.runScript)
	r.Get("/api/v1/rules", h.listRules)
	r.Post("/api/v1/rules", h.saveRule)
	r.Post("/api/v1/rules/check", h.checkRule)
	r.Get("/api/v1/rules/:id", h.getRule)
	r.Put("/api/v1/rules/:id", h.saveRule)
	r.Get("/api/v1/comms/settings", h.getSettings)
	r.Put("/api/v1/comms/settings", h.putSettings)
}

type handlers struct{ svc *Service }

// brandOf returns the brand a request acts for, after installing its standard flow if it
// has none (so an editor always opens on something). Partner posts have no communications;
// writes need a brand's API key, a brand manager or an admin.
func (h handlers) brandOf(c *fiber.Ctx, write bool) (int64, error) {
	p := access.PrincipalOf(c)
	if _, _, post := p.Scope.Post(); post {
		return 0, fiber.NewError(fiber.StatusForbidden, "partner posts have no communications")
	}
	if write && p.Kind == "user" && p.User != nil && p.User.Role != access.RoleBrandManager && p.User.Role != access.RoleAdmin {
		return 0, fiber.NewError(fiber.StatusForbidden, "only brand managers and admins change communications")
	}
	brand, single := p.Scope.SingleBrand()
	if q := c.Query("brand"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || !p.Scope.AllowsBrand(id) {
			return 0, fiber.NewError(fiber.StatusNotFound, "no brand "+q+" for this account")
		}
		brand, single = id, true
	}
	if !single {
		return 0, fiber.NewError(fiber.StatusBadRequest, "this account spans several brands: name one with ?brand=ID")
	}
	if err := h.svc.EnsureStandardFlow(c.UserContext(), brand); err != nil {
		return 0, err
	}
	return brand, nil
}

// fail maps the domain's errors to answers; validation problems are listed.
func fail(c *fiber.Ctx, err error) error {
	var probs Problems
	switch {
	case errors.As(err, &probs):
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{
			"error":    fiber.Map{"status": fiber.StatusUnprocessableEntity, "message": probs.Error()},
			"problems": probs})
	case errors.Is(err, ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, ErrConflict):
		return fiber.NewError(fiber.StatusConflict, err.Error())
	}
	return err
}

func idParam(c *fiber.Ctx, name string) int64 {
	v, _ := strconv.ParseInt(c.Params(name), 10, 64)
	return v
}

func author(c *fiber.Ctx) string { return access.PrincipalOf(c).Label }

func bodyErr(err error) error {
	return fiber.NewError(fiber.StatusBadRequest, "the body must be JSON: "+err.Error())
}

func (h handlers) getSettings(c *fiber.Ctx) error {
	brand, err := h.brandOf(c, false)
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(c.UserContext(), brand)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (h handlers) putSettings(c *fiber.Ctx) error {
	brand, err := h.brandOf(c, true)
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(c.UserContext(), brand)
	if err != nil {
		return err
	}
	if err := c.BodyParser(&st); err != nil {
		return bodyErr(err)
	}
	st, err = h.svc.SetSettings(c.UserContext(), brand, st)
	if err != nil {
		return fail(c, err)
	}
	return c.JSON(st)
}
