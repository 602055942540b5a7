package routing

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
)

// httpErrors are routing's errors as the HTTP edge answers them.
var httpErrors = apierr.Mapper{{Err: ErrNotFound, Kind: apierr.NotFound}}

// agentJSON is the API shape of AgentRouting.
type agentJSON struct {
	UserID    int64    `json:"user_id"`
	Email     string   `json:"email,omitempty"`
	Languages []string `json:"languages"`
	Skills    []string `json:"skills"`
}

// queueJSON is the API shape of QueueRouting.
type queueJSON struct {
	QueueID  int64  `json:"queue_id"`
	BrandID  int64  `json:"brand_id"`
	Skill    string `json:"skill"`
	Fallback *int   `json:"fallback_seconds"`
	Announce *int   `json:"announce_seconds"`
}

func toAgentJSON(r AgentRouting) agentJSON {
	return agentJSON{UserID: r.UserID, Languages: r.Languages, Skills: r.Skills}
}

func toQueueJSON(q QueueRouting) queueJSON {
	f, a := int(q.Fallback/time.Second), int(q.Announce/time.Second)
	return queueJSON{QueueID: q.QueueID, BrandID: q.BrandID, Skill: q.Skill, Fallback: &f, Announce: &a}
}

// editors may change routing; every staff member of the brand may read it.
var editors = []access.Role{access.RoleSupervisor, access.RoleBrandManager, access.RoleAdmin}

// Routes mounts the routing API (docs/routing.md):
//
//	GET       /api/v1/brands/:brand/agents/routing      every agent of the brand with their routing
//	GET, PUT  /api/v1/brands/:brand/agents/:id/routing  {"languages": ["ru","en"], "skills": ["returns"]}
//	GET, PUT  /api/v1/hotline/queues/:id/routing        {"skill", "fallback_seconds", "announce_seconds"}
//
// Reads: the brand's key or staff; changes: its supervisors, brand managers and admins
// (queues of every brand: operators only). A bad field is a 422 naming it; an agent who is
// not the brand's, or another brand's queue, is a 404.
func Routes(r fiber.Router, s *Service, acc *access.Service) {
	brandOf := func(c *fiber.Ctx) (int64, error) {
		id, err := strconv.ParseInt(c.Params("brand"), 10, 64)
		if err != nil || id <= 0 {
			return 0, fiber.NewError(fiber.StatusNotFound, "no such brand")
		}
		if c.Method() == fiber.MethodGet {
			return access.WriteBrand(c, id)
		}
		return access.WriteBrand(c, id, editors...)
	}
	r.Get("/api/v1/brands/:brand/agents/routing", func(c *fiber.Ctx) error {
		brand, err := brandOf(c)
		if err != nil {
			return err
		}
		list, err := s.List(c.UserContext(), acc, access.Brands(brand), brand)
		if err != nil {
			return err
		}
		out := make([]agentJSON, len(list))
		for i, a := range list {
			out[i] = toAgentJSON(a.AgentRouting)
			out[i].Email = a.Email
		}
		return c.JSON(fiber.Map{"agents": out})
	})
	r.Get("/api/v1/brands/:brand/agents/:id/routing", func(c *fiber.Ctx) error {
		brand, err := brandOf(c)
		if err != nil {
			return err
		}
		got, err := s.Agent(c.UserContext(), brand, pathID(c))
		if err != nil {
			return httpErrors.Answer(c, err)
		}
		return c.JSON(toAgentJSON(got))
	})
	r.Put("/api/v1/brands/:brand/agents/:id/routing", func(c *fiber.Ctx) error {
		brand, err := brandOf(c)
		if err != nil {
			return err
		}
		var in agentJSON
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return httpErrors.Answer(c, input.Invalid(fe))
		}
		got, err := s.SetAgent(c.UserContext(), AgentRouting{UserID: pathID(c), BrandID: brand, Languages: in.Languages, Skills: in.Skills})
		if err != nil {
			return httpErrors.Answer(c, err)
		}
		return c.JSON(toAgentJSON(got))
	})
	queueOf := func(c *fiber.Ctx) (QueueRouting, error) {
		q, err := s.Queue(c.UserContext(), pathID(c))
		if err != nil {
			return q, httpErrors.Answer(c, err)
		}
		p := access.PrincipalOf(c)
		if q.BrandID == 0 {
			if !p.Scope.All() {
				return q, fiber.NewError(fiber.StatusNotFound, "no such queue")
			}
			return q, nil
		}
		if !p.Scope.AllowsBrand(q.BrandID) {
			return q, fiber.NewError(fiber.StatusNotFound, "no such queue")
		}
		if c.Method() != fiber.MethodGet {
			_, err = access.WriteBrand(c, q.BrandID, editors...)
		}
		return q, err
	}
	r.Get("/api/v1/hotline/queues/:id/routing", func(c *fiber.Ctx) error {
		q, err := queueOf(c)
		if err != nil {
			return err
		}
		return c.JSON(toQueueJSON(q))
	})
	r.Put("/api/v1/hotline/queues/:id/routing", func(c *fiber.Ctx) error {
		q, err := queueOf(c)
		if err != nil {
			return err
		}
		var in queueJSON
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return httpErrors.Answer(c, input.Invalid(fe))
		}
		q.Skill = in.Skill
		if in.Fallback != nil {
			q.Fallback = time.Duration(*in.Fallback) * time.Second
		}
		if in.Announce != nil {
			q.Announce = time.Duration(*in.Announce) * time.Second
		}
		got, err := s.SetQueue(c.UserContext(), q)
		if err != nil {
			return httpErrors.Answer(c, err)
		}
		return c.JSON(toQueueJSON(got))
	})
}

func pathID(c *fiber.Ctx) int64 {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	return id
}
