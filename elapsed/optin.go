package elapsed

import (
	"context"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/scripts/elapsedrules"
)

// OptIn gives a brand that had the standard flow before the rules on elapsed time its three
// defaults (customs hold for 3 days: SMS; no scan for 7 days: a case; pick-up deadline in 2
// days: SMS) with their templates. What the brand already has by name is left as it is; it
// returns the names of what it added. New brands get them with the standard flow.
func OptIn(ctx context.Context, sc *scripts.Service, brand int64) ([]string, error) {
	have, err := sc.Templates(ctx, brand)
	if err != nil {
		return nil, err
	}
	added := []string{}
	for _, st := range elapsedrules.StandardTemplates() {
		t := scripts.TemplateInput{Name: st.Name, Channel: "sms", Language: st.Language, Content: scripts.Content{SMS: st.SMS}}
		if slices.ContainsFunc(have, func(h scripts.Template) bool {
			return h.Name == t.Name && h.Channel == t.Channel && h.Language == t.Language
		}) {
			continue
		}
		if _, err := sc.SaveTemplate(ctx, brand, 0, t, "wismo"); err != nil {
			return added, fmt.Errorf("template %s (%s): %w", t.Name, t.Language, err)
		}
		added = append(added, "template "+t.Name+" ("+t.Language+")")
	}
	existing, err := sc.Rules(ctx, brand)
	if err != nil {
		return added, err
	}
	for i, sr := range elapsedrules.StandardRules() {
		r := scripts.Rule{Name: sr.Name, Enabled: true, Trigger: sr.Trigger, N: sr.N, Condition: sr.Condition, Action: sr.Action,
			Template: sr.Template, CaseType: sr.CaseType, Note: sr.Note}
		if slices.ContainsFunc(existing, func(e scripts.Rule) bool { return e.Name == r.Name }) {
			continue
		}
		r.Position = 1000 + 10*i
		if _, err := sc.SaveRule(ctx, brand, 0, r); err != nil {
			return added, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		added = append(added, "rule "+r.Name)
	}
	return added, nil
}

// Routes mounts POST /api/v1/rules/elapsed-defaults: a brand opts in to the standard rules
// on elapsed time (OptIn); answers {"added": [...]} (empty when it had them all). A caller of
// several brands names one with ?brand=ID; brand managers, admins and brand keys only.
func Routes(r fiber.Router, sc *scripts.Service) {
	r.Post("/api/v1/rules/elapsed-defaults", func(c *fiber.Ctx) error {
		brand, err := access.QueryBrand(c, access.RoleBrandManager, access.RoleAdmin)
		if err != nil {
			return err
		}
		if err := sc.EnsureStandardFlow(c.UserContext(), brand); err != nil {
			return err
		}
		added, err := OptIn(c.UserContext(), sc, brand)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"added": added})
	})
}
