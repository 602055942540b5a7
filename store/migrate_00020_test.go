package store_test

import (
	"context"
	"testing"
	"time"
)

// TestMigration00020KeepsCampaignsAndCallbackRequests: 00020 lets campaigns be robocalls and
// callback requests come from a caller who pressed 1 in the queue (SQLite rebuilds both tables
// for their CHECKs). Campaigns keep their rules and AMD setting, callback requests their
// callback; going back down turns robocall campaigns into progressive ones and queue requests
// into max_wait ones.
func TestMigration00020KeepsCampaignsAndCallbackRequests(t *testing.T) {
	ctx := context.Background()
	db, p, exec := migratedTo(t, 19)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	exec(`INSERT INTO brands (id, name, created_at) VALUES (1, 'Acme', ?)`, now)
	exec(`INSERT INTO campaigns (id, brand_id, name, mode, caller_id, status, created_at, updated_at, amd)
		VALUES (7, 1, 'COD calls', 'predictive', '+74950000000', 'running', ?, ?, 'hangup')`, now, now)
	exec(`INSERT INTO rules (id, brand_id, name, trigger_kind, action, campaign_id, created_at, updated_at)
		VALUES (3, 1, 'Call on COD', 'status', 'call', 7, ?, ?)`, now, now)
	exec(`INSERT INTO callback_requests (id, brand_id, parcel_id, phone, reason, requested_at)
		VALUES (4, 1, 'RB123456785GB', '+79131234567', 'max_wait', ?)`, now)
	if _, err := p.UpTo(ctx, 20); err != nil {
		t.Fatalf("migration 00020: %v", err)
	}
	var mode, amd, reason string
	var camp int64
	if err := db.SQL.QueryRowContext(ctx, `SELECT mode, amd FROM campaigns WHERE id = 7`).Scan(&mode, &amd); err != nil || mode != "predictive" || amd != "hangup" {
		t.Errorf("campaign 7 after 00020: %q %q (%v)", mode, amd, err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT campaign_id FROM rules WHERE id = 3`).Scan(&camp); err != nil || camp != 7 {
		t.Errorf("rule 3 feeds campaign %d (%v) after 00020, want 7", camp, err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT reason FROM callback_requests WHERE id = 4`).Scan(&reason); err != nil || reason != "max_wait" {
		t.Errorf("callback request 4 after 00020: %q (%v)", reason, err)
	}
	exec(`INSERT INTO campaigns (id, brand_id, name, mode, status, created_at, updated_at) VALUES (8, 1, 'Robo', 'robocall', 'draft', ?, ?)`, now, now)
	exec(`INSERT INTO callback_requests (id, brand_id, parcel_id, phone, reason, requested_at) VALUES (5, 1, 'RB123456785GB', '+79131234567', 'queue', ?)`, now)
	exec(`INSERT INTO ivr_prompts (brand_id, name, lang, text, updated_at) VALUES (1, 'robocall', 'ru', 'Привет', ?)`, now)
	exec(`UPDATE calls SET ivr_answer = 'confirm', ivr_keys = '1' WHERE 1 = 0`)
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO callback_requests (brand_id, phone, reason, requested_at) VALUES (1, 'x', 'whim', ?)`), now); err == nil {
		t.Error("reason 'whim' was stored: the CHECK is missing")
	}
	if _, err := p.DownTo(ctx, 19); err != nil {
		t.Fatalf("00020 down: %v", err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT mode FROM campaigns WHERE id = 8`).Scan(&mode); err != nil || mode != "progressive" {
		t.Errorf("robocall campaign after 00020 down: %q (%v), want progressive", mode, err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT reason FROM callback_requests WHERE id = 5`).Scan(&reason); err != nil || reason != "max_wait" {
		t.Errorf("queue callback request after 00020 down: %q (%v), want max_wait", reason, err)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT campaign_id FROM rules WHERE id = 3`).Scan(&camp); err != nil || camp != 7 {
		t.Errorf("rule 3 feeds campaign %d (%v) after 00020 down, want 7", camp, err)
	}
	if _, err := p.UpTo(ctx, 20); err != nil {
		t.Fatalf("00020 up again: %v", err)
	}
}
