package editor

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/scripts"
)

// rulePage is the trigger rule editor: on what news, when (the condition, checked as the
// manager types and again when saving, errors beside the field), do what.
type rulePage struct {
	editorFrame
	New                          bool
	ID                           int64
	Published, Next, FromVersion int
	R                            scripts.Rule
	Codes, Delay                 string
	Errors                       fieldErrors
	Error                        string
	Triggers, Actions, CaseTypes []string
	SMSTemplates, EmailTemplates []string
	Campaigns                    []dialer.Campaign
	History                      versionsView
}

// ruleFromForm reads the form; what cannot be parsed is reported by field.
func ruleFromForm(c *fiber.Ctx, loc i18n.Locale) (scripts.Rule, string, string, fieldErrors) {
	fe := fieldErrors{}
	r := scripts.Rule{Name: strings.TrimSpace(c.FormValue("name")), Enabled: c.FormValue("enabled") != "",
		Trigger: c.FormValue("trigger"), Condition: formText(c, "condition"), Action: c.FormValue("action"),
		Template: c.FormValue("template"), CaseType: c.FormValue("case_type"), Note: strings.TrimSpace(c.FormValue("note"))}
	codes := strings.TrimSpace(c.FormValue("codes"))
	r.Codes = append(r.Codes, strings.FieldsFunc(codes, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })...)
	if v := strings.TrimSpace(c.FormValue("position")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe["position"] = append(fe["position"], loc.T("ed.err_position"))
		}
		r.Position = n
	}
	if v := strings.TrimSpace(c.FormValue("n")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe["n"] = append(fe["n"], loc.T("elapsed.err_n"))
		}
		r.N = n
	}
	if v := c.FormValue("campaign_id"); v != "" {
		r.CampaignID = parseID(v)
	}
	delay := strings.TrimSpace(c.FormValue("delay"))
	if delay != "" && delay != "0" {
		d, err := time.ParseDuration(delay)
		if err != nil {
			fe["delay"] = append(fe["delay"], loc.T("ed.err_delay"))
		}
		r.Delay = dialer.Duration(d)
	}
	if r.Action != "sms" && r.Action != "email" {
		r.Template = ""
	}
	if r.Action != "call" {
		r.CampaignID = 0
	}
	if r.Action != "open_case" {
		r.CaseType, r.Note = "", ""
	}
	return r, codes, delay, fe
}

func (e *editor) showRule(c *fiber.Ctx, p rulePage, status int) error {
	ctx := c.UserContext()
	p.Triggers, p.Actions, p.CaseTypes = scripts.Triggers(), scripts.Actions(), scripts.CaseTypes()
	tpls, err := e.scripts.Templates(ctx, p.Brand.ID)
	if err != nil {
		return err
	}
	for _, t := range tpls {
		list := &p.SMSTemplates
		if t.Channel == "email" {
			list = &p.EmailTemplates
		}
		if !slices.Contains(*list, t.Name) {
			*list = append(*list, t.Name)
		}
	}
	if p.Campaigns, err = e.dialer.Campaigns(ctx, p.Brand.ID); err != nil {
		return err
	}
	if p.Codes == "" {
		p.Codes = strings.Join(p.R.Codes, ", ")
	}
	if p.Delay == "" && p.R.Delay != 0 {
		p.Delay = shortDuration(time.Duration(p.R.Delay))
	}
	loc := portal.PageLocale(c, e.page)
	title := loc.T("ed.new_rule")
	if !p.New {
		title = loc.T("ed.rule") + " " + p.R.Name
	}
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_rule.html", title+" · "+p.Brand.Name, p)
}

func (e *editor) newRule(c *fiber.Ctx) error {
	f, err := e.frame(c, "rules")
	if err != nil {
		return err
	}
	p := rulePage{editorFrame: f, New: true, R: scripts.Rule{Enabled: true, Trigger: "event", Action: "sms"}}
	return e.showRule(c, p, fiber.StatusOK)
}

func (e *editor) loadRule(c *fiber.Ctx, p *rulePage) error {
	ctx, id := c.UserContext(), parseID(c.Params("id"))
	versions, err := e.scripts.RuleVersions(ctx, p.Brand.ID, id)
	if err != nil {
		_, _, _, err = editorFail(err, e.loc(c))
		return err
	}
	cur, err := e.scripts.Rule(ctx, p.Brand.ID, id)
	if err != nil {
		return err
	}
	p.ID, p.R, p.Published, p.Next = id, cur, versions[0].Version, versions[0].Version+1
	rows := make([]versionRow, len(versions))
	for i, v := range versions {
		rows[i] = versionRow{Version: v.Version, Author: v.Author, CreatedAt: v.CreatedAt}
	}
	p.History = historyOf(c, fmt.Sprintf("%s/rules/%d", p.Base, id), p.Published, rows)
	return nil
}

func (e *editor) editRule(c *fiber.Ctx) error {
	f, err := e.frame(c, "rules")
	if err != nil {
		return err
	}
	p := rulePage{editorFrame: f}
	if err := e.loadRule(c, &p); err != nil {
		return err
	}
	if v := versionParam(c, "version"); v > 0 && v != p.Published {
		old, err := e.scripts.RuleVersionOf(c.UserContext(), p.Brand.ID, p.ID, v)
		if err != nil {
			_, _, _, err = editorFail(err, e.loc(c))
			return err
		}
		p.R, p.FromVersion = old.Rule, v
	}
	return e.showRule(c, p, fiber.StatusOK)
}

