package scripts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/tracking"
)

// act does a rule's action for the news: adds an SMS, an email or a call to the batch's
// plan, or records a case to open. It returns the contact as later rules (of this news and
// of later news about the parcel in the batch) see it; nil for cases and for actions that
// could not be done.
func (s *Service) act(ctx context.Context, b *batch, r *compiledRule, n news, p tracking.ParcelView, set Settings, now time.Time) (*ContactEnv, error) {
	tx := b.tx
	ref := n.ref
	if ref == "" {
		ref = "outbox:" + n.msg.Ref()
	}
	notBefore := now.Add(time.Duration(r.Delay))
	req := dialer.Request{BrandID: p.BrandID, ParcelID: p.ID, TimeZone: p.Recipient.TimeZone, Language: p.Recipient.Language,
		RuleID: r.ID, TriggerRef: ref, NotBefore: notBefore}
	seen := &ContactEnv{Rule: r.Name, Status: string(dialer.StatusPlanned)}
	switch r.Action {
	case "sms", "email":
		tpl, err := b.template(ctx, s, p.BrandID, r.Template, r.Action, p.Recipient.Language, set.DefaultLanguage)
		if err != nil {
			s.log.Warn("rule names a template the brand no longer has; skipped", "rule", r.ID, "template", r.Template)
			return nil, nil
		}
		fields, err := s.compiledTemplate(ctx, tpl)
		if err != nil {
			s.log.Warn("published template does not compile; skipped", "rule", r.ID, "template", tpl.ID, "err", err)
			return nil, nil
		}
		out, err := render(ctx, tpl.Channel, fields, dataFor(p, n.event, s.brandName(ctx, p.BrandID), s.trackingLink(p.ID), s.opts.Words.Brand(ctx, p.BrandID, p.Recipient.Language)))
		if err != nil && ctx.Err() != nil {
			return nil, err // wismo is stopping: the news is handled again after the restart
		}
		if err != nil { // over budget or failing on this parcel's data, like a condition
			s.log.Warn("template failed on this parcel; skipped", "rule", r.ID, "template", tpl.ID, "err", err)
			return nil, nil
		}
		req.Channel, req.TemplateID, req.TemplateVersion = dialer.Channel(r.Action), tpl.ID, int64(tpl.Version)
		req.Subject, req.Body, req.HTML = out.Subject, out.Text, out.HTML
		req.To = p.Recipient.Phone
		if r.Action == "email" {
			req.To = p.Recipient.Email
		}
		seen.Channel, seen.Template = r.Action, r.Template
	case "call":
		script, err := s.opts.Planner.CampaignScript(ctx, tx, p.BrandID, r.CampaignID)
		if errors.Is(err, dialer.ErrNotFound) {
			s.log.Warn("rule names a campaign the brand no longer has; skipped", "rule", r.ID, "campaign", r.CampaignID)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		version, err := s.scriptVersion(ctx, tx, script)
		if err != nil {
			return nil, fmt.Errorf("campaign %d: %w", r.CampaignID, err)
		}
		req.Channel, req.CampaignID, req.To = dialer.Call, r.CampaignID, p.Recipient.Phone
		req.ScriptID, req.ScriptVersion = script, version
		seen.Channel, seen.CampaignID = "call", int(r.CampaignID)
	case "open_case":
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO rule_case_requests (brand_id, parcel_id, rule_id, trigger_ref, case_type,
			note, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`),
			p.BrandID, p.ID, r.ID, ref, r.CaseType, r.Note, now, now)
		if err != nil {
			return nil, fmt.Errorf("case request: %w", err)
		}
		return nil, nil
	default:
		return nil, nil
	}
	b.reqs = append(b.reqs, req)
	return seen, nil
}

// compiledTemplate returns a template version's parsed fields, parsing each version once.
func (s *Service) compiledTemplate(ctx context.Context, t Template) ([]compiled, error) {
	k := tplKey{t.ID, t.Version}
	s.mu.Lock()
	fields, ok := s.tpls[k]
	s.mu.Unlock()
	if ok {
		return fields, nil
	}
	fields, probs := compileContent(ctx, t.Channel, t.Content, SampleData(s.opts.PublicURL))
	if len(probs) > 0 {
		return nil, probs
	}
	s.mu.Lock()
	if len(s.tpls) > 10000 {
		clear(s.tpls)
	}
	s.tpls[k] = fields
	s.mu.Unlock()
	return fields, nil
}
