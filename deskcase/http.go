package deskcase

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
)

// Routes registers the call-to-case API (package doc) on r, behind authentication.
func Routes(r fiber.Router, s *Service) {
	r.Post("/api/v1/calls/:id/cases", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		var in Request
		if err := c.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"type": "...", "note": "..."} or {"number": "...", "note": "..."}`)
		}
		p := access.PrincipalOf(c)
		if p.User == nil {
			return fiber.NewError(fiber.StatusForbidden, "log in as an agent: cases are opened from calls by people")
		}
		res, err := s.Link(c.UserContext(), p, id, in)
		if errors.Is(err, ErrNoCall) {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		if err != nil {
			return cases.Errors.Answer(c, err)
		}
		status := fiber.StatusOK
		if res.Created {
			status = fiber.StatusCreated
			c.Location("/api/v1/cases/" + res.Number)
		}
		return c.Status(status).JSON(res)
	})
	r.Get("/api/v1/calls/:id/cases", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		out, err := s.Linked(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if errors.Is(err, ErrNoCall) {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"cases": out})
	})
}
