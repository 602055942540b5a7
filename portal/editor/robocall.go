package editor

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/portal"
)

// The automated call page edits the robocall's prompt text and key map in English and Russian
// (package ivr, docs/ivr.md), with a player for the prompt as saved or as typed.

type robocallPage struct {
	editorFrame
	Forms        []robocallForm
	Placeholders []string
	Max          int
}

type robocallForm struct {
	Lang, Text, Default                 string
	Confirm, Other, Agent               string
	Errors                              fieldErrors
	Error, PreviewURL                   string
	Custom, PreviewTyped                bool
	ConfirmID, OtherID, AgentID, TextID string
}

func (e *editor) robocallForm(c *fiber.Ctx, brand int64, lang string) (robocallForm, error) {
	pt, err := e.prompts.Prompt(c.UserContext(), brand, ivr.PromptRobocall, lang)
	if err != nil {
		return robocallForm{}, err
	}
	f := robocallForm{Lang: lang, Text: pt.Text, Confirm: pt.Keys.Confirm, Other: pt.Keys.OtherDays, Agent: pt.Keys.Agent, Custom: pt.Custom}
	return f.withURL(brand, false), nil
}

// withURL sets the ids of the form's fields and the player's address: the saved prompt, or
// (typed) the text and keys as typed.
func (f robocallForm) withURL(brand int64, typed bool) robocallForm {
	f.TextID, f.ConfirmID, f.OtherID, f.AgentID = "text-"+f.Lang, "confirm-"+f.Lang, "other-"+f.Lang, "agent-"+f.Lang
	q := url.Values{"brand": {strconv.FormatInt(brand, 10)}, "lang": {f.Lang}}
	if typed {
		q.Set("text", f.Text)
		q.Set("confirm", f.Confirm)
		q.Set("other_days", f.Other)
		q.Set("agent", f.Agent)
	}
	f.PreviewURL, f.PreviewTyped = "/api/v1/ivr/prompts/robocall/preview?"+q.Encode(), typed
	return f
}

func (e *editor) showRobocall(c *fiber.Ctx, p robocallPage, status int) error {
	loc := portal.PageLocale(c, e.page)
	for i := range p.Forms {
		p.Forms[i].Default = ivr.PromptText{Lang: p.Forms[i].Lang}.DefaultText()
	}
	p.Placeholders, p.Max = ivr.Placeholders, ivr.MaxTextRunes
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_robocall.html", loc.T("ed.robocall.title")+" · "+p.Brand.Name, p)
}

func (e *editor) robocall(c *fiber.Ctx) error {
	f, err := e.frame(c, "robocall")
	if err != nil {
		return err
	}
	forms, err := bothLangs("", robocallForm{}, func(lang string) (robocallForm, error) { return e.robocallForm(c, f.Brand.ID, lang) })
	if err != nil {
		return err
	}
	return e.showRobocall(c, robocallPage{editorFrame: f, Forms: forms}, fiber.StatusOK)
}

// saveRobocall saves one language's prompt (op=save) or plays it as typed (op=listen).
// Errors come back beside the field with the input kept.
func (e *editor) saveRobocall(c *fiber.Ctx) error {
	f, err := e.frame(c, "robocall")
	if err != nil {
		return err
	}
	lang := c.FormValue("lang")
	if lang != "en" && lang != "ru" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "lang: must be en or ru")
	}
	typed := robocallForm{Lang: lang, Text: strings.TrimSpace(formText(c, "text")), Confirm: strings.TrimSpace(c.FormValue("confirm")),
		Other: strings.TrimSpace(c.FormValue("other_days")), Agent: strings.TrimSpace(c.FormValue("agent")), Errors: fieldErrors{}}
	pt := ivr.PromptText{Lang: lang, Text: typed.Text, Keys: ivr.KeyMap{Confirm: typed.Confirm, OtherDays: typed.Other, Agent: typed.Agent}}
	loc := portal.PageLocale(c, e.page)
	if fe := pt.Validate(loc); fe != nil {
		typed.Errors[fe.Field] = []string{fe.Message}
		typed.Error = loc.T("ed.robocall.err")
	}
	op := c.FormValue("op")
	if op != "save" && op != "listen" {
		return fiber.NewError(fiber.StatusBadRequest, "op must be save or listen")
	}
	if op == "save" && len(typed.Errors) == 0 {
		if err := e.prompts.Save(c.UserContext(), f.Brand.ID, ivr.PromptRobocall, pt, author(c)); err != nil {
			return err
		}
		return c.Redirect(f.Base+"/robocall?updated=1#robocall-"+lang, fiber.StatusSeeOther)
	}
	forms, err := bothLangs(lang, typed.withURL(f.Brand.ID, len(typed.Errors) == 0),
		func(l string) (robocallForm, error) { return e.robocallForm(c, f.Brand.ID, l) })
	if err != nil {
		return err
	}
	p := robocallPage{editorFrame: f, Forms: forms}
	if len(typed.Errors) > 0 {
		return e.showRobocall(c, p, fiber.StatusUnprocessableEntity)
	}
	return e.showRobocall(c, p, fiber.StatusOK)
}
