package dialer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/store"
)

// What the rules (package scripts) keep in the dialer's tables: the brand's rule settings and
// the standard-flow guard are columns of comms_settings, and a rule's call action names a
// campaign. The rules ask here rather than reading those tables.

// ClaimStandardFlow marks brand's standard flow as installed, inside tx, creating the brand's
// settings row when there is none. It reports whether this call made the claim: exactly one
// caller does, on whichever node, because the row's standard_flow_at is the guard.
func (s *Service) ClaimStandardFlow(ctx context.Context, tx store.Tx, brand int64, now time.Time) (bool, error) {
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO comms_settings (brand_id, updated_at) VALUES (?, ?) ON CONFLICT DO NOTHING`),
		brand, now); err != nil {
		return false, fmt.Errorf("comms settings of brand %d: %w", brand, err)
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE comms_settings SET standard_flow_at = ? WHERE brand_id = ? AND standard_flow_at IS NULL`), now, brand)
	if err != nil {
		return false, fmt.Errorf("standard flow of brand %d: %w", brand, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// BrandsWithoutStandardFlow lists the brands whose standard flow was never installed, by id.
// (brands is access's reference table, read here with the dialer's own.)
func (s *Service) BrandsWithoutStandardFlow(ctx context.Context) ([]int64, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT b.id FROM brands b LEFT JOIN comms_settings c ON c.brand_id = b.id
		WHERE c.standard_flow_at IS NULL ORDER BY b.id`)
	if err != nil {
		return nil, fmt.Errorf("brands without a standard flow: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RuleSettings reads a brand's rule settings inside q: how old news may be and still contact
// anyone, and the templates' fallback language. ErrNotFound when the brand has no settings.
func (s *Service) RuleSettings(ctx context.Context, q store.Tx, brand int64) (freshLimit time.Duration, language string, err error) {
	var secs int64
	err = q.QueryRowContext(ctx, s.db.Rebind(`SELECT fresh_limit_s, default_language FROM comms_settings WHERE brand_id = ?`), brand).Scan(&secs, &language)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("settings of brand %d: %w", brand, ErrNotFound)
	}
	if err != nil {
		return 0, "", fmt.Errorf("settings of brand %d: %w", brand, err)
	}
	return time.Duration(secs) * time.Second, language, nil
}

// SetRuleSettings stores a brand's rule settings (the rules validate them).
func (s *Service) SetRuleSettings(ctx context.Context, brand int64, freshLimit time.Duration, language string, now time.Time) error {
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO comms_settings (brand_id, fresh_limit_s, default_language, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET fresh_limit_s = excluded.fresh_limit_s,
		default_language = excluded.default_language, updated_at = excluded.updated_at`),
		brand, int64(freshLimit/time.Second), language, now)
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// CampaignScript returns the call script of brand's campaign id inside q (0 when it has
// none), or ErrNotFound when the brand has no such campaign.
func (s *Service) CampaignScript(ctx context.Context, q store.Tx, brand, id int64) (int64, error) {
	var script sql.NullInt64
	err := q.QueryRowContext(ctx, s.db.Rebind(`SELECT script_id FROM campaigns WHERE id = ? AND brand_id = ?`), id, brand).Scan(&script)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("campaign %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("campaign %d: %w", id, err)
	}
	return script.Int64, nil
}
