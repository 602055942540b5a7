package talk

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

// Routes mounts the talk analytics API on r (authenticated under /api/ by the portal):
//
//	GET /api/v1/calls/:id/talk   the call's talk analytics, one entry per recording
//
// Only users and keys of the call's brand (and operators) get an answer; others, and calls not
// analysed yet, get 404.
func Routes(r fiber.Router, s *Service) {
	r.Get("/api/v1/calls/:id/talk", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		got, err := s.ForCall(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if errors.Is(err, ErrNotFound) {
			return fiber.NewError(fiber.StatusNotFound, "no talk analytics for this call (not analysed yet, or not yours)")
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"call_id": id, "recordings": got})
	})
}
