package portal

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/reports/reportstest"
)

// TestDashboardShowsAbandonRates: the supervisor sees each of their brand's campaigns' abandon
// rates over 24 hours and 30 days, flagged over 3%, in English and in Russian, and not
// another brand's campaigns.
func TestDashboardShowsAbandonRates(t *testing.T) {
	e := newDashEnv(t)
	ctx := context.Background()
	now := reportstest.Now
	campaign := func(brand int64, name string) string {
		var id int64
		if err := e.db.SQL.QueryRowContext(ctx, e.db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, status, created_at, updated_at)
			VALUES (?, ?, 'predictive', 'running', ?, ?) RETURNING id`), brand, name, now, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(id, 10)
	}
	call := func(brand int64, ref string, ago time.Duration, outcome string) {
		at := now.Add(-ago)
		if _, err := e.db.SQL.ExecContext(ctx, e.db.Rebind(`INSERT INTO calls (direction, mode, brand_id, campaign_ref, started_at, answered_at, ended_at, outcome)
			VALUES ('outbound', 'predictive', ?, ?, ?, ?, ?, ?)`), brand, ref, at, at, at, outcome); err != nil {
			t.Fatal(err)
		}
	}
	mine, theirs := campaign(e.brandA, "COD reminders A"), campaign(e.brandB, "B's secret campaign")
	for range 3 {
		call(e.brandA, mine, time.Hour, "answered")
	}
	call(e.brandA, mine, 2*time.Hour, "abandoned")
	for range 36 {
		call(e.brandA, mine, 10*24*time.Hour, "answered")
	}
	call(e.brandB, theirs, time.Hour, "abandoned")

	sup := e.browser(t, "sup@a.example")
	page := sup.do("GET", "/dashboard", nil)
	if page.status != 200 {
		t.Fatalf("dashboard: %d", page.status)
	}
	// 24 h: 1 of 4 (25.0%, over); 30 days: 1 of 40 (2.5%).
	for _, want := range []string{"Abandoned outbound calls (limit 3%)", "COD reminders A", "25.0% (over the limit)", "2.5%", "predictive"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(page.body, "2.5% (over") {
		t.Errorf("the 30-day rate of 2.5%% is flagged over the 3%% limit")
	}
	if strings.Contains(page.body, "B's secret campaign") {
		t.Errorf("brand A's dashboard shows brand B's campaign")
	}
	ru := sup.doWith("GET", "/dashboard", nil, "Accept-Language", "ru")
	for _, want := range []string{"Брошенные исходящие звонки (предел 3%)", "Доля брошенных, 30 дней", "(выше предела)", "предиктивный"} {
		if !strings.Contains(ru.body, want) {
			t.Errorf("Russian dashboard lacks %q", want)
		}
	}
	csv := sup.do("GET", "/dashboard/export/abandons.csv", nil)
	if csv.status != 200 || !strings.Contains(csv.body, "COD reminders A") {
		t.Errorf("abandons CSV: %d %s", csv.status, csv.body)
	}
}
