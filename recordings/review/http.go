package review

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/talk"
)

// Who may do what (admins always; a brand's API key acts as its brand's manager).
var (
	// KeeperRoles define scorecards and the weekly sample size.
	KeeperRoles = []access.Role{access.RoleBrandManager, access.RoleAdmin}
	// ScorerRoles review calls and see every review of their brands.
	ScorerRoles = []access.Role{access.RoleSupervisor, access.RoleBrandManager, access.RoleAdmin}
	// AuditRoles read the recordings' audit log and export calls.
	AuditRoles = []access.Role{access.RoleBrandManager, access.RoleAdmin}
)

// ViewerOf is who the caller is to reviews: agents read only their own scored reviews.
func ViewerOf(p access.Principal) Viewer {
	if p.User == nil {
		return Viewer{}
	}
	return Viewer{UserID: p.User.ID, OwnOnly: p.User.Role == access.RoleAgent}
}

// May reports whether p has one of roles (API keys of a brand do).
func May(p access.Principal, roles []access.Role) bool {
	return p.User == nil && p.Kind == "brand_key" || p.User != nil && slices.Contains(roles, p.User.Role)
}

// AuditOf is the audit row's who for p.
func AuditOf(p access.Principal) recordings.AuditEntry {
	e := recordings.AuditEntry{Detail: p.Label}
	if p.User != nil {
		e.UserID = p.User.ID
	}
	return e
}

func forbidden(what string) error {
	return fiber.NewError(fiber.StatusForbidden, "your role may not "+what)
}

func idParam(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}

