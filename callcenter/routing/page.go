package routing

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/portal"
)

// The routing page (/routing/{brand}, portal/templates/routing.html): a brand's supervisors
// and brand managers set each agent's languages and skills and each queue's skill, wait and
// announcement interval. Errors come back beside the row with the input kept.

type routingPage struct {
	Brand  access.Brand
	Brands []access.Brand
	Agents []agentLine
	Queues []queueLine
	Saved  bool
}

type agentLine struct {
	ID                       int64
	Email, Languages, Skills string
	Field, Error             string // the wrong field of the last save of this row
}

type queueLine struct {
	ID                 int64
	Name, Skill        string
	Fallback, Announce string
	Field, Error       string
}

// PageRoutes mounts the routing page for the brand's supervisors and brand managers.
func PageRoutes(r fiber.Router, s *Service, acc *access.Service) {
	d := portal.Deps{Access: acc}
	g := r.Group("/routing", portal.RequirePage(d, access.RoleSupervisor, access.RoleBrandManager))
	g.Get("/", func(c *fiber.Ctx) error {
		brands, err := acc.Brands(c.UserContext(), access.PrincipalOf(c).Scope)
		if err != nil || len(brands) == 0 {
			return fiber.NewError(fiber.StatusNotFound, portal.PageLocale(c, d).T("routing.no_brand"))
		}
		return c.Redirect("/routing/"+strconv.FormatInt(brands[0].ID, 10), fiber.StatusSeeOther)
	})
	show := func(c *fiber.Ctx, fix func(*routingPage)) error {
		p, err := s.page(c, acc)
		if err != nil {
			return err
		}
		if fix != nil {
			fix(&p)
		}
		return portal.RenderPage(c, d, "routing.html", portal.PageLocale(c, d).T("routing.title")+" · "+p.Brand.Name, p)
	}
	g.Get("/:brand<int>", func(c *fiber.Ctx) error { return show(c, nil) })
	g.Post("/:brand<int>", func(c *fiber.Ctx) error {
		brand, err := c.ParamsInt("brand")
		if err != nil || !access.PrincipalOf(c).Scope.AllowsBrand(int64(brand)) {
			return fiber.NewError(fiber.StatusNotFound, "no such brand")
		}
		id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
		ctx := c.UserContext()
		if c.FormValue("op") == "queue" {
			fallback, ferr := seconds(c.FormValue("fallback"), "fallback_seconds")
			announce, aerr := seconds(c.FormValue("announce"), "announce_seconds")
			q, err := s.Queue(ctx, id)
			if err == nil && q.BrandID != int64(brand) {
				err = ErrNotFound
			}
			if err == nil {
				err = errors.Join(ferr, aerr)
			}
			if err == nil {
				_, err = s.SetQueue(ctx, QueueRouting{QueueID: id, Skill: strings.TrimSpace(c.FormValue("skill")), Fallback: fallback, Announce: announce})
			}
			return s.answer(c, err, show, func(p *routingPage, field, msg string) {
				for i := range p.Queues {
					if p.Queues[i].ID == id {
						p.Queues[i].Skill, p.Queues[i].Fallback, p.Queues[i].Announce = c.FormValue("skill"), c.FormValue("fallback"), c.FormValue("announce")
						p.Queues[i].Field, p.Queues[i].Error = field, msg
					}
				}
			})
		}
		_, err = s.SetAgent(ctx, AgentRouting{UserID: id, BrandID: int64(brand), Languages: list(c.FormValue("languages")), Skills: list(c.FormValue("skills"))})
		return s.answer(c, err, show, func(p *routingPage, field, msg string) {
			for i := range p.Agents {
				if p.Agents[i].ID == id {
					p.Agents[i].Languages, p.Agents[i].Skills = c.FormValue("languages"), c.FormValue("skills")
					p.Agents[i].Field, p.Agents[i].Error = field, msg
				}
			}
		})
	})
}

// answer redraws the page after a save: saved, or the field error beside its row (422).
func (s *Service) answer(c *fiber.Ctx, err error, show func(*fiber.Ctx, func(*routingPage)) error, mark func(*routingPage, string, string)) error {
	var ve *input.ValidationError
	switch {
	case err == nil:
		return show(c, func(p *routingPage) { p.Saved = true })
	case errors.As(err, &ve):
		c.Status(fiber.StatusUnprocessableEntity)
		return show(c, func(p *routingPage) { mark(p, ve.Fields[0].Field, ve.Fields[0].Message) })
	case errors.Is(err, ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, "no such agent or queue in this brand")
	}
	return err
}

// page reads the brand's agents and queues for the page.
func (s *Service) page(c *fiber.Ctx, acc *access.Service) (routingPage, error) {
	ctx, scope := c.UserContext(), access.PrincipalOf(c).Scope
	brand, _ := c.ParamsInt("brand")
	brands, err := acc.Brands(ctx, scope)
	if err != nil {
		return routingPage{}, err
	}
	p := routingPage{Brands: brands}
	for _, b := range brands {
		if b.ID == int64(brand) {
			p.Brand = b
		}
	}
	if p.Brand.ID == 0 {
		return p, fiber.NewError(fiber.StatusNotFound, "no such brand")
	}
	agents, err := s.List(ctx, acc, scope, p.Brand.ID)
	if err != nil {
		return p, err
	}
	for _, a := range agents {
		p.Agents = append(p.Agents, agentLine{ID: a.UserID, Email: a.Email, Languages: strings.Join(a.Languages, ", "), Skills: strings.Join(a.Skills, ", ")})
	}
	p.Queues, err = s.brandQueues(ctx, p.Brand.ID)
	return p, err
}

func (s *Service) brandQueues(ctx context.Context, brand int64) ([]queueLine, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, name FROM hotline_queues WHERE brand_id = ? ORDER BY name`), brand)
	if err != nil {
		return nil, err
	}
	var out []queueLine
	for rows.Next() {
		var q queueLine
		if err := rows.Scan(&q.ID, &q.Name); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, q)
	}
	rows.Close()
	for i := range out {
		r, err := s.Queue(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Skill, out[i].Fallback, out[i].Announce = r.Skill, strconv.Itoa(int(r.Fallback/time.Second)), strconv.Itoa(int(r.Announce/time.Second))
	}
	return out, rows.Err()
}

func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}

func seconds(s, field string) (time.Duration, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, input.Invalid(input.Errorf(field, "must be a whole number of seconds, got %q", s))
	}
	return time.Duration(n) * time.Second, nil
}
