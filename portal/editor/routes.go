// Package editor is the brand managers' editors, pages of the portal under /editor/{brand}:
// SMS and email templates with a live preview and the SMS segment count, call scripts,
// trigger rules, calling windows and the attempt algorithm. Templates, scripts and rules are
// versioned: saving publishes a new version, every version can be compared with another
// and rolled back to (which publishes the old content as a new version). A manager only
// ever reaches the brands of their account: another brand's id in the URL is a 404, as is
// another brand's template id.
//
// The pages use the portal's frame (portal.RequirePage, portal.RenderPage) and its
// templates (portal/templates/editor*.html); the package is apart from portal because the
// scripts package's tests build the portal, so portal cannot import scripts.
package editor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/scripts"
)

// Options are the services the editors work with.
type Options struct {
	Access  *access.Service
	Scripts *scripts.Service
	Dialer  *dialer.Service
	// Looks are the brands' looks on the tracking page (nil: the look page answers 503).
	Looks   *branding.Service
	Prompts *ivr.Settings // the automated call's prompt and keys (nil: no such page)
}

// editor serves the editor pages.
type editor struct {
	acc     *access.Service
	scripts *scripts.Service
	dialer  *dialer.Service
	looks   *branding.Service
	prompts *ivr.Settings
	page    portal.Deps // what the portal's page frame needs
}

// editorFrame is what every editor page shows around its form: the brand, the brand
// picker, the section tabs and the message of the last action.
type editorFrame struct {
	Brand   access.Brand
	Brands  []access.Brand
	Base    string // /editor/{brand}
	Section string
	Flash   string
}

// Routes mounts the editor pages on r (serve passes them to portal.Deps.Routes).
func Routes(r fiber.Router, o Options) {
	e := &editor{acc: o.Access, scripts: o.Scripts, dialer: o.Dialer, looks: o.Looks, prompts: o.Prompts, page: portal.Deps{Access: o.Access}}
	g := r.Group("/editor", portal.RequirePage(e.page, access.RoleBrandManager))
	g.Get("/", e.index)
	b := g.Group("/:brand<int>", e.brandGuard)
	b.Get("/", e.overview)
	b.Get("/templates/new", e.newTemplate)
	b.Post("/templates", e.createTemplate)
	b.Post("/templates/preview", e.previewTemplate)
	b.Get("/templates/:id<int>", e.editTemplate)
	b.Post("/templates/:id<int>", e.publishTemplate)
	b.Post("/templates/:id<int>/rollback", e.rollbackTemplate)
	b.Get("/templates/:id<int>/diff", e.diffTemplate)
	b.Get("/scripts/new", e.newScript)
	b.Post("/scripts", e.saveScript)
	b.Get("/scripts/:id<int>", e.editScript)
	b.Post("/scripts/:id<int>", e.saveScript)
	b.Post("/scripts/:id<int>/rollback", e.rollbackScript)
	b.Get("/scripts/:id<int>/diff", e.diffScript)
	b.Get("/rules/new", e.newRule)
	b.Post("/rules", e.saveRule)
	b.Post("/rules/check", e.checkRule)
	b.Get("/rules/:id<int>", e.editRule)
	b.Post("/rules/:id<int>", e.saveRule)
	b.Post("/rules/:id<int>/rollback", e.rollbackRule)
	b.Get("/rules/:id<int>/diff", e.diffRule)
	b.Get("/calling", e.calling)
	b.Post("/calling", e.saveCalling)
	b.Get("/look", e.look)
	b.Post("/look", e.saveLook)
	b.Get("/look/preview.css", e.previewCSS)
	if o.Prompts != nil {
		b.Get("/robocall", e.robocall)
		b.Post("/robocall", e.saveRobocall)
		b.Get("/hotline-menu", e.hotline)
		b.Post("/hotline-menu", e.saveHotline)
	}
}

const editorBrandKey = "wismo.editor.brand"

// brandGuard admits only the brands of the user's account (admins: any brand that exists)
// and makes sure the brand has its standard flow, so the editor opens on something.
func (e *editor) brandGuard(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("brand"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusNotFound, "there is no brand "+c.Params("brand")+" for your account")
	}
	if id, err = access.WriteBrand(c, id); err != nil {
		return err
	}
	b, err := e.acc.Brand(c.UserContext(), id)
	if errors.Is(err, access.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, "there is no brand "+c.Params("brand"))
	}
	if err != nil {
		return err
	}
	if err := e.scripts.EnsureStandardFlow(c.UserContext(), id); err != nil {
		return err
	}
	c.Locals(editorBrandKey, b)
	return c.Next()
}

// frame builds the page frame for the current brand.
func (e *editor) frame(c *fiber.Ctx, section string) (editorFrame, error) {
	b, _ := c.Locals(editorBrandKey).(access.Brand)
	brands, err := e.acc.Brands(c.UserContext(), access.PrincipalOf(c).Scope)
	if err != nil {
		return editorFrame{}, err
	}
	f := editorFrame{Brand: b, Brands: brands, Base: fmt.Sprintf("/editor/%d", b.ID), Section: section}
	loc := portal.PageLocale(c, e.page)
	switch {
	case c.Query("rolledback") != "":
		f.Flash = loc.T("ed.flash_rolled_back", "from", c.Query("rolledback"), "to", c.Query("saved"))
	case c.Query("saved") != "":
		f.Flash = loc.T("ed.flash_published", "version", c.Query("saved"))
	case c.Query("updated") != "":
		f.Flash = loc.T("ed.flash_saved")
	}
	return f, nil
}