// Routes mounts the quality review API (authenticated under /api/ by the portal):
//
//	GET  /api/v1/scorecards?brand=ID[&all=1]      the brand's scorecards (all: retired versions too)
//	POST /api/v1/scorecards?brand=ID              a new scorecard (brand managers)
//	PUT  /api/v1/scorecards/:id                   change it (a used one gets a new version)
//	GET  /api/v1/reviews?status=&agent=&brand=    reviews (agents: their own scored ones)
//	GET  /api/v1/reviews/trends?by=agent|queue&from=&to=&brand=   scores per week
//	GET  /api/v1/reviews/:id                      one review
//	GET  /api/v1/calls/:id/review                 the call's review
//	PUT  /api/v1/calls/:id/review                 score the call (supervisors, managers)
//	GET  /api/v1/review-settings?brand=ID         the weekly sample size
//	PUT  /api/v1/review-settings?brand=ID         {"sample_per_week": 3} (brand managers)
//	GET  /api/v1/calls/:id/export                 the call as a zip (managers; audited)
//	GET  /api/v1/recording-audit?brand=&recording=&limit=   the recordings' audit log (managers)
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/scorecards", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		list, err := s.Scorecards(c.UserContext(), access.PrincipalOf(c).Scope, brand, c.Query("all") != "")
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"scorecards": list})
	})
	saveCard := func(c *fiber.Ctx, id int64) error {
		p := access.PrincipalOf(c)
		if !May(p, KeeperRoles) {
			return forbidden("change scorecards")
		}
		var in ScorecardInput
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return Errors.Answer(c, input.Invalid(fe))
		}
		var brand int64
		if id == 0 {
			named, err := access.BrandQuery(c, "brand")
			if err != nil {
				return err
			}
			if in.BrandID != 0 {
				named = in.BrandID
			}
			if brand, err = access.WriteBrand(c, named); err != nil {
				return err
			}
		}
		sc, err := s.SaveScorecard(c.UserContext(), p.Scope, brand, id, in)
		if err != nil {
			return Errors.Answer(c, err)
		}
		if id == 0 || sc.ID != id {
			c.Status(fiber.StatusCreated)
		}
		return c.JSON(sc)
	}
	r.Post("/api/v1/scorecards", func(c *fiber.Ctx) error { return saveCard(c, 0) })
	r.Put("/api/v1/scorecards/:id<int>", func(c *fiber.Ctx) error { return saveCard(c, idParam(c)) })

	r.Get("/api/v1/reviews", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		brand, err := access.BrandQuery(c, "brand")
		if err != nil {
			return err
		}
		f := Filter{Status: c.Query("status"), BrandID: brand, AgentID: int64(c.QueryInt("agent")), Limit: c.QueryInt("limit")}
		if f.Status != "" && f.Status != StatusQueued && f.Status != StatusDone {
			return Errors.Answer(c, input.Invalid(input.Errorf("status", "must be queued or done, got %q", f.Status)))
		}
		list, err := s.List(c.UserContext(), p.Scope, ViewerOf(p), f)
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"reviews": list})
	})
	r.Get("/api/v1/reviews/trends", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		brand, err := access.BrandQuery(c, "brand")
		if err != nil {
			return err
		}
		from, to, err := talk.DateRange(c.Query("from"), c.Query("to"), s.now())
		if err != nil {
			return Errors.Answer(c, err)
		}
		by := c.Query("by", TrendByAgent)
		list, err := s.Trends(c.UserContext(), p.Scope, ViewerOf(p), brand, by, from, to)
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"by": by, "groups": list})
	})
	r.Get("/api/v1/reviews/:id<int>", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		rv, err := s.Get(c.UserContext(), p.Scope, ViewerOf(p), idParam(c))
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(rv)
	})
	r.Get("/api/v1/calls/:id<int>/review", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		rv, err := s.OfCall(c.UserContext(), p.Scope, ViewerOf(p), idParam(c))
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(rv)
	})
	r.Put("/api/v1/calls/:id<int>/review", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if !May(p, ScorerRoles) {
			return forbidden("review calls")
		}
		var in ScoreInput
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return Errors.Answer(c, input.Invalid(fe))
		}
		rv, err := s.Score(c.UserContext(), p.Scope, ViewerOf(p).UserID, idParam(c), in)
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(rv)
	})
	settingsRoutes(r, s)
	r.Get("/api/v1/calls/:id<int>/export", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if !May(p, AuditRoles) {
			return forbidden("export calls")
		}
		id := idParam(c)
		if _, err := s.Call(c.UserContext(), p.Scope, id); err != nil {
			return Errors.Answer(c, err)
		}
		c.Set(fiber.HeaderContentType, "application/zip")
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		c.Attachment(fmt.Sprintf("call-%d.zip", id))
		return s.Export(c.UserContext(), p.Scope, AuditOf(p), id, c.Response().BodyWriter())
	})
	r.Get("/api/v1/recording-audit", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if !May(p, AuditRoles) {
			return forbidden("read the recordings' audit log")
		}
		brand, err := access.BrandQuery(c, "brand")
		if err != nil {
			return err
		}
		scope := p.Scope
		if brand != 0 {
			if !scope.AllowsBrand(brand) {
				return fiber.NewError(fiber.StatusNotFound, "brand: no brand "+strconv.FormatInt(brand, 10)+" for this account")
			}
			scope = access.Brands(brand)
		}
		list, err := s.recs.AuditLog(c.UserContext(), scope, int64(c.QueryInt("recording")), c.QueryInt("limit", 100))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"entries": list})
	})
}

func settingsRoutes(r fiber.Router, s *Service) {
	type settings struct {
		BrandID       int64 `json:"brand_id"`
		SamplePerWeek int   `json:"sample_per_week"`
		UsingDefault  bool  `json:"using_default"`
	}
	r.Get("/api/v1/review-settings", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		n, def, err := s.SampleSize(c.UserContext(), brand)
		if err != nil {
			return err
		}
		return c.JSON(settings{BrandID: brand, SamplePerWeek: n, UsingDefault: def})
	})
	r.Put("/api/v1/review-settings", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, KeeperRoles...)
		if err != nil {
			return err
		}
		var in settings
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return Errors.Answer(c, input.Invalid(fe))
		}
		if err := s.SetSampleSize(c.UserContext(), brand, in.SamplePerWeek); err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(settings{BrandID: brand, SamplePerWeek: in.SamplePerWeek})
	})
}
