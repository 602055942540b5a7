package editor

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/portal"
)

// The hotline menu page edits the self-service greeting, the menu after the status and its
// keys in English and Russian (package ivr, docs/ivr.md "Self-service on the hotline"), with a
// player for what a caller hears (greeting, a sample status, menu) as saved or as typed.

type hotlinePage struct {
	editorFrame
	Forms              []hotlineForm
	GreetingPH, MenuPH []string
	Max                int
}

type hotlineForm struct {
	Lang, Greeting, Menu, DefaultGreeting, DefaultMenu string
	Keys                                               ivr.HotlineKeys
	Errors                                             fieldErrors
	Error, PreviewURL                                  string
	Custom, PreviewTyped                               bool
}

// withURL sets the player's address: the saved menu, or (typed) the menu as typed.
func (f hotlineForm) withURL(brand int64, typed bool) hotlineForm {
	q := url.Values{"brand": {strconv.FormatInt(brand, 10)}, "lang": {f.Lang}}
	if typed {
		q.Set("greeting", f.Greeting)
		q.Set("menu", f.Menu)
		q.Set("again", f.Keys.Again)
		q.Set("other_days", f.Keys.OtherDays)
		q.Set("sms", f.Keys.SMS)
		q.Set("agent", f.Keys.Agent)
	}
	f.PreviewURL, f.PreviewTyped = "/api/v1/ivr/prompts/hotline/preview?"+q.Encode(), typed
	return f
}

func (e *editor) hotlineForm(c *fiber.Ctx, brand int64, lang string) (hotlineForm, error) {
	m, err := e.prompts.HotlineMenu(c.UserContext(), brand, lang)
	if err != nil {
		return hotlineForm{}, err
	}
	return hotlineForm{Lang: lang, Greeting: m.Greeting, Menu: m.Menu, Keys: m.Keys, Custom: m.Custom}.withURL(brand, false), nil
}

func (e *editor) showHotline(c *fiber.Ctx, p hotlinePage, status int) error {
	loc := portal.PageLocale(c, e.page)
	for i := range p.Forms {
		d := ivr.HotlineMenu{Lang: p.Forms[i].Lang, Keys: ivr.DefaultHotlineKeys}
		p.Forms[i].DefaultGreeting = d.GreetingText("{brand}")
		p.Forms[i].DefaultMenu = d.MenuText("{brand}", ivr.FullMenu)
	}
	p.GreetingPH, p.MenuPH, p.Max = ivr.GreetingPlaceholders, ivr.MenuPlaceholders, ivr.MaxTextRunes
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_hotline.html", loc.T("ed.hotline.title")+" · "+p.Brand.Name, p)
}

func (e *editor) hotline(c *fiber.Ctx) error {
	f, err := e.frame(c, "hotline")
	if err != nil {
		return err
	}
	forms, err := bothLangs("", hotlineForm{}, func(lang string) (hotlineForm, error) { return e.hotlineForm(c, f.Brand.ID, lang) })
	if err != nil {
		return err
	}
	return e.showHotline(c, hotlinePage{editorFrame: f, Forms: forms}, fiber.StatusOK)
}

// bothLangs is a page's forms in English and Russian: typed for lang ("" none), the others
// as saved.
func bothLangs[F any](lang string, typed F, saved func(lang string) (F, error)) ([]F, error) {
	var out []F
	for _, l := range []string{"en", "ru"} {
		if l == lang {
			out = append(out, typed)
			continue
		}
		form, err := saved(l)
		if err != nil {
			return nil, err
		}
		out = append(out, form)
	}
	return out, nil
}

// saveHotline saves one language's menu (op=save) or plays it as typed (op=listen). Errors
// come back beside the field with the input kept.
func (e *editor) saveHotline(c *fiber.Ctx) error {
	f, err := e.frame(c, "hotline")
	if err != nil {
		return err
	}
	lang := c.FormValue("lang")
	if lang != "en" && lang != "ru" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "lang: must be en or ru")
	}
	op := c.FormValue("op")
	if op != "save" && op != "listen" {
		return fiber.NewError(fiber.StatusBadRequest, "op must be save or listen")
	}
	keys := ivr.HotlineKeys{Again: strings.TrimSpace(c.FormValue("again")), OtherDays: strings.TrimSpace(c.FormValue("other_days")),
		SMS: strings.TrimSpace(c.FormValue("sms")), Agent: strings.TrimSpace(c.FormValue("agent"))}
	typed := hotlineForm{Lang: lang, Greeting: strings.TrimSpace(formText(c, "greeting")), Menu: strings.TrimSpace(formText(c, "menu")),
		Keys: keys, Errors: fieldErrors{}}
	m := ivr.HotlineMenu{Lang: lang, Greeting: typed.Greeting, Menu: typed.Menu, Keys: keys}
	loc := portal.PageLocale(c, e.page)
	if fe := m.Validate(loc); fe != nil {
		typed.Errors[fe.Field] = []string{fe.Message}
		typed.Error = loc.T("ed.hotline.err")
	}
	if op == "save" && len(typed.Errors) == 0 {
		if err := e.prompts.SaveHotlineMenu(c.UserContext(), f.Brand.ID, m, author(c)); err != nil {
			return err
		}
		return c.Redirect(f.Base+"/hotline-menu?updated=1#hotline-"+lang, fiber.StatusSeeOther)
	}
	forms, err := bothLangs(lang, typed.withURL(f.Brand.ID, len(typed.Errors) == 0),
		func(l string) (hotlineForm, error) { return e.hotlineForm(c, f.Brand.ID, l) })
	if err != nil {
		return err
	}
	p := hotlinePage{editorFrame: f, Forms: forms}
	if len(typed.Errors) > 0 {
		return e.showHotline(c, p, fiber.StatusUnprocessableEntity)
	}
	return e.showHotline(c, p, fiber.StatusOK)
}
