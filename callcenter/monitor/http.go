package monitor

import (
	"errors"

	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/telephony"
)

var errorsMap = apierr.Mapper{
	{Err: ErrForbidden, Kind: apierr.Forbidden},
	{Err: ErrNoCall, Kind: apierr.NotFound},
	{Err: ErrNoSession, Kind: apierr.NotFound},
	{Err: ErrBusy, Kind: apierr.Conflict},
	{Err: ErrConferenceFailed, Kind: apierr.Unavailable},
	{Err: transfer.ErrBusy, Kind: apierr.Conflict}, // the agent to add is not available
}

// Routes mounts the monitoring API on r (authenticated under /api/):
//
//	POST   /api/v1/calls/:id/monitor {"mode": "listen|whisper|barge", "sdp": "<WebRTC offer>"}
//	       -> 201 {"session": {...}, "sdp": "<answer>"}
//	PUT    /api/v1/calls/:id/monitor {"mode": "..."} -> 200 {"session": {...}}
//	DELETE /api/v1/calls/:id/monitor -> 204
//	GET    /api/v1/calls/:id/monitor -> 200 {"sessions": [...], "ice_servers": [...]} (the call's
//	       monitoring log, and the STUN/TURN servers for the page's offer)
//	POST   /api/v1/calls/:id/conference {"to": "+E.164"} or {"agent_id": N} -> 201 {"conference": {...}}
//
// Supervisors and admins of the call's brand only (and the call's own agent for the
// conference): 403 for other roles, 404 for calls the caller may not see.
func Routes(r fiber.Router, s *Service) {
	r.Post("/api/v1/calls/:id/monitor", func(c *fiber.Ctx) error {
		p, id, err := principal(c)
		if err != nil {
			return err
		}
		var in struct {
			Mode string `json:"mode"`
			SDP  string `json:"sdp"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return errorsMap.Answer(c, input.Invalid(fe))
		}
		mode, err := parseMode(in.Mode, telephony.Listen)
		if err != nil {
			return errorsMap.Answer(c, err)
		}
		if in.SDP == "" {
			return errorsMap.Answer(c, input.Invalid(input.Errorf("sdp", "the page's WebRTC offer is required")))
		}
		se, answerSDP, err := s.Start(c.UserContext(), p.User, p.Scope, id, mode, in.SDP)
		if err != nil {
			return errorsMap.Answer(c, offerField(err))
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"session": se, "sdp": answerSDP})
	})
	r.Put("/api/v1/calls/:id/monitor", func(c *fiber.Ctx) error {
		p, id, err := principal(c)
		if err != nil {
			return err
		}
		var in struct {
			Mode string `json:"mode"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return errorsMap.Answer(c, input.Invalid(fe))
		}
		mode, err := parseMode(in.Mode, 0)
		if err != nil {
			return errorsMap.Answer(c, err)
		}
		se, err := s.SetMode(c.UserContext(), p.User, p.Scope, id, mode)
		if err != nil {
			return errorsMap.Answer(c, err)
		}
		return c.JSON(fiber.Map{"session": se})
	})
	r.Delete("/api/v1/calls/:id/monitor", func(c *fiber.Ctx) error {
		p, id, err := principal(c)
		if err != nil {
			return err
		}
		if err := s.Stop(p.User, p.Scope, id); err != nil {
			return errorsMap.Answer(c, err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	r.Get("/api/v1/calls/:id/monitor", func(c *fiber.Ctx) error {
		p, id, err := principal(c)
		if err != nil {
			return err
		}
		if !mayMonitor(p.User) {
			return errorsMap.Answer(c, ErrForbidden)
		}
		out, err := s.Sessions(c.UserContext(), p.Scope, id, 500)
		if err != nil {
			return errorsMap.Answer(c, err)
		}
		// The page's RTCPeerConnection gathers with the same STUN/TURN servers as pion.
		return c.JSON(fiber.Map{"sessions": out, "ice_servers": append([]webrtc.ICEServer{}, s.ice...)})
	})
	conferenceRoutes(r, s)
}

// principal is the caller and the call id of the path.
func principal(c *fiber.Ctx) (access.Principal, int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return access.Principal{}, 0, fiber.NewError(fiber.StatusNotFound, "no such call")
	}
	return access.PrincipalOf(c), id, nil
}

// parseMode reads the mode field; empty is def (0: required).
func parseMode(s string, def telephony.TapMode) (telephony.TapMode, error) {
	if s == "" && def != 0 {
		return def, nil
	}
	m, err := telephony.ParseTapMode(s)
	if err != nil {
		return 0, input.Invalid(input.Errorf("mode", "%s", err.Error()))
	}
	return m, nil
}

// offerField names the sdp field when the offer could not be answered.
func offerField(err error) error {
	if errors.Is(err, errBadOffer) {
		return input.Invalid(input.Errorf("sdp", "%s", err.Error()))
	}
	return err
}
