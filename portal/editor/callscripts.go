package editor

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/scripts"
)

// The call script editor is a plain form: one block per step (what the agent says, then a
// question whose answers branch, a next step, or the end of the call with its
// disposition). Adding and removing steps and answers posts the form back and redraws it
// unpublished, so it works without JavaScript; the script's JSON is there as an advanced
// fallback.

// maxFormSteps and maxFormOptions bound what a posted form may describe.
const (
	maxFormSteps   = 200
	maxFormOptions = 20
)

type scriptPage struct {
	editorFrame
	New                          bool
	ID                           int64
	Name                         string
	Published, Next, FromVersion int
	Start                        string
	Steps                        []stepForm
	StepIDs                      []string
	JSON                         string
	Errors                       fieldErrors
	Error                        string
	Draft                        bool
	History                      versionsView
}

// stepForm is one step as the form shows it; Kind is question, next or end.
type stepForm struct {
	Index, Number                                int
	Key                                          string // steps[i], as validation names it
	ID, Say, Kind, Next, Disposition, Note, Text string
	Options                                      []optionForm
	errs                                         fieldErrors
}

type optionForm struct {
	Index                            int
	Key                              string
	Answer, Label, Next, Disposition string
	errs                             fieldErrors
}

// E returns the errors of one of the step's fields ("" for the step as a whole).
func (s stepForm) E(field string) []string { return s.errs[joinKey(s.Key, field)] }

// E returns the errors of one of the answer's fields ("" for the answer as a whole).
func (o optionForm) E(field string) []string { return o.errs[joinKey(o.Key, field)] }

func joinKey(k, field string) string {
	if field == "" {
		return k
	}
	return k + "." + field
}

// stepsOf turns a script body into form blocks.
func stepsOf(b scripts.ScriptBody) []stepForm {
	out := make([]stepForm, len(b.Steps))
	for i, st := range b.Steps {
		f := stepForm{ID: st.ID, Say: st.Say, Kind: "next", Next: st.Next}
		switch {
		case st.Question != nil:
			f.Kind, f.Text = "question", st.Question.Text
			for _, o := range st.Question.Options {
				of := optionForm{Answer: o.Answer, Label: o.Label, Next: o.Next}
				if o.End != nil {
					of.Disposition = o.End.Disposition
				}
				f.Options = append(f.Options, of)
			}
		case st.End != nil:
			f.Kind, f.Disposition, f.Note = "end", st.End.Disposition, st.End.Note
		}
		out[i] = f
	}
	return out
}

// bodyOf turns form blocks into a script body; answers left blank are dropped.
func bodyOf(start string, steps []stepForm) scripts.ScriptBody {
	b := scripts.ScriptBody{Start: start, Steps: make([]scripts.Step, 0, len(steps))}
	for _, f := range steps {
		st := scripts.Step{ID: f.ID, Say: f.Say}
		switch f.Kind {
		case "question":
			q := &scripts.Question{Text: f.Text, Options: []scripts.Option{}}
			for _, o := range f.Options {
				if o.Answer == "" && o.Label == "" && o.Next == "" && o.Disposition == "" {
					continue
				}
				opt := scripts.Option{Answer: o.Answer, Label: o.Label, Next: o.Next}
				if o.Next == "" {
					opt.End = &scripts.Ending{Disposition: o.Disposition}
				}
				q.Options = append(q.Options, opt)
			}
			st.Question = q
		case "end":
			st.End = &scripts.Ending{Disposition: f.Disposition, Note: f.Note}
		default:
			st.Next = f.Next
		}
		b.Steps = append(b.Steps, st)
	}
	return b
}

// stepsFromForm reads the step blocks of a posted form.
func stepsFromForm(c *fiber.Ctx) []stepForm {
	n := min(formInt(c, "steps"), maxFormSteps)
	out := make([]stepForm, 0, n)
	for i := range n {
		p := "steps." + strconv.Itoa(i) + "."
		f := stepForm{ID: strings.TrimSpace(c.FormValue(p + "id")), Say: formText(c, p+"say"), Kind: c.FormValue(p + "kind"),
			Next: c.FormValue(p + "next"), Disposition: strings.TrimSpace(c.FormValue(p + "disposition")),
			Note: strings.TrimSpace(c.FormValue(p + "note")), Text: strings.TrimSpace(c.FormValue(p + "question"))}
		m := min(formInt(c, p+"options"), maxFormOptions)
		for j := range m {
			q := p + "opt." + strconv.Itoa(j) + "."
			f.Options = append(f.Options, optionForm{Answer: strings.TrimSpace(c.FormValue(q + "answer")), Label: strings.TrimSpace(c.FormValue(q + "label")),
				Next: c.FormValue(q + "next"), Disposition: strings.TrimSpace(c.FormValue(q + "disposition"))})
		}
		out = append(out, f)
	}
	return out
}

