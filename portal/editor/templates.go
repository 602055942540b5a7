package editor

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/scripts"
)

// templatePage is the template editor: the form (what the user typed, kept on errors), the
// preview on a chosen parcel, the SMS segment count and the version history.
type templatePage struct {
	editorFrame
	New                     bool
	ID                      int64
	Name, Channel, Language string
	Published               int // the published version (0 for a new template)
	FromVersion             int // the form was loaded from this older version
	Content                 scripts.Content
	Errors                  fieldErrors
	Error                   string
	Parcel                  string
	Parcels                 []string
	Preview                 *scripts.Rendered
	PreviewError            string
	History                 versionsView
	Next                    int // the version publishing makes
}

func contentFromForm(c *fiber.Ctx) scripts.Content {
	return scripts.Content{SMS: formText(c, "sms_text"), Subject: formText(c, "subject"),
		Text: formText(c, "text_body"), HTML: formText(c, "html_body")}
}

// formText is a form field with the browser's CRLF line ends made LF.
func formText(c *fiber.Ctx, name string) string {
	return strings.ReplaceAll(c.FormValue(name), "\r\n", "\n")
}

// previewScope limits the preview's parcel to the brand being edited, even for a manager
// of several brands or an admin.
func previewScope(brand int64) access.Scope { return access.Brands(brand) }

// fillPreview renders the page's content on its parcel (or the sample parcel).
func (e *editor) fillPreview(c *fiber.Ctx, p *templatePage) error {
	parcels, err := e.scripts.RecentParcels(c.UserContext(), p.Brand.ID, 10)
	if err != nil {
		return err
	}
	p.Parcels = parcels
	r, err := e.scripts.Preview(c.UserContext(), previewScope(p.Brand.ID), p.Brand.ID, p.Channel, p.Content, p.Parcel)
	switch {
	case err == nil:
		p.Preview = &r
	case errors.Is(err, scripts.ErrNotFound):
		p.PreviewError = portal.PageLocale(c, e.page).T("ed.err_no_parcel", "parcel", p.Parcel, "brand", p.Brand.Name)
	default:
		if fe, ok := problemsOf(err); ok {
			if p.Errors == nil {
				p.Errors = fe
			}
			p.PreviewError = portal.PageLocale(c, e.page).T("ed.err_template")
			return nil
		}
		p.PreviewError = err.Error()
	}
	return nil
}

func (e *editor) showTemplate(c *fiber.Ctx, p templatePage, status int) error {
	if err := e.fillPreview(c, &p); err != nil {
		return err
	}
	loc := portal.PageLocale(c, e.page)
	title := loc.T("ed.new_template")
	if !p.New {
		title = loc.T("ed.template") + " " + p.Name
	}
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_template.html", title+" · "+p.Brand.Name, p)
}

func (e *editor) newTemplate(c *fiber.Ctx) error {
	f, err := e.frame(c, "templates")
	if err != nil {
		return err
	}
	ch := c.Query("channel", "sms")
	if ch != "email" {
		ch = "sms"
	}
	p := templatePage{editorFrame: f, New: true, Channel: ch, Language: c.Query("language", "en")}
	// A starting text, so the preview has something to show.
	if ch == "sms" {
		p.Content.SMS = "{{.brand.name}}: parcel {{.parcel.id}} ... {{.tracking_link}}"
	} else {
		p.Content.Subject = "Your parcel {{.parcel.id}}"
		p.Content.Text = "Hello {{.recipient.first_name}},\n\n...\n\n{{.tracking_link}}\n\n{{.brand.name}}"
	}
	return e.showTemplate(c, p, fiber.StatusOK)
}

