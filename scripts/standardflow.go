package scripts

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
)

// ensureFlow installs the standard flow for a brand that has none yet, inside tx. Brands
// get it lazily — on their first news, on their first look at the editor API, or when wismo
// starts — so brands created before (by the demo, the CLI, another node) get it too, exactly
// once: the comms_settings row's standard_flow_at is the guard.
func (s *Service) ensureFlow(ctx context.Context, tx store.Tx, brand int64) error {
	s.mu.Lock()
	done := s.flows[brand]
	s.mu.Unlock()
	if done {
		return nil
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO comms_settings (brand_id, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING`),
		brand, now); err != nil {
		return fmt.Errorf("comms settings of brand %d: %w", brand, err)
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE comms_settings SET standard_flow_at = ? WHERE brand_id = ? AND standard_flow_at IS NULL`), now, brand)
	if err != nil {
		return fmt.Errorf("standard flow of brand %d: %w", brand, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
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
	for _, t := range standardTemplates() {
		if _, probs := compileContent(ctx, t.channel, t.content, sample); len(probs) > 0 {
			return probs // a defect of the shipped flow, caught by its tests
		}
		if _, err := s.publishTemplate(ctx, tx, brand, 0, TemplateInput{Name: t.name, Channel: t.channel, Language: t.lang, Content: t.content}, "wismo"); err != nil {
			return err
		}
	}
	script, err := s.publishScript(ctx, tx, brand, 0, standardScript(), "wismo")
	if err != nil {
		return err
	}
	campaign, err := s.opts.Planner.CreateCampaign(ctx, tx, brand, dialer.Campaign{Name: StandardCampaign, ScriptID: script,
		Mode: "progressive", Status: "running"})
	if err != nil {
		return err
	}
	for i, r := range standardRules(campaign) {
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
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT b.id FROM brands b LEFT JOIN comms_settings c ON c.brand_id = b.id
		WHERE c.standard_flow_at IS NULL ORDER BY b.id`)
	if err != nil {
		return fmt.Errorf("brands without a standard flow: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
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
	var secs int64
	var lang string
	err := q.QueryRowContext(ctx, s.db.Rebind(`SELECT fresh_limit_s, default_language FROM comms_settings WHERE brand_id = ?`), brand).Scan(&secs, &lang)
	if err == nil {
		st.FreshLimit, st.DefaultLanguage = dialer.Duration(time.Duration(secs)*time.Second), lang
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
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO comms_settings (brand_id, fresh_limit_s, default_language, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET fresh_limit_s = excluded.fresh_limit_s,
		default_language = excluded.default_language, updated_at = excluded.updated_at`),
		brand, int64(d/time.Second), st.DefaultLanguage, s.now())
	if err != nil {
		return Settings{}, fmt.Errorf("save settings: %w", err)
	}
	return st, nil
}
