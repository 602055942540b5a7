package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
)

// TestMigration00018KeepsCampaignsAndTheirRules: 00018 lets campaigns be predictive and gives
// them an AMD setting (SQLite rebuilds the table for the CHECK). A database with campaigns and
// rules feeding them keeps both, the rule still naming its campaign, and the new AMD setting
// is off; going back down turns predictive campaigns into progressive ones.
func TestMigration00018KeepsCampaignsAndTheirRules(t *testing.T) {
	ctx := context.Background()
	db, p, exec := migratedTo(t, 17)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	exec(`INSERT INTO brands (id, name, created_at) VALUES (1, 'Acme', ?)`, now)
	exec(`INSERT INTO campaigns (id, brand_id, name, mode, caller_id, status, created_at, updated_at)
		VALUES (7, 1, 'COD calls', 'progressive', '+74950000000', 'running', ?, ?)`, now, now)
	exec(`INSERT INTO rules (id, brand_id, name, trigger_kind, action, campaign_id, created_at, updated_at)
		VALUES (3, 1, 'Call on COD', 'status', 'call', 7, ?, ?)`, now, now)
	if _, err := p.UpTo(ctx, 18); err != nil {
		t.Fatalf("migration 00018 on a database with a campaign and its rule: %v", err)
	}

	var name, mode, amd, caller string
	if err := db.SQL.QueryRowContext(ctx, `SELECT name, mode, amd, caller_id FROM campaigns WHERE id = 7`).Scan(&name, &mode, &amd, &caller); err != nil {
		t.Fatalf("campaign 7 after 00018: %v", err)
	}
	if name != "COD calls" || mode != "progressive" || amd != "off" || caller != "+74950000000" {
		t.Errorf("campaign 7 after 00018 = %q %q amd=%q %q, want it unchanged with amd off", name, mode, amd, caller)
	}
	var camp int64
	if err := db.SQL.QueryRowContext(ctx, `SELECT campaign_id FROM rules WHERE id = 3`).Scan(&camp); err != nil || camp != 7 {
		t.Errorf("rule 3 feeds campaign %d (%v) after 00018, want 7", camp, err)
	}
	exec(`INSERT INTO campaigns (id, brand_id, name, mode, amd, status, created_at, updated_at)
		VALUES (8, 1, 'Fast', 'predictive', 'hangup', 'draft', ?, ?)`, now, now)
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, amd, status, created_at, updated_at)
		VALUES (1, 'Bad', 'progressive', 'maybe', 'draft', ?, ?)`), now, now); err == nil {
		t.Error("amd 'maybe' was stored: the CHECK is missing")
	}
	exec(`INSERT INTO campaigns (id, brand_id, name, mode, status, created_at, updated_at)
		VALUES (9, 1, 'Later', 'progressive', 'draft', ?, ?)`, now, now)
	// SQLite: the rebuilt table's AUTOINCREMENT carries on after the copied ids. (PostgreSQL
	// keeps its sequence, which explicit ids above never advanced: not checked there.)
	if db.Dialect == store.SQLite {
		var id int64
		if err := db.SQL.QueryRowContext(ctx, `INSERT INTO campaigns (brand_id, name, mode, status, created_at, updated_at)
			VALUES (1, 'Next', 'preview', 'draft', ?, ?) RETURNING id`, now, now).Scan(&id); err != nil || id <= 9 {
			t.Errorf("a new campaign got id %d (%v), want one after 9", id, err)
		}
	}
	exec(`UPDATE calls SET amd_result = NULL, amd_cause = NULL, amd_ms = NULL WHERE 1 = 0`)

	if _, err := p.DownTo(ctx, 17); err != nil {
		t.Fatalf("00018 down: %v", err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT mode FROM campaigns WHERE id = 8`).Scan(&mode); err != nil || mode != "progressive" {
		t.Errorf("predictive campaign after 00018 down: mode %q (%v), want progressive", mode, err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT campaign_id FROM rules WHERE id = 3`).Scan(&camp); err != nil || camp != 7 {
		t.Errorf("rule 3 feeds campaign %d (%v) after 00018 down, want 7", camp, err)
	}
}