func formInt(c *fiber.Ctx, name string) int {
	v, err := strconv.Atoi(c.FormValue(name))
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// index numbers the blocks, names them as validation does, and hands them the errors.
func (p *scriptPage) index() {
	p.StepIDs = p.StepIDs[:0]
	for i := range p.Steps {
		s := &p.Steps[i]
		s.Index, s.Number, s.Key, s.errs = i, i+1, fmt.Sprintf("steps[%d]", i), p.Errors
		if s.ID != "" {
			p.StepIDs = append(p.StepIDs, s.ID)
		}
		for j := range s.Options {
			o := &s.Options[j]
			o.Index, o.Key, o.errs = j, fmt.Sprintf("steps[%d].question.options[%d]", i, j), p.Errors
		}
	}
	if p.JSON == "" {
		b, _ := json.MarshalIndent(bodyOf(p.Start, p.Steps), "", "  ")
		p.JSON = string(b)
	}
}

func (e *editor) showScript(c *fiber.Ctx, p scriptPage, status int) error {
	p.index()
	loc := portal.PageLocale(c, e.page)
	title := loc.T("ed.new_call_script")
	if !p.New {
		title = loc.T("ed.call_script") + " " + p.Name
	}
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_script.html", title+" · "+p.Brand.Name, p)
}

func (e *editor) newScript(c *fiber.Ctx) error {
	f, err := e.frame(c, "scripts")
	if err != nil {
		return err
	}
	p := scriptPage{editorFrame: f, New: true, Start: "greet", Steps: []stepForm{
		{ID: "greet", Say: "Hello, this is {{.brand.name}} about parcel {{.parcel.id}}.", Kind: "question", Text: "Is this a good time to talk?",
			Options: []optionForm{{Answer: "yes", Label: "Yes", Next: "done"}, {Answer: "no", Label: "No, call back later", Disposition: "callback_requested"}}},
		{ID: "done", Say: "Thank you, goodbye.", Kind: "end", Disposition: "reached"}}}
	return e.showScript(c, p, fiber.StatusOK)
}

// loadScript fills the page with the script's published (or ?version=N) body and history.
func (e *editor) loadScript(c *fiber.Ctx, p *scriptPage) error {
	ctx, id := c.UserContext(), parseID(c.Params("id"))
	cur, err := e.scripts.Script(ctx, p.Brand.ID, id, 0)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	p.ID, p.Name, p.Published, p.Next, p.Start, p.Steps = cur.ID, cur.Name, cur.Version, cur.Version+1, cur.Body.Start, stepsOf(cur.Body)
	versions, err := e.scripts.ScriptVersions(ctx, p.Brand.ID, id)
	if err != nil {
		return err
	}
	rows := make([]versionRow, len(versions))
	for i, v := range versions {
		rows[i] = versionRow{Version: v.Version, Author: v.Author, CreatedAt: v.CreatedAt}
	}
	p.History = historyOf(c, fmt.Sprintf("%s/scripts/%d", p.Base, id), cur.Version, rows)
	return nil
}

func (e *editor) editScript(c *fiber.Ctx) error {
	f, err := e.frame(c, "scripts")
	if err != nil {
		return err
	}
	p := scriptPage{editorFrame: f}
	if err := e.loadScript(c, &p); err != nil {
		return err
	}
	if v := versionParam(c, "version"); v > 0 && v != p.Published {
		old, err := e.scripts.Script(c.UserContext(), p.Brand.ID, p.ID, v)
		if err != nil {
			_, _, _, err = editorFail(err)
			return err
		}
		p.Start, p.Steps, p.FromVersion = old.Body.Start, stepsOf(old.Body), v
	}
	return e.showScript(c, p, fiber.StatusOK)
}

// saveScript handles the form's buttons: add or remove a step or an answer (the form comes
// back, unpublished), publish the form, or publish the advanced JSON.
func (e *editor) saveScript(c *fiber.Ctx) error {
	f, err := e.frame(c, "scripts")
	if err != nil {
		return err
	}
	p := scriptPage{editorFrame: f, New: c.Params("id") == ""}
	if !p.New {
		if err := e.loadScript(c, &p); err != nil {
			return err
		}
	} else {
		p.Name = strings.TrimSpace(c.FormValue("name"))
	}
	p.Start, p.Steps = strings.TrimSpace(c.FormValue("start")), stepsFromForm(c)
	op, arg, _ := strings.Cut(c.FormValue("op"), ":")
	at, _ := strconv.Atoi(arg)
	body := bodyOf(p.Start, p.Steps)
	switch op {
	case "add_step":
		if len(p.Steps) < maxFormSteps {
			p.Steps = append(p.Steps, stepForm{Kind: "end", Disposition: "reached"})
		}
		p.Draft = true
		return e.showScript(c, p, fiber.StatusOK)
	case "remove_step":
		if at >= 0 && at < len(p.Steps) {
			p.Steps = append(p.Steps[:at], p.Steps[at+1:]...)
		}
		p.Draft = true
		return e.showScript(c, p, fiber.StatusOK)
	case "add_option":
		if at >= 0 && at < len(p.Steps) && len(p.Steps[at].Options) < maxFormOptions {
			p.Steps[at].Kind = "question"
			p.Steps[at].Options = append(p.Steps[at].Options, optionForm{})
		}
		p.Draft = true
		return e.showScript(c, p, fiber.StatusOK)
	case "json":
		p.JSON = c.FormValue("body_json")
		body = scripts.ScriptBody{}
		if err := json.Unmarshal([]byte(p.JSON), &body); err != nil {
			p.Errors = fieldErrors{"body_json": {"not valid JSON: " + err.Error()}}
			return e.showScript(c, p, fiber.StatusUnprocessableEntity)
		}
		p.Start, p.Steps = body.Start, stepsOf(body)
	}
	s, err := e.scripts.SaveScript(c.UserContext(), p.Brand.ID, p.ID, scripts.ScriptInput{Name: p.Name, Body: body}, author(c))
	if err != nil {
		var status int
		if p.Errors, p.Error, status, err = editorFail(err); err != nil {
			return err
		}
		if op == "json" && p.Errors != nil {
			p.Errors["body_json"] = append(p.Errors["body_json"], portal.PageLocale(c, e.page).T("ed.err_script_steps"))
		}
		return e.showScript(c, p, status)
	}
	return c.Redirect(fmt.Sprintf("%s/scripts/%d?saved=%d", f.Base, s.ID, s.Version), fiber.StatusSeeOther)
}

func (e *editor) rollbackScript(c *fiber.Ctx) error {
	brand, id, v := brandOfPage(c), parseID(c.Params("id")), versionParam(c, "version")
	if v == 0 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "choose the version to roll back to")
	}
	old, err := e.scripts.Script(c.UserContext(), brand, id, v)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	s, err := e.scripts.SaveScript(c.UserContext(), brand, id, scripts.ScriptInput{Name: old.Name, Body: old.Body}, author(c))
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/editor/%d/scripts/%d?saved=%d&rolledback=%d", brand, id, s.Version, v), fiber.StatusSeeOther)
}

