package macros

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
)

// Routes mounts the macro API (authenticated under /api/ by the portal):
//
//	GET    /api/v1/macros?brand_id=     the brand's macros
//	POST   /api/v1/macros?brand_id=     a new macro
//	PUT    /api/v1/macros/:id           replace a macro
//	DELETE /api/v1/macros/:id
//
// Brand managers, admins and brand keys keep macros; agents and supervisors apply them.
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/macros", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		brand, err := brandOf(c, 0)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		list, err := s.List(c.UserContext(), p.Scope, brand)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"macros": list})
	})
	save := func(c *fiber.Ctx, id int64) error {
		p := access.PrincipalOf(c)
		if err := mayKeep(p); err != nil {
			return err
		}
		var in Macro
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return cases.Errors.Answer(c, input.Invalid(fe))
		}
		brand := in.BrandID
		if id != 0 {
			old, err := s.Get(c.UserContext(), p.Scope, id)
			if err != nil {
				return cases.Errors.Answer(c, err)
			}
			brand = old.BrandID
		} else {
			var err error
			if brand, err = brandOf(c, brand); err != nil {
				return cases.Errors.Answer(c, err)
			}
		}
		m, err := s.Save(c.UserContext(), p.Scope, p.Label, brand, id, in)
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		if id == 0 {
			c.Status(fiber.StatusCreated)
		}
		return c.JSON(m)
	}
	r.Post("/api/v1/macros", func(c *fiber.Ctx) error { return save(c, 0) })
	r.Put("/api/v1/macros/:id<int>", func(c *fiber.Ctx) error {
		id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
		return save(c, id)
	})
	r.Delete("/api/v1/macros/:id<int>", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if err := mayKeep(p); err != nil {
			return err
		}
		id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
		if err := s.Delete(c.UserContext(), p.Scope, id); err != nil {
			return cases.Errors.Answer(c, err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}

// mayKeep lets brand managers, admins and brand keys change macros.
func mayKeep(p access.Principal) error {
	if _, _, post := p.Scope.Post(); post {
		return fiber.NewError(fiber.StatusForbidden, "partner posts do not keep macros")
	}
	if p.User != nil && p.User.Role != access.RoleBrandManager && p.User.Role != access.RoleAdmin {
		return fiber.NewError(fiber.StatusForbidden, "brand managers keep macros; agents apply them on the case page")
	}
	return nil
}

// brandOf is the brand a request acts for, decided the one way writes decide it
// (access.WriteBrand): the body's brand_id or ?brand_id=, else the caller's only brand.
func brandOf(c *fiber.Ctx, requested int64) (int64, error) {
	if requested == 0 {
		var err error
		if requested, err = access.BrandQuery(c, "brand_id"); err != nil {
			return 0, err
		}
	}
	return access.WriteBrand(c, requested)
}
