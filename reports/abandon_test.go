package reports

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// TestAbandonRateWindows: the abandon rate is abandoned calls over calls answered by a person,
// machines per AMD left out, per campaign, over the last 24 hours and the last 30 days by
// answer time; another brand's campaign and calls are neither shown nor counted.
func TestAbandonRateWindows(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	a, _, err := acc.CreateBrand(ctx, "Brand A")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := acc.CreateBrand(ctx, "Brand B")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	campaign := func(brand int64, name, mode string) int64 {
		var id int64
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, status, created_at, updated_at)
			VALUES (?, ?, ?, 'running', ?, ?) RETURNING id`), brand, name, mode, now, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	pred, prog, theirs := campaign(a.ID, "COD predictive", "predictive"), campaign(a.ID, "COD progressive", "progressive"), campaign(b.ID, "B calls", "predictive")
	call := func(brand, campaign int64, ago time.Duration, outcome string, amd any) {
		at := now.Add(-ago)
		var answered any = at
		if outcome == "no_answer" && amd == nil {
			answered = nil
		}
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO calls (direction, mode, brand_id, campaign_ref, started_at, answered_at, ended_at, outcome, amd_result)
			VALUES ('outbound', 'predictive', ?, ?, ?, ?, ?, ?, ?)`), brand, strconv.FormatInt(campaign, 10), at, answered, at, outcome, amd); err != nil {
			t.Fatal(err)
		}
	}
	// Last 24 h: 8 people (2 abandoned, one of them AMD-unsure), a machine dropped and one
	// connected anyway (amd connect), an unanswered call.
	for range 6 {
		call(a.ID, pred, time.Hour, "answered", nil)
	}
	call(a.ID, pred, 2*time.Hour, "abandoned", "human")
	call(a.ID, pred, 3*time.Hour, "abandoned", "unsure")
	call(a.ID, pred, time.Hour, "no_answer", "machine")
	call(a.ID, pred, time.Hour, "answered", "machine")
	call(a.ID, pred, time.Hour, "no_answer", nil)
	// 2-30 days ago: 10 people, none abandoned; older than 30 days: abandoned, not counted.
	for range 10 {
		call(a.ID, pred, 5*24*time.Hour, "answered", "human")
	}
	call(a.ID, pred, 31*24*time.Hour, "abandoned", nil)
	call(a.ID, prog, time.Hour, "answered", nil)
	call(b.ID, theirs, time.Hour, "abandoned", nil)

	list, err := Abandons(ctx, db, access.Brands(a.ID), 0, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].CampaignID != pred || list[1].CampaignID != prog {
		t.Fatalf("campaigns %+v, want brand A's predictive then progressive campaign only", list)
	}
	got := list[0]
	if got.Day.Answered != 8 || got.Day.Abandoned != 2 || got.Day.Rate != 0.25 || !got.Day.Over {
		t.Errorf("24 h window %+v, want 2 of 8 person answers abandoned (25%%, over the limit)", got.Day)
	}
	if got.Month.Answered != 18 || got.Month.Abandoned != 2 || got.Month.Rate != 2.0/18 {
		t.Errorf("30 day window %+v, want 2 of 18", got.Month)
	}
	if p := list[1]; p.Day.Answered != 1 || p.Day.Abandoned != 0 || p.Day.Rate != 0 || p.Day.Over {
		t.Errorf("progressive campaign %+v, want 1 answer, none abandoned", p.Day)
	}
	one, err := Abandons(ctx, db, access.Brands(a.ID), theirs, now)
	if err != nil || len(one) != 0 {
		t.Errorf("brand B's campaign asked for under brand A: %+v %v, want nothing", one, err)
	}
}