// scriptText is a script version as the diff compares it: one line per fact.
func scriptText(b scripts.ScriptBody) string {
	var w strings.Builder
	fmt.Fprintf(&w, "start: %s\n", b.Start)
	for _, st := range b.Steps {
		fmt.Fprintf(&w, "\nstep %s\n  say: %s\n", st.ID, strings.ReplaceAll(st.Say, "\n", "\n       "))
		if q := st.Question; q != nil {
			fmt.Fprintf(&w, "  question: %s\n", q.Text)
			for _, o := range q.Options {
				to := "-> " + o.Next
				if o.End != nil {
					to = "-> end: " + o.End.Disposition
				}
				fmt.Fprintf(&w, "    answer %s (%s) %s\n", o.Answer, o.Label, to)
			}
		}
		if st.Next != "" {
			fmt.Fprintf(&w, "  next: %s\n", st.Next)
		}
		if st.End != nil {
			fmt.Fprintf(&w, "  end: %s %s\n", st.End.Disposition, st.End.Note)
		}
	}
	return w.String()
}

func (e *editor) diffScript(c *fiber.Ctx) error {
	f, err := e.frame(c, "scripts")
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), parseID(c.Params("id"))
	cur, err := e.scripts.Script(ctx, f.Brand.ID, id, 0)
	if err != nil {
		_, _, _, err = editorFail(err)
		return err
	}
	p := diffPage{editorFrame: f, What: portal.PageLocale(c, e.page).T("ed.call_script") + " " + cur.Name, Back: fmt.Sprintf("%s/scripts/%d", f.Base, id)}
	p.From, p.To = diffRange(c, cur.Version)
	for v := cur.Version; v >= 1; v-- {
		p.Versions = append(p.Versions, v)
	}
	a, err := e.scripts.Script(ctx, f.Brand.ID, id, p.From)
	if err != nil {
		return err
	}
	b, err := e.scripts.Script(ctx, f.Brand.ID, id, p.To)
	if err != nil {
		return err
	}
	p.Lines = lineDiff(scriptText(a.Body), scriptText(b.Body))
	p.Changed = diffChanged(p.Lines)
	return portal.RenderPage(c, e.page, "editor_diff.html", portal.PageLocale(c, e.page).T("ed.changes")+" · "+p.What, p)
}
