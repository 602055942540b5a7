package portal

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A recording whose call is linked to a case names the case on the dashboard, linked to
// the case page (issue 15: every case number in the staff pages links to /cases/{number}).
func TestDashboardRecordingLinksItsCase(t *testing.T) {
	e := newDashEnv(t)
	ctx := context.Background()
	var call, caseID int64
	var number string
	if err := e.db.SQL.QueryRowContext(ctx, e.db.Rebind(`SELECT call_id FROM recordings WHERE id = ?`), e.w.RecA).Scan(&call); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SQL.QueryRowContext(ctx, e.db.Rebind(`SELECT id, number FROM cases WHERE brand_id = ? ORDER BY id LIMIT 1`), e.brandA).Scan(&caseID, &number); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SQL.ExecContext(ctx, e.db.Rebind(`INSERT INTO call_cases (call_id, case_id, brand_id, actor, created_at) VALUES (?, ?, ?, 'test', ?)`),
		call, caseID, e.brandA, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	page := e.browser(t, "sup@a.example").do("GET", "/dashboard?from=2026-11-10&to=2026-11-16", nil)
	if want := `<a class="mono" href="/cases/` + number + `">` + number + `</a>`; page.status != 200 || !strings.Contains(page.body, want) {
		t.Fatalf("the dashboard's recording should link case %s (%s): %d %s", number, want, page.status, page.body)
	}
}
