// Package reviewpage is the staff page of the inbound review queue (/inbound/review): the
// SMS and e-mail from senders a brand does not know (package inbound), each with a form to
// put it on a case or set it aside. It uses the portal's frame (portal.RequirePage,
// portal.RenderPage) and its template portal/templates/inbound_review.html.
package reviewpage

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/portal"
)

type page struct {
	Brand    access.Brand
	Brands   []access.Brand
	Messages []row
	Flash    string
	Error    string
}

type row struct {
	inbound.Message
	When string
}

type pages struct {
	acc *access.Service
	in  *inbound.Service
	d   portal.Deps
}

// Routes mounts the page for agents, supervisors and brand managers (admins always).
func Routes(r fiber.Router, acc *access.Service, in *inbound.Service) {
	p := &pages{acc: acc, in: in, d: portal.Deps{Access: acc}}
	staff := portal.RequirePage(p.d, access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager)
	r.Get("/inbound/review", staff, func(c *fiber.Ctx) error { return p.render(c, "") })
	r.Post("/inbound/review/:id<int>", staff, p.settle)
}

func (p *pages) brand(c *fiber.Ctx) (access.Brand, []access.Brand, error) {
	brands, err := p.acc.Brands(c.UserContext(), access.PrincipalOf(c).Scope)
	if err != nil || len(brands) == 0 {
		return access.Brand{}, nil, fiber.NewError(fiber.StatusNotFound, "you work for no brand")
	}
	want, _ := strconv.ParseInt(c.FormValue("brand"), 10, 64)
	if want == 0 {
		want, _ = strconv.ParseInt(c.Query("brand"), 10, 64)
	}
	for _, b := range brands {
		if b.ID == want {
			return b, brands, nil
		}
	}
	if want != 0 {
		return access.Brand{}, nil, fiber.NewError(fiber.StatusNotFound, "no brand "+strconv.FormatInt(want, 10))
	}
	return brands[0], brands, nil
}

func (p *pages) render(c *fiber.Ctx, errText string) error {
	L := portal.PageLocale(c, p.d)
	b, brands, err := p.brand(c)
	if err != nil {
		return err
	}
	d := page{Brand: b, Brands: brands, Error: errText}
	if k := c.Query("done"); k == "case" || k == "dismissed" {
		d.Flash = L.T("inbound.review.done." + k)
	}
	list, err := p.in.Review(c.UserContext(), access.PrincipalOf(c).Scope, b.ID, 200)
	if err != nil {
		return err
	}
	for _, m := range list {
		m.Detail = why(L, m.Detail)
		d.Messages = append(d.Messages, row{Message: m, When: L.DateTime(m.CreatedAt)})
	}
	return portal.RenderPage(c, p.d, "inbound_review.html", L.T("inbound.review.title"), d)
}

func (p *pages) settle(c *fiber.Ctx) error {
	pr := access.PrincipalOf(c)
	b, _, err := p.brand(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	number := c.FormValue("case")
	if c.FormValue("action") == "dismiss" {
		number = ""
	} else if number == "" {
		c.Status(fiber.StatusUnprocessableEntity)
		return p.render(c, portal.PageLocale(c, p.d).T("inbound.review.need_case"))
	}
	m, err := p.in.Settle(c.UserContext(), pr.Scope, pr.Label, id, number)
	var ve *input.ValidationError
	switch {
	case errors.As(err, &ve):
		c.Status(fiber.StatusUnprocessableEntity)
		return p.render(c, portal.PageLocale(c, p.d).T("inbound.review.refused", "reason", ve.Error()))
	case errors.Is(err, cases.ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, "no message "+c.Params("id"))
	case err != nil:
		return err
	}
	done := "case"
	if m.Outcome == inbound.OutcomeDismissed {
		done = "dismissed"
	}
	return c.Redirect("/inbound/review?"+url.Values{"brand": {strconv.FormatInt(b.ID, 10)}, "done": {done}}.Encode(), fiber.StatusSeeOther)
}

// strangerReply matches inbound.WhyStrangerReply's case number and how the mail was threaded.
var strangerReply = regexp.MustCompile("^" + strings.NewReplacer("%s", "(.+?)").Replace(regexp.QuoteMeta(inbound.WhyStrangerReply)) + "$")

// why is the reason a message waits for review in the reader's language; a reason this page
// does not know shows as stored.
func why(L i18n.Locale, detail string) string {
	switch detail {
	case inbound.WhyUnknownNumber:
		return L.T("inbound.why.unknown_number")
	case inbound.WhyAuthFailed:
		return L.T("inbound.why.auth_failed")
	case inbound.WhyUnknownSender:
		return L.T("inbound.why.unknown_sender")
	}
	if m := strangerReply.FindStringSubmatch(detail); m != nil {
		return L.T("inbound.why.stranger_reply", "case", m[1], "how", m[2])
	}
	return detail
}