func brandOfPage(c *fiber.Ctx) int64 {
	b, _ := c.Locals(editorBrandKey).(access.Brand)
	return b.ID
}

// author names the user in version histories.
func author(c *fiber.Ctx) string {
	if u := access.PrincipalOf(c).User; u != nil {
		return u.Email
	}
	return access.PrincipalOf(c).Label
}

// index sends a manager of one brand to it, and lets a manager of several pick one.
func (e *editor) index(c *fiber.Ctx) error {
	scope := access.PrincipalOf(c).Scope
	if q := c.Query("brand"); q != "" {
		return c.Redirect("/editor/"+strconv.FormatInt(parseID(q), 10), fiber.StatusSeeOther)
	}
	if id, ok := scope.SingleBrand(); ok {
		return c.Redirect(fmt.Sprintf("/editor/%d", id), fiber.StatusSeeOther)
	}
	brands, err := e.acc.Brands(c.UserContext(), scope)
	if err != nil {
		return err
	}
	return portal.RenderPage(c, e.page, "editor.html", "ed.editors", editorFrame{Brands: brands})
}

func parseID(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

type overviewPage struct {
	editorFrame
	Templates []scripts.Template
	Scripts   []scripts.CallScript
	Rules     []scripts.Rule
}

func (e *editor) overview(c *fiber.Ctx) error {
	f, err := e.frame(c, "overview")
	if err != nil {
		return err
	}
	ctx, brand := c.UserContext(), brandOfPage(c)
	p := overviewPage{editorFrame: f}
	if p.Templates, err = e.scripts.Templates(ctx, brand); err != nil {
		return err
	}
	if p.Scripts, err = e.scripts.Scripts(ctx, brand); err != nil {
		return err
	}
	if p.Rules, err = e.scripts.Rules(ctx, brand); err != nil {
		return err
	}
	return portal.RenderPage(c, e.page, "editor_overview.html", portal.PageLocale(c, e.page).T("ed.editors")+" · "+f.Brand.Name, p)
}

// fieldErrors groups validation problems by field for showing them next to each input;
// problems that name no field of the form go under "".
type fieldErrors map[string][]string

func problemsOf(err error, loc i18n.Locale) (fieldErrors, bool) {
	var probs scripts.Problems
	if !errors.As(err, &probs) {
		return nil, false
	}
	out := fieldErrors{}
	for _, p := range probs {
		msg := p.Text(loc) // in the viewer's words (scripts/explain.go)
		switch {
		case p.Line > 0 && p.Column > 0:
			msg = loc.T("ed.at_line_column", "line", p.Line, "column", p.Column, "problem", msg)
		case p.Line > 0:
			msg = loc.T("ed.at_line", "line", p.Line, "problem", msg)
		}
		out[p.Field] = append(out[p.Field], msg)
	}
	return out, true
}

// editorFail turns a domain error into what the page shows: validation problems by field
// (status 422), anything else as the page's error.
func editorFail(err error, loc i18n.Locale) (fieldErrors, string, int, error) {
	if fe, ok := problemsOf(err, loc); ok {
		return fe, "", fiber.StatusUnprocessableEntity, nil
	}
	switch {
	case errors.Is(err, scripts.ErrNotFound):
		return nil, "", 0, fiber.NewError(fiber.StatusNotFound, err.Error())
	case errors.Is(err, scripts.ErrConflict), errors.Is(err, scripts.ErrInvalid), errors.Is(err, dialer.ErrInvalid):
		return nil, strings.TrimPrefix(err.Error(), "invalid: "), fiber.StatusUnprocessableEntity, nil
	}
	return nil, "", 0, err
}

// versionParam reads a positive version number from the query or form.
func versionParam(c *fiber.Ctx, name string) int {
	v, err := strconv.Atoi(c.FormValue(name, c.Query(name)))
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// diffPage is a line diff between two versions of anything.
type diffPage struct {
	editorFrame
	What     string // "Template sorting_center (sms, en)"
	Back     string // the editor page
	From, To int
	Versions []int
	Lines    []DiffLine
	Changed  bool
}

// versionsView is a version history table: every version with links to open it, to see
// what it changed, to compare it with the current one, and to roll back to it.
type versionsView struct {
	Rows      []versionRow
	URL       string // the item's editor page
	Published int
	CSRF      string
	L         i18n.Locale // dates in the viewer's zone
}

type versionRow struct {
	Version, Prev int
	Author        string
	CreatedAt     time.Time
}

func historyOf(c *fiber.Ctx, url string, published int, rows []versionRow) versionsView {
	for i := range rows {
		if rows[i].Version > 1 {
			rows[i].Prev = rows[i].Version - 1
		}
	}
	return versionsView{Rows: rows, URL: url, Published: published, CSRF: portal.PageCSRF(c), L: portal.PageLocale(c, portal.Deps{})}
}

// loc is the viewer's locale, for the texts a handler writes itself.
func (e *editor) loc(c *fiber.Ctx) i18n.Locale { return portal.PageLocale(c, e.page) }