func (e *editor) createTemplate(c *fiber.Ctx) error {
	f, err := e.frame(c, "templates")
	if err != nil {
		return err
	}
	p := templatePage{editorFrame: f, New: true, Name: strings.TrimSpace(c.FormValue("name")), Channel: c.FormValue("channel"),
		Language: strings.TrimSpace(c.FormValue("language")), Content: contentFromForm(c), Parcel: strings.TrimSpace(c.FormValue("parcel"))}
	if c.FormValue("op") == "preview" {
		return e.showTemplate(c, p, fiber.StatusOK)
	}
	t, err := e.scripts.SaveTemplate(c.UserContext(), p.Brand.ID, 0, scripts.TemplateInput{Name: p.Name, Channel: p.Channel, Language: p.Language, Content: p.Content}, author(c))
	if err != nil {
		var status int
		if p.Errors, p.Error, status, err = editorFail(err); err != nil {
			return err
		}
		return e.showTemplate(c, p, status)
	}
	return c.Redirect(fmt.Sprintf("%s/templates/%d?saved=%d", f.Base, t.ID, t.Version), fiber.StatusSeeOther)
}

// loadTemplate fills the page from the published template (or, with ?version=N, from an
// older version) and its history.
func (e *editor) loadTemplate(c *fiber.Ctx, p *templatePage) error {
	ctx, id := c.UserContext(), parseID(c.Params("id"))
	t, err := e.scripts.Template(ctx, p.Brand.ID, id, 0)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	p.ID, p.Name, p.Channel, p.Language, p.Published, p.Content = t.ID, t.Name, t.Channel, t.Language, t.Version, t.Content
	versions, err := e.scripts.TemplateVersions(ctx, p.Brand.ID, id)
	if err != nil {
		return err
	}
	rows := make([]versionRow, len(versions))
	for i, v := range versions {
		rows[i] = versionRow{Version: v.Version, Author: v.Author, CreatedAt: v.CreatedAt}
	}
	p.History = historyOf(c, fmt.Sprintf("%s/templates/%d", p.Base, id), t.Version, rows)
	p.Next = t.Version + 1
	return nil
}

func (e *editor) editTemplate(c *fiber.Ctx) error {
	f, err := e.frame(c, "templates")
	if err != nil {
		return err
	}
	p := templatePage{editorFrame: f, Parcel: strings.TrimSpace(c.Query("parcel"))}
	if err := e.loadTemplate(c, &p); err != nil {
		return err
	}
	if v := versionParam(c, "version"); v > 0 && v != p.Published {
		old, err := e.scripts.Template(c.UserContext(), p.Brand.ID, p.ID, v)
		if err != nil {
			_, _, _, err = editorFail(err)
			return err
		}
		p.Content, p.FromVersion = old.Content, v
	}
	return e.showTemplate(c, p, fiber.StatusOK)
}

// publishTemplate saves the form as the template's next version; on errors the form comes
// back with what the user typed and the errors beside the fields.
func (e *editor) publishTemplate(c *fiber.Ctx) error {
	f, err := e.frame(c, "templates")
	if err != nil {
		return err
	}
	p := templatePage{editorFrame: f, Parcel: strings.TrimSpace(c.FormValue("parcel"))}
	if err := e.loadTemplate(c, &p); err != nil {
		return err
	}
	p.Content = contentFromForm(c)
	if c.FormValue("op") == "preview" {
		return e.showTemplate(c, p, fiber.StatusOK)
	}
	t, err := e.scripts.SaveTemplate(c.UserContext(), p.Brand.ID, p.ID, scripts.TemplateInput{Content: p.Content}, author(c))
	if err != nil {
		var status int
		if p.Errors, p.Error, status, err = editorFail(err); err != nil {
			return err
		}
		return e.showTemplate(c, p, status)
	}
	return c.Redirect(fmt.Sprintf("%s/templates/%d?saved=%d", f.Base, t.ID, t.Version), fiber.StatusSeeOther)
}

