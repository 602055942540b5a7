package transfer

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
)

var mapper = apierr.Mapper{
	{Err: ErrNoCall, Kind: apierr.Conflict}, {Err: ErrShiftLine, Kind: apierr.Conflict}, {Err: ErrInProgress, Kind: apierr.Conflict},
	{Err: ErrNotYet, Kind: apierr.Conflict}, {Err: ErrBusy, Kind: apierr.Conflict},
	{Err: ErrNoTransfer, Kind: apierr.NotFound}, {Err: ErrNotFound, Kind: apierr.NotFound},
}

// answer maps err; a *FieldError is answered with its status (422 or 403) and the field
// named as every 422 of the API does.
func answer(c *fiber.Ctx, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		status := fiber.StatusUnprocessableEntity
		if errors.Is(err, ErrForbidden) {
			status = fiber.StatusForbidden
		}
		return c.Status(status).JSON(fiber.Map{"error": fiber.Map{"status": status, "message": fe.Error(),
			"fields": []fiber.Map{{"field": fe.Field, "message": fe.Message}}}})
	}
	return mapper.Answer(c, err)
}

// Routes mounts the transfer API on r (authenticated under /api/ by the portal):
//
//	GET  /api/v1/transfers/targets           who the caller's call may go to
//	POST /api/v1/transfers                   {"kind": "blind"|"attended", "target": {"agent_id"|"queue_id"|"number"}}
//	GET  /api/v1/transfers/current           the caller's transfer in progress
//	POST /api/v1/transfers/current/complete  attended: the target takes the customer
//	POST /api/v1/transfers/current/cancel    the customer comes back
//	GET  /api/v1/calls/:id/transfers         a call's transfers (the caller's brands)
//	GET|PUT /api/v1/brands/:id/transfer-settings {"allow_external": bool}
//
// The transfer calls act on the call the signed-in agent talks in, never on another's.
func Routes(r fiber.Router, s *Service) {
	user := func(c *fiber.Ctx) *access.User { return access.PrincipalOf(c).User }
	r.Get("/api/v1/transfers/targets", func(c *fiber.Ctx) error {
		t, err := s.Targets(c.UserContext(), user(c))
		if err != nil {
			return answer(c, err)
		}
		return c.JSON(t)
	})
	r.Post("/api/v1/transfers", func(c *fiber.Ctx) error {
		var in Request
		if err := c.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"kind": "blind"|"attended", "target": {"agent_id"|"queue_id"|"number": ...}}`)
		}
		t, err := s.Start(c.UserContext(), user(c), in)
		if err != nil {
			return answer(c, err)
		}
		return c.Status(fiber.StatusAccepted).JSON(t)
	})
	r.Get("/api/v1/transfers/current", func(c *fiber.Ctx) error {
		t, err := s.Current(user(c))
		if err != nil {
			return answer(c, err)
		}
		return c.JSON(t)
	})
	r.Post("/api/v1/transfers/current/complete", func(c *fiber.Ctx) error {
		if err := s.Complete(user(c)); err != nil {
			return answer(c, err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Post("/api/v1/transfers/current/cancel", func(c *fiber.Ctx) error {
		if err := s.Cancel(user(c)); err != nil {
			return answer(c, err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Get("/api/v1/calls/:id/transfers", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		list, err := s.List(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"transfers": list})
	})
	settings := func(c *fiber.Ctx) (int64, error) {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil || !access.PrincipalOf(c).Scope.AllowsBrand(id) {
			return 0, fiber.NewError(fiber.StatusNotFound, "no such brand")
		}
		return id, nil
	}
	r.Get("/api/v1/brands/:id/transfer-settings", func(c *fiber.Ctx) error {
		id, err := settings(c)
		if err != nil {
			return err
		}
		on, err := s.AllowsExternal(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"allow_external": on})
	})
	r.Put("/api/v1/brands/:id/transfer-settings", func(c *fiber.Ctx) error {
		id, err := settings(c)
		if err != nil {
			return err
		}
		var in struct {
			AllowExternal *bool `json:"allow_external"`
		}
		if err := c.BodyParser(&in); err != nil || in.AllowExternal == nil {
			return answer(c, invalid("allow_external", "send true or false"))
		}
		if err := s.SetAllowsExternal(c.UserContext(), user(c), id, *in.AllowExternal); err != nil {
			return answer(c, err)
		}
		return c.JSON(fiber.Map{"allow_external": *in.AllowExternal})
	})
}
