// Package calllogapi is the call log's HTTP API (split out of callcenter for size): the brand's
// calls with their legs, one call, and the agent's disposition of an answered call.
package calllogapi

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
)

// Routes mounts the call log API:
//
//	GET /api/v1/calls?direction=&outcome=&agent_id=&parcel_id=&sip_call_id=&since=&until=&limit=
//	GET /api/v1/calls/:id
//	PUT /api/v1/calls/:id/disposition {"disposition": "reached"} (callback_requested: "callback_at")
//
// Every answer is limited to the caller's brands.
func Routes(r fiber.Router, log *callcenter.CallLog) {
	r.Get("/api/v1/calls", func(c *fiber.Ctx) error {
		f, err := parseFilter(c)
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, err.Error())
		}
		calls, err := log.List(c.UserContext(), access.PrincipalOf(c).Scope, f)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"calls": calls})
	})
	r.Get("/api/v1/calls/:id", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		call, err := log.Get(c.UserContext(), access.PrincipalOf(c).Scope, id)
		if errors.Is(err, callcenter.ErrNotFound) {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		if err != nil {
			return err
		}
		return c.JSON(call)
	})
	r.Put("/api/v1/calls/:id/disposition", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil {
			return fiber.NewError(fiber.StatusNotFound, "no such call")
		}
		var in struct {
			Disposition string    `json:"disposition"`
			CallbackAt  time.Time `json:"callback_at"` // callback_requested: when the customer asked to be called
		}
		if err := c.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "body must be {\"disposition\": \"...\", \"callback_at\": RFC 3339 (optional)}")
		}
		err = log.Dispose(c.UserContext(), access.PrincipalOf(c).Scope, id, in.Disposition, in.CallbackAt)
		switch {
		case errors.Is(err, callcenter.ErrNotFound):
			return fiber.NewError(fiber.StatusNotFound, "no answered call with that id")
		case errors.Is(err, callcenter.ErrInvalid):
			return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
		case err != nil:
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
}

func parseFilter(c *fiber.Ctx) (callcenter.CallFilter, error) {
	f := callcenter.CallFilter{Direction: c.Query("direction"), Outcome: callcenter.Outcome(c.Query("outcome")),
		ParcelID: c.Query("parcel_id"), SIPCallID: c.Query("sip_call_id")}
	if f.Direction != "" && f.Direction != callcenter.Inbound && f.Direction != callcenter.Outbound {
		return f, errors.New("direction must be inbound or outbound")
	}
	if v := c.Query("agent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, errors.New("agent_id must be a number")
		}
		f.AgentID = id
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, errors.New(p.name + " must be an RFC 3339 time")
			}
			*p.dst = t
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, errors.New("limit must be 1..1000")
		}
		f.Limit = n
	}
	return f, nil
}
