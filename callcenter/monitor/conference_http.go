package monitor

import (
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/input"
)

// conferenceIn is the body of POST /api/v1/calls/:id/conference: exactly one of a number and
// an agent.
type conferenceIn struct {
	To      string `json:"to"`
	AgentID *int64 `json:"agent_id"`
}

// check names the field at fault when the body is not exactly one participant.
func (in conferenceIn) check() *input.FieldError {
	switch {
	case in.To != "" && in.AgentID != nil:
		return input.Errorf("agent_id", "send either to (a number) or agent_id (an agent), not both")
	case in.To == "" && in.AgentID == nil:
		return input.Errorf("to", "a number to add (or agent_id, an agent of the call's brand) is required")
	case in.AgentID != nil && *in.AgentID <= 0:
		return input.Errorf("agent_id", "must be an agent's id")
	}
	return nil
}

// conferenceRoutes mounts POST /api/v1/calls/:id/conference {"to": "+E.164"} or
// {"agent_id": N}.
func conferenceRoutes(r fiber.Router, s *Service) {
	r.Post("/api/v1/calls/:id/conference", func(c *fiber.Ctx) error {
		p, id, err := principal(c)
		if err != nil {
			return err
		}
		var in conferenceIn
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return errorsMap.Answer(c, input.Invalid(fe))
		}
		if fe := in.check(); fe != nil {
			return errorsMap.Answer(c, input.Invalid(fe))
		}
		var conf Conference
		if in.AgentID != nil {
			conf, err = s.AddAgent(c.UserContext(), p.User, p.Scope, id, *in.AgentID)
		} else {
			conf, err = s.AddNumber(c.UserContext(), p.User, p.Scope, id, in.To)
		}
		if err != nil {
			return errorsMap.Answer(c, err)
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"conference": conf})
	})
}