// saveRule saves the form as the rule's next version; on errors the form comes back as
// typed, each error beside its field.
func (e *editor) saveRule(c *fiber.Ctx) error {
	f, err := e.frame(c, "rules")
	if err != nil {
		return err
	}
	p := rulePage{editorFrame: f, New: c.Params("id") == ""}
	if !p.New {
		if err := e.loadRule(c, &p); err != nil {
			return err
		}
	}
	var fe fieldErrors
	p.R, p.Codes, p.Delay, fe = ruleFromForm(c, portal.PageLocale(c, e.page))
	if len(fe) > 0 {
		p.Errors = fe
		if probs := scripts.CheckRule(c.UserContext(), p.R); len(probs) > 0 {
			more, _ := problemsOf(probs, e.loc(c))
			for k, v := range more {
				if _, seen := p.Errors[k]; !seen {
					p.Errors[k] = v
				}
			}
		}
		return e.showRule(c, p, fiber.StatusUnprocessableEntity)
	}
	r, err := e.scripts.SaveRuleVersion(c.UserContext(), p.Brand.ID, p.ID, p.R, author(c))
	if err != nil {
		var status int
		if p.Errors, p.Error, status, err = editorFail(err, e.loc(c)); err != nil {
			return err
		}
		return e.showRule(c, p, status)
	}
	vs, err := e.scripts.RuleVersions(c.UserContext(), p.Brand.ID, r.ID)
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("%s/rules/%d?saved=%d", f.Base, r.ID, vs[0].Version), fiber.StatusSeeOther)
}

func (e *editor) rollbackRule(c *fiber.Ctx) error {
	brand, id, v := brandOfPage(c), parseID(c.Params("id")), versionParam(c, "version")
	if v == 0 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "choose the version to roll back to")
	}
	old, err := e.scripts.RuleVersionOf(c.UserContext(), brand, id, v)
	if err != nil {
		_, _, _, err = editorFail(err, e.loc(c))
		return err
	}
	if _, err := e.scripts.SaveRuleVersion(c.UserContext(), brand, id, old.Rule, author(c)); err != nil {
		// The old version may name a template that is gone: say so rather than fail.
		if fe, ok := problemsOf(err, e.loc(c)); ok {
			var msgs []string
			for k, v := range fe {
				msgs = append(msgs, k+": "+strings.Join(v, "; "))
			}
			return fiber.NewError(fiber.StatusUnprocessableEntity, "version "+strconv.Itoa(v)+" cannot be restored: "+strings.Join(msgs, "; "))
		}
		return err
	}
	vs, err := e.scripts.RuleVersions(c.UserContext(), brand, id)
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/editor/%d/rules/%d?saved=%d&rolledback=%d", brand, id, vs[0].Version, v), fiber.StatusSeeOther)
}

// ruleText is a rule version as the diff compares it.
func ruleText(r scripts.Rule) string {
	var w strings.Builder
	fmt.Fprintf(&w, "name: %s\nenabled: %t\nposition: %d\ntrigger: %s\ncodes: %s\ncondition:\n", r.Name, r.Enabled, r.Position, r.Trigger, strings.Join(r.Codes, ", "))
	for _, l := range strings.Split(r.Condition, "\n") {
		w.WriteString("  " + l + "\n")
	}
	fmt.Fprintf(&w, "action: %s\n", r.Action)
	switch r.Action {
	case "sms", "email":
		fmt.Fprintf(&w, "template: %s\n", r.Template)
	case "call":
		fmt.Fprintf(&w, "campaign: %d\n", r.CampaignID)
	case "open_case":
		fmt.Fprintf(&w, "case type: %s\nnote: %s\n", r.CaseType, r.Note)
	}
	fmt.Fprintf(&w, "delay: %s\n", shortDuration(time.Duration(r.Delay)))
	return w.String()
}

func (e *editor) diffRule(c *fiber.Ctx) error {
	f, err := e.frame(c, "rules")
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), parseID(c.Params("id"))
	versions, err := e.scripts.RuleVersions(ctx, f.Brand.ID, id)
	if err != nil {
		_, _, _, err = editorFail(err, e.loc(c))
		return err
	}
	p := diffPage{editorFrame: f, What: portal.PageLocale(c, e.page).T("ed.rule") + " " + versions[0].Rule.Name, Back: fmt.Sprintf("%s/rules/%d", f.Base, id)}
	p.From, p.To = diffRange(c, versions[0].Version)
	texts := map[int]string{}
	for _, v := range versions {
		p.Versions = append(p.Versions, v.Version)
		texts[v.Version] = ruleText(v.Rule)
	}
	p.Lines = lineDiff(texts[p.From], texts[p.To])
	p.Changed = diffChanged(p.Lines)
	return portal.RenderPage(c, e.page, "editor_diff.html", portal.PageLocale(c, e.page).T("ed.changes")+" · "+p.What, p)
}

// checkRule validates the rule form's JSON for the live check beside the condition.
func (e *editor) checkRule(c *fiber.Ctx) error {
	var in struct {
		scripts.Rule
		Delay string `json:"delay"` // as typed
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": "the check request must be JSON: " + err.Error()})
	}
	r := in.Rule
	fe, _ := problemsOf(scripts.CheckRule(c.UserContext(), r), e.loc(c))
	if d := strings.TrimSpace(in.Delay); d != "" && d != "0" {
		if _, err := time.ParseDuration(d); err != nil {
			fe["delay"] = []string{portal.PageLocale(c, e.page).T("ed.err_delay")}
		}
	}
	return c.JSON(fiber.Map{"ok": len(fe) == 0, "errors": fe})
}
