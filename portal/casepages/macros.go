package casepages

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/portal"
)

// macroPage is the brand managers' macro editor (/cases/macros?brand=): the brand's macros,
// each editable in place, and a form for a new one.
type macroPage struct {
	Brand     access.Brand
	Brands    []access.Brand
	Macros    []macros.Macro
	Templates []conversation.Template
	Statuses  []cases.CaseStatus
	Codes     []string // the resolution codes cases of the brand close with
	Flash     string
	Error     string
}

func (p *pages) macroBrand(c *fiber.Ctx) (access.Brand, []access.Brand, error) {
	pr := access.PrincipalOf(c)
	brands, err := p.o.Access.Brands(c.UserContext(), pr.Scope)
	if err != nil || len(brands) == 0 {
		return access.Brand{}, nil, fiber.NewError(fiber.StatusNotFound, "you work for no brand")
	}
	want := brandOf(c)
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

func (p *pages) macroList(c *fiber.Ctx) error { return p.macroRender(c, "", "") }

func (p *pages) macroRender(c *fiber.Ctx, errText string, _ string) error {
	L := p.locale(c)
	b, brands, err := p.macroBrand(c)
	if err != nil {
		return err
	}
	d := macroPage{Brand: b, Brands: brands, Statuses: macros.Statuses, Error: errText}
	if k := c.Query("done"); k == "saved" || k == "deleted" || k == "code" {
		d.Flash = L.T("cases.macros.done." + k)
	}
	if d.Macros, err = p.o.Macros.List(c.UserContext(), access.PrincipalOf(c).Scope, b.ID); err != nil {
		return err
	}
	if d.Codes, err = p.o.Cases.ResolutionCodes(c.UserContext(), b.ID); err != nil {
		return err
	}
	if p.o.Replier != nil {
		if d.Templates, err = p.o.Replier.ReplyTemplates(c.UserContext(), b.ID); err != nil {
			return err
		}
	}
	return portal.RenderPage(c, p.page, "macros.html", L.T("cases.macros.title"), d)
}

func (p *pages) macroSave(c *fiber.Ctx) error {
	pr := access.PrincipalOf(c)
	b, _, err := p.macroBrand(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	tpl, _ := strconv.ParseInt(c.FormValue("template_id"), 10, 64)
	m := macros.Macro{Name: c.FormValue("name"), TemplateID: tpl, Status: c.FormValue("status"), Note: c.FormValue("note"), Assign: c.FormValue("assign")}
	_, err = p.o.Macros.Save(c.UserContext(), pr.Scope, pr.Label, b.ID, id, m)
	var ve *input.ValidationError
	if errors.As(err, &ve) {
		c.Status(fiber.StatusUnprocessableEntity)
		return p.macroRender(c, p.locale(c).T("cases.flash.refused", "reason", ve.Error()), "")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/cases/macros?"+url.Values{"brand": {strconv.FormatInt(b.ID, 10)}, "done": {"saved"}}.Encode(), fiber.StatusSeeOther)
}

func (p *pages) macroDelete(c *fiber.Ctx) error {
	pr := access.PrincipalOf(c)
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	m, err := p.o.Macros.Get(c.UserContext(), pr.Scope, id)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "no macro "+c.Params("id"))
	}
	if err := p.o.Macros.Delete(c.UserContext(), pr.Scope, id); err != nil {
		return err
	}
	return c.Redirect("/cases/macros?"+url.Values{"brand": {strconv.FormatInt(m.BrandID, 10)}, "done": {"deleted"}}.Encode(), fiber.StatusSeeOther)
}

// codeAdd extends the brand's resolution codes (cases.ResolutionCodes, then the brand's own).
func (p *pages) codeAdd(c *fiber.Ctx) error {
	b, _, err := p.macroBrand(c)
	if err != nil {
		return err
	}
	err = p.o.Cases.AddResolutionCode(c.UserContext(), access.PrincipalOf(c).Scope, b.ID, c.FormValue("code"), c.FormValue("label"))
	var ve *input.ValidationError
	if errors.As(err, &ve) {
		c.Status(fiber.StatusUnprocessableEntity)
		return p.macroRender(c, p.locale(c).T("cases.flash.refused", "reason", ve.Error()), "")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/cases/macros?"+url.Values{"brand": {strconv.FormatInt(b.ID, 10)}, "done": {"code"}}.Encode(), fiber.StatusSeeOther)
}