// rollbackTemplate publishes an older version's content as the newest version.
func (e *editor) rollbackTemplate(c *fiber.Ctx) error {
	brand, id, v := brandOfPage(c), parseID(c.Params("id")), versionParam(c, "version")
	old, err := e.scripts.Template(c.UserContext(), brand, id, v)
	if err == nil && v == 0 {
		err = fmt.Errorf("choose the version to roll back to: %w", scripts.ErrNotFound)
	}
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	t, err := e.scripts.SaveTemplate(c.UserContext(), brand, id, scripts.TemplateInput{Content: old.Content}, author(c))
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/editor/%d/templates/%d?saved=%d&rolledback=%d", brand, id, t.Version, v), fiber.StatusSeeOther)
}

// templateText is a template version as the diff compares it.
func templateText(channel string, c scripts.Content) string {
	if channel == "sms" {
		return c.SMS
	}
	var b strings.Builder
	b.WriteString("Subject: " + c.Subject + "\n\n-- text body --\n" + c.Text + "\n")
	if c.HTML != "" {
		b.WriteString("\n-- HTML body --\n" + c.HTML + "\n")
	}
	return b.String()
}

func (e *editor) diffTemplate(c *fiber.Ctx) error {
	f, err := e.frame(c, "templates")
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), parseID(c.Params("id"))
	cur, err := e.scripts.Template(ctx, f.Brand.ID, id, 0)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	p := diffPage{editorFrame: f, What: fmt.Sprintf("%s %s (%s, %s)", portal.PageLocale(c, e.page).T("ed.template"), cur.Name, cur.Channel, cur.Language),
		Back: fmt.Sprintf("%s/templates/%d", f.Base, id)}
	p.From, p.To = diffRange(c, cur.Version)
	for v := cur.Version; v >= 1; v-- {
		p.Versions = append(p.Versions, v)
	}
	a, err := e.scripts.Template(ctx, f.Brand.ID, id, p.From)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	b, err := e.scripts.Template(ctx, f.Brand.ID, id, p.To)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	p.Lines = lineDiff(templateText(cur.Channel, a.Content), templateText(cur.Channel, b.Content))
	p.Changed = diffChanged(p.Lines)
	return portal.RenderPage(c, e.page, "editor_diff.html", portal.PageLocale(c, e.page).T("ed.changes")+" · "+p.What, p)
}

// diffRange reads ?from=&to=, by default the published version against the one before.
func diffRange(c *fiber.Ctx, latest int) (int, int) {
	to := versionParam(c, "to")
	if to == 0 || to > latest {
		to = latest
	}
	from := versionParam(c, "from")
	if from == 0 || from > latest {
		from = max(to-1, 1)
	}
	return from, to
}

// previewReply is what the live preview gets back: the rendering, or the problems by field.
type previewReply struct {
	Subject string      `json:"subject"`
	Text    string      `json:"text"`
	HTML    string      `json:"html"`
	SMS     any         `json:"sms_info,omitempty"`
	Errors  fieldErrors `json:"errors,omitempty"`
	Error   string      `json:"error,omitempty"`
}

// previewTemplate renders unsaved content for the editor's script (JSON in, JSON out; the
// X-CSRF-Token header is checked by portal.RequirePage).
func (e *editor) previewTemplate(c *fiber.Ctx) error {
	var in struct {
		Channel  string          `json:"channel"`
		Content  scripts.Content `json:"content"`
		ParcelID string          `json:"parcel_id"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(previewReply{Error: "the preview request must be JSON: " + err.Error()})
	}
	brand := brandOfPage(c)
	r, err := e.scripts.Preview(c.UserContext(), previewScope(brand), brand, in.Channel, in.Content, strings.TrimSpace(in.ParcelID))
	if err != nil {
		if fe, ok := problemsOf(err); ok {
			return c.JSON(previewReply{Errors: fe})
		}
		if errors.Is(err, scripts.ErrNotFound) {
			return c.JSON(previewReply{Errors: fieldErrors{"parcel": {"no parcel " + in.ParcelID + " of this brand"}}})
		}
		return err
	}
	out := previewReply{Subject: r.Subject, Text: r.Text, HTML: r.HTML}
	if r.SMSInfo != nil {
		out.SMS = r.SMSInfo
	}
	return c.JSON(out)
}
