package scripts

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
)

// Routes mounts the brand managers' API (authenticated: paths under /api/):
//
//	GET, POST /api/v1/templates; GET, PUT /api/v1/templates/{id}; GET /api/v1/templates/{id}/versions[/{v}]
//	POST /api/v1/templates/preview            render unsaved content with a real parcel or the sample
//	GET, POST /api/v1/scripts; GET, PUT /api/v1/scripts/{id}; GET /api/v1/scripts/{id}/versions
//	GET /api/v1/scripts/{id}/run?parcel=ID[&version=N][&lang=ru]   the script filled in, for the agent desktop, in the
//	    variant of lang, else the recipient's language, else the brand's default, else the first
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

// managers are the users who change communications (brands' API keys may too).
var managers = []access.Role{access.RoleBrandManager, access.RoleAdmin}

// brand returns the brand a request acts for (access.QueryBrand: ?brand=ID for an account of
// several brands; roles, when given, are the users who may), after installing its standard
// flow if it has none, so an editor always opens on something.
func (h handlers) brand(c *fiber.Ctx, roles ...access.Role) (int64, error) {
	brand, err := access.QueryBrand(c, roles...)
	if err != nil {
		return 0, err
	}
	if err := h.svc.EnsureStandardFlow(c.UserContext(), brand); err != nil {
		return 0, err
	}
	return brand, nil
}

// scriptErrors are the domain's errors as the HTTP edge answers them; validation problems
// are listed in {"error": {...}, "problems": [...]} (Problems.ProblemList).
var scriptErrors = apierr.Mapper{
	{Err: ErrNotFound, Kind: apierr.NotFound},
	{Err: ErrInvalid, Kind: apierr.Invalid},
	{Err: ErrConflict, Kind: apierr.Conflict},
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
	brand, err := h.brand(c)
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
	brand, err := h.brand(c, managers...)
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
		return scriptErrors.Answer(c, err)
	}
	return c.JSON(st)
}
