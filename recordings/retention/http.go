package retention

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
)

var errs = apierr.Mapper{{Err: ErrNotFound, Kind: apierr.NotFound}, {Err: ErrLifted, Kind: apierr.Conflict},
	{Err: input.ErrInvalid, Kind: apierr.Invalid}}

// Routes mounts retention and legal holds on r (authenticated under /api/ by the portal):
//
//	GET  /api/v1/recording-retention?brand=ID   the brand's retention ({"days": 0} = forever)
//	PUT  /api/v1/recording-retention?brand=ID   {"days": N}; admins and brand managers
//	GET  /api/v1/cases/:id/holds                the case's legal holds, lifted ones too
//	POST /api/v1/cases/:id/holds                {"reason": "..."}; admins and supervisors
//	POST /api/v1/cases/:id/holds/:hold/lift     {"reason": "..."}; admins and supervisors
//
// A brand's API key acts for its brand; a case of another brand is a 404.
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/recording-retention", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c)
		if err != nil {
			return err
		}
		got, err := s.Days(c.UserContext(), brand)
		if err != nil {
			return err
		}
		return c.JSON(got)
	})
	r.Put("/api/v1/recording-retention", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, access.RoleAdmin, access.RoleBrandManager)
		if err != nil {
			return err
		}
		var in struct {
			Days *int `json:"days"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return errs.Answer(c, input.Invalid(fe))
		}
		if in.Days == nil {
			return errs.Answer(c, input.Invalid(input.Errorf("days", "is required: days to keep recordings, 0 = forever")))
		}
		got, err := s.SetDays(c.UserContext(), brand, *in.Days, access.PrincipalOf(c).Label)
		if err != nil {
			return errs.Answer(c, err)
		}
		return c.JSON(got)
	})
	r.Get("/api/v1/cases/:id/holds", func(c *fiber.Ctx) error {
		brand, caseID, err := caseOf(c, s)
		if err != nil {
			return errs.Answer(c, err)
		}
		got, err := s.Holds(c.UserContext(), brand, caseID)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"case_id": caseID, "holds": got})
	})
	r.Post("/api/v1/cases/:id/holds", func(c *fiber.Ctx) error {
		brand, caseID, err := caseOf(c, s, access.RoleAdmin, access.RoleSupervisor)
		if err != nil {
			return errs.Answer(c, err)
		}
		why, err := reasonOf(c)
		if err != nil {
			return errs.Answer(c, err)
		}
		h, err := s.PlaceHold(c.UserContext(), brand, caseID, why, access.PrincipalOf(c).Label)
		if err != nil {
			return errs.Answer(c, err)
		}
		return c.Status(fiber.StatusCreated).JSON(h)
	})
	r.Post("/api/v1/cases/:id/holds/:hold/lift", func(c *fiber.Ctx) error {
		brand, caseID, err := caseOf(c, s, access.RoleAdmin, access.RoleSupervisor)
		if err != nil {
			return errs.Answer(c, err)
		}
		id, err := strconv.ParseInt(c.Params("hold"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such hold")
		}
		why, err := reasonOf(c)
		if err != nil {
			return errs.Answer(c, err)
		}
		h, err := s.LiftHold(c.UserContext(), brand, caseID, id, why, access.PrincipalOf(c).Label)
		if err != nil {
			return errs.Answer(c, err)
		}
		return c.JSON(h)
	})
}

// caseOf resolves :id to a case the caller may see (404 otherwise) and, when roles are given,
// checks the caller may change it (403).
func caseOf(c *fiber.Ctx, s *Service, roles ...access.Role) (brand, caseID int64, err error) {
	caseID, err = strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, 0, fiber.NewError(fiber.StatusNotFound, "no such case")
	}
	if brand, err = s.CaseBrand(c.UserContext(), access.PrincipalOf(c).Scope, caseID); err != nil {
		return 0, 0, err
	}
	if len(roles) > 0 {
		if _, err := access.WriteBrand(c, brand, roles...); err != nil {
			return 0, 0, err
		}
	}
	return brand, caseID, nil
}

func reasonOf(c *fiber.Ctx) (string, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if fe := input.Decode(c.Body(), &in); fe != nil {
		return "", input.Invalid(fe)
	}
	return in.Reason, nil
}
