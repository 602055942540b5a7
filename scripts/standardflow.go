package scripts

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/scripts/elapsedrules"
	"github.com/wismo/wismo/store"
)

// ensureFlow installs the standard flow for a brand that has none yet, inside tx. Brands
// get it lazily — on their first news, on their first look at the editor API, or when wismo
// starts — so brands created before (by the demo, the CLI, another node) get it too, exactly
// once: the dialer's comms_settings row is the guard (dialer.ClaimStandardFlow).
func (s *Service) ensureFlow(ctx context.Context, tx store.Tx, brand int64) error {
	s.mu.Lock()
	done := s.flows[brand]
	s.mu.Unlock()
	if done {
		return nil
	}
	first, err := s.opts.Planner.ClaimStandardFlow(ctx, tx, brand, s.now())
	if err != nil {
		return err
	}
	if first {
		if err := s.installFlow(ctx, tx, brand); err != nil {
			return fmt.Errorf("install the standard flow for brand %d: %w", brand, err)
		}
		s.log.Info("standard flow installed", "brand", brand)
	}
	s.mu.Lock()
	s.flows[brand] = true
	s.mu.Unlock()
	return nil
}

func (s *Service) installFlow(ctx context.Context, tx store.Tx, brand int64) error {
	sample := SampleData(s.opts.PublicURL)
	tpls := standardTemplates()
	for _, t := range elapsedrules.StandardTemplates() { // the rules on elapsed time (docs/elapsed.md)
		tpls = append(tpls, stdTemplate{t.Name, "sms", t.Language, Content{SMS: t.SMS}})
	}
	for _, t := range tpls {
		if _, probs := compileContent(ctx, t.channel, t.content, sample); len(probs) > 0 {
			return probs // a defect of the shipped flow, caught by its tests
		}
		if _, err := s.publishTemplate(ctx, tx, brand, 0, TemplateInput{Name: t.name, Channel: t.channel, Language: t.lang, Content: t.content}, "wismo"); err != nil {
			return err
		}
	}
	std := standardScript()
	script, err := s.publishScript(ctx, tx, brand, 0, std.Name, std.Variants, "wismo")
	if err != nil {
		return err
	}
	campaign, err := s.opts.Planner.CreateCampaign(ctx, tx, brand, dialer.Campaign{Name: StandardCampaign, ScriptID: script,
		Mode: "progressive", Status: "running"})
	if err != nil {
		return err
	}
	rules := standardRules(campaign)
	for _, r := range elapsedrules.StandardRules() { // on elapsed time
		rules = append(rules, Rule{Name: r.Name, Trigger: r.Trigger, N: r.N, Condition: r.Condition, Action: r.Action, Template: r.Template,
			CaseType: r.CaseType, Note: r.Note})
	}
	for i, r := range rules {
		r.Enabled, r.Position = true, (i+1)*10
		if probs := r.validate(ctx); len(probs) > 0 {
			return probs
		}
		if _, err := s.writeRule(ctx, tx, brand, 0, r); err != nil {
			return err
		}
	}
	return nil
}

// EnsureStandardFlow installs the standard flow for brand if it has none. Once known
// installed, it costs nothing (no write transaction).
func (s *Service) EnsureStandardFlow(ctx context.Context, brand int64) error {
	s.mu.Lock()
	done := s.flows[brand]
	s.mu.Unlock()
	if done {
		return nil
	}
	return s.db.WriteTx(ctx, func(tx store.Tx) error { return s.ensureFlow(ctx, tx, brand) })
}

// installMissing gives every brand without a standard flow its own (at start).
func (s *Service) installMissing(ctx context.Context) error {
	ids, err := s.opts.Planner.BrandsWithoutStandardFlow(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.EnsureStandardFlow(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Settings are a brand's rule settings.
type Settings struct {
	FreshLimit      dialer.Duration `json:"fresh_limit"`      // news older than this contacts no one
	DefaultLanguage string          `json:"default_language"` // templates' fallback language
}

// settings reads a brand's rule settings (defaults: 24 hours, English).
func (s *Service) settings(ctx context.Context, q store.Tx, brand int64) (Settings, error) {
	st := Settings{FreshLimit: dialer.Duration(24 * time.Hour), DefaultLanguage: "en"}
	fresh, lang, err := s.opts.Planner.RuleSettings(ctx, q, brand)
	if err == nil {
		st.FreshLimit, st.DefaultLanguage = dialer.Duration(fresh), lang
	}
	return st, nil
}

// Settings returns a brand's rule settings.
func (s *Service) Settings(ctx context.Context, brand int64) (Settings, error) {
	return s.settings(ctx, s.db.SQL, brand)
}

// SetSettings changes a brand's rule settings.
func (s *Service) SetSettings(ctx context.Context, brand int64, st Settings) (Settings, error) {
	d := time.Duration(st.FreshLimit)
	if d < time.Minute || d > 30*24*time.Hour {
		return Settings{}, Problems{{Field: "fresh_limit", Message: "between 1m and 720h"}}
	}
	if len(st.DefaultLanguage) < 2 || len(st.DefaultLanguage) > 8 {
		return Settings{}, Problems{{Field: "default_language", Message: "an ISO 639-1 code such as en or ru"}}
	}
	if err := s.opts.Planner.SetRuleSettings(ctx, brand, d, st.DefaultLanguage, s.now()); err != nil {
		return Settings{}, err
	}
	return st, nil
}
