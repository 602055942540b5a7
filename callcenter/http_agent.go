package callcenter

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
)

// agentRoutes mounts what a logged-in agent does:
//
//	GET /api/v1/agent                 {"user_id", "state", "sip_user"}
//	PUT /api/v1/agent/state           {"state": "available" | "paused" | "offline" | ...}
//	PUT /api/v1/agent/sip             {"username": "...", "secret": "..."} (stored as HA1)
//	POST /api/v1/agent/calls          {"to": "+7...", "brand_id": 1, "parcel_id": "..."} a preview call
//	                                  (422 when the parcel is not one of the brand's)
//
// Only agents and supervisors take calls: anyone else (a brand manager, an admin, an API key)
// is refused, so that nobody can make themselves available and receive a brand's calls.
func agentRoutes(r fiber.Router, c *Center) {
	me := agentUser
	r.Get("/api/v1/agent", func(ctx *fiber.Ctx) error {
		u, err := me(ctx)
		if err != nil {
			return err
		}
		ag, err := c.Agents.Get(ctx.UserContext(), u.ID)
		if err != nil {
			return err
		}
		return ctx.JSON(fiber.Map{"user_id": ag.UserID, "state": ag.State, "sip_user": ag.SIPUser, "idle_since": ag.IdleSince})
	})
	r.Put("/api/v1/agent/state", func(ctx *fiber.Ctx) error {
		u, err := me(ctx)
		if err != nil {
			return err
		}
		var in struct {
			State string `json:"state"`
		}
		if err := ctx.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"state": "..."}`)
		}
		s, err := ParseAgentState(in.State)
		if err != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
		}
		err = c.Agents.SetState(ctx.UserContext(), u.ID, s)
		if errors.Is(err, ErrBadTransition) {
			return fiber.NewError(fiber.StatusConflict, err.Error())
		}
		if err != nil {
			return err
		}
		return ctx.SendStatus(fiber.StatusNoContent)
	})
	r.Put("/api/v1/agent/sip", func(ctx *fiber.Ctx) error {
		u, err := me(ctx)
		if err != nil {
			return err
		}
		var in struct{ Username, Secret string }
		if err := ctx.BodyParser(&in); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"username": "...", "secret": "..."}`)
		}
		err = c.Agents.SetSIPSecret(ctx.UserContext(), u.ID, in.Username, in.Secret)
		if errors.Is(err, ErrInvalid) {
			return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
		}
		if err != nil {
			return fiber.NewError(fiber.StatusConflict, "that SIP username is taken")
		}
		return ctx.SendStatus(fiber.StatusNoContent)
	})
	r.Post("/api/v1/agent/calls", func(ctx *fiber.Ctx) error {
		u, err := me(ctx)
		if err != nil {
			return err
		}
		var in struct {
			To       string `json:"to"`
			BrandID  int64  `json:"brand_id"`
			ParcelID string `json:"parcel_id"`
		}
		if err := ctx.BodyParser(&in); err != nil || in.To == "" {
			return fiber.NewError(fiber.StatusBadRequest, `body must be {"to": "+7...", "brand_id": 1}`)
		}
		// The brand the call is for: the one named, or the agent's only brand.
		brand, err := access.WriteBrand(ctx, in.BrandID)
		if err != nil {
			return err
		}
		// The call runs past this request: what would refuse it is checked before the answer.
		parcel, err := c.parcelOf(ctx.UserContext(), brand, in.ParcelID)
		if errors.Is(err, ErrUnknownParcel) {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "parcel_id: no parcel "+in.ParcelID+" for this brand")
		}
		if err != nil {
			return err
		}
		to, err := c.numberToDial(ctx.UserContext(), brand, parcel, in.To)
		if errors.Is(err, ErrBadNumber) {
			return fiber.NewError(fiber.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), "invalid: "))
		}
		if err != nil {
			return err
		}
		req := OutboundRequest{AgentID: u.ID, BrandID: brand, ParcelID: parcel, To: to}
		ag, err := c.Agents.Get(ctx.UserContext(), u.ID)
		if err != nil {
			return err
		}
		if _, ok := c.locate(ag); !ok || ag.State != Available {
			return fiber.NewError(fiber.StatusConflict, "be available with a registered SIP phone or the desk page open first")
		}
		go func() {
			if _, err := c.Preview(c.base, req); err != nil {
				c.log.Warn("preview call not placed", "agent", u.ID, "err", err)
			}
		}()
		return ctx.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "dialling"})
	})
}

// agentUser is the logged-in agent or supervisor making the request; anyone else is refused
// with 403 and the reason.
func agentUser(ctx *fiber.Ctx) (*access.User, error) {
	u := access.PrincipalOf(ctx).User
	switch {
	case u == nil:
		return nil, fiber.NewError(fiber.StatusForbidden, "log in as an agent: taking calls is for people, not API keys")
	case u.Role != access.RoleAgent && u.Role != access.RoleSupervisor:
		return nil, fiber.NewError(fiber.StatusForbidden, "only agents and supervisors take calls; this account is a "+string(u.Role))
	}
	return u, nil
}
