package floor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/routing"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/demo/carrier"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/reports/ccmetrics"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestFloor: after the demo load as `make run` does it (Run, Cases, Queue, Workspace, Create)
// every feature of the floor has something to show: the agent's languages and skill and the
// queue's routing, today's queue figures (answered, abandoned, deflected), transfers with the
// second agent's leg and a conference, a supervisor who listened then whispered, a scorecard
// per brand and a passed and a failed review the agent sees, transcripts of the recorded calls
// that are the demo voices' scripts and that the search key finds, and retention with a hold.
func TestFloor(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	db := storetest.Open(t)
	log := storetest.Logger(t)
	parcels := tracking.NewService(db, log, nil)
	if _, err := demo.Run(ctx, demo.Options{Parcels: 600, Seed: 7, Now: now}, access.NewService(db), parcels, log); err != nil {
		t.Fatal(err)
	}
	cs := cases.NewCaseService(db, log, "http://127.0.0.1:8080")
	if _, err := demo.Cases(ctx, demo.CaseOptions{Cases: 60, Seed: 7, Now: now}, db, cs, log); err != nil {
		t.Fatal(err)
	}
	dl, err := dialer.New(db, log, dialer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := Queue(ctx, db, log)
	if err != nil {
		t.Fatal(err)
	}
	deps := demo.WorkspaceDeps{DB: db, Parcels: parcels, Cases: cs, Calls: callcenter.NewCallLog(db),
		Recordings: recordings.NewService(db, t.TempDir(), log), Dialer: dl, Log: log, Voice: carrier.Clip, HotlineQueue: q}
	if _, err := demo.Workspace(ctx, deps, 7, now); err != nil {
		t.Fatal(err)
	}
	sum, err := Create(ctx, deps, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	count := storetest.Counter(t, db)
	var agent, supervisor int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT id FROM users WHERE email = ?`), demo.AgentEmail).Scan(&agent); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT id FROM users WHERE email = ?`), SupervisorEmail).Scan(&supervisor); err != nil {
		t.Fatal(err)
	}
	brands, _ := demo.BrandIDs(ctx, db)

	// Routing: the agent speaks ru and en and knows customs; the queue has its settings.
	rt := routing.NewService(db)
	ar, err := rt.Agent(ctx, brands[0], agent)
	if err != nil || strings.Join(ar.Languages, ",") != "ru,en" || len(ar.Skills) != 1 {
		t.Errorf("agent routing %+v, %v", ar, err)
	}
	if n := count(`SELECT COUNT(*) FROM queue_routing WHERE queue_id = ?`, q); n != 1 {
		t.Errorf("%d queue_routing rows", n)
	}

	// The wallboard's today and the report: queue calls answered, abandoned, deflected;
	// the history's hotline calls are in the queue; transfers counted.
	m := ccmetrics.New(db)
	m.SetClock(func() time.Time { return now }) // the demo's day, even when the test runs past midnight
	today, err := m.Today(ctx, access.Operator(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if today.Hotline < 6 || today.Answered < 3 || today.Abandoned < 2 || today.Deflected < 1 {
		t.Errorf("today: %d hotline calls, %d answered, %d abandoned, %d deflected", today.Hotline, today.Answered, today.Abandoned, today.Deflected)
	}
	if n := count(`SELECT COUNT(*) FROM calls WHERE mode = 'hotline' AND queue_id IS NULL`); n != 0 {
		t.Errorf("%d hotline calls outside the queue", n)
	}
	week, err := m.Report(ctx, ccmetrics.Query{Scope: access.Operator(), From: now.AddDate(0, 0, -7), To: now.Add(time.Second), Group: ccmetrics.GroupAgent})
	if err != nil {
		t.Fatal(err)
	}
	if week.Total.Transfers < 2 || week.Total.Handled < 10 {
		t.Errorf("week: %d transfers, %d handled", week.Total.Transfers, week.Total.Handled)
	}
	// Occupancy of a past day: the last day before today the agent took calls (states.go).
	var last store.NullTime
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT MAX(answered_at) FROM call_legs WHERE agent_id = ? AND ended_at < ?`),
		agent, todayStart(now)).Scan(&last); err != nil || !last.Valid {
		t.Fatalf("the agent's last call before today: %v %v", last, err)
	}
	day := last.Time.UTC().Truncate(24 * time.Hour)
	past, err := m.Report(ctx, ccmetrics.Query{Scope: access.Operator(), From: day, To: day.AddDate(0, 0, 1), Group: ccmetrics.GroupAgent})
	if err != nil {
		t.Fatal(err)
	}
	if occ := float64(past.Total.Occupancy); !(occ > 0 && occ < 1) || past.Total.StaffedS <= 0 {
		t.Errorf("occupancy on %s: %v (busy %.0f s of %.0f s staffed); want between 0 and 100%%", day.Format(time.DateOnly), occ, past.Total.BusyS, past.Total.StaffedS)
	}

	// Transfers: each with the supervisor's leg on its call; one conference.
	if n := count(`SELECT COUNT(*) FROM call_transfers t JOIN call_legs l ON l.call_id = t.call_id AND l.agent_id = t.to_agent_id
		WHERE t.kind = 'attended' AND t.outcome = 'completed' AND t.from_agent_id = ? AND t.to_agent_id = ?`, agent, supervisor); n != 2 {
		t.Errorf("%d completed transfers with the second agent's leg, want 2", n)
	}
	if n := count(`SELECT COUNT(*) FROM call_transfers WHERE kind = 'conference' AND to_number = ?`, ConferenceNumber); n != 1 {
		t.Errorf("%d conferences", n)
	}
	// Monitoring: the supervisor listened, then whispered.
	if n := count(`SELECT COUNT(*) FROM monitor_sessions WHERE user_id = ? AND mode = 'whisper' AND modes LIKE '%listen%whisper%'
		AND ended_at IS NOT NULL`, supervisor); n != 1 {
		t.Errorf("%d monitoring sessions", n)
	}

	// Quality: a scorecard per brand; the agent sees a passed and a failed review.
	if n := count(`SELECT COUNT(*) FROM scorecards WHERE pass_mark = 70`); n != len(brands) {
		t.Errorf("%d scorecards for %d brands", n, len(brands))
	}
	rv, err := review.NewService(db, deps.Recordings, nil, log).List(ctx, access.Brands(brands...),
		review.Viewer{UserID: agent, OwnOnly: true}, review.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, r := range rv {
		if r.Passed {
			passed++
		}
	}
	if len(rv) != 2 || passed != 1 {
		t.Errorf("the agent's reviews: %d, %d passed; want 2, 1 passed", len(rv), passed)
	}

	// Transcripts: every recording, both sides, the scripts' words, found by the search key.
	if n, recs := count(`SELECT COUNT(*) FROM call_transcripts WHERE engine = 'demo-script' AND error = '' AND text <> ''`),
		count(`SELECT COUNT(*) FROM recordings`); recs == 0 || n != 2*recs {
		t.Errorf("%d transcribed sides of %d recordings", n, recs)
	}
	var call int64
	if err := db.SQL.QueryRowContext(ctx, `SELECT MIN(call_id) FROM call_transcripts WHERE language = 'en'`).Scan(&call); err != nil {
		t.Fatal(err)
	}
	ts, err := transcribe.NewService(db, nil, log).ForCall(ctx, access.Operator(), call)
	if err != nil {
		t.Fatal(err)
	}
	lines := transcribe.Dialogue(ts)
	if len(lines) < 3 || !strings.Contains(ts[0].Text+ts[1].Text, "parcel") {
		t.Errorf("call %d's dialogue: %+v", call, lines)
	}
	// The one box finds the calls (or their cases and parcels) by the words said in them.
	for _, q := range []string{"parcel arrived", "посылки"} {
		hits, err := search.New(db, search.NewEmbeddedBackend(db)).Find(ctx, access.Operator(), q, 20)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, h := range hits {
			if h.Match == "transcript" {
				found++
			}
		}
		if found == 0 {
			t.Errorf("the one box finds no transcript for %q: %+v", q, hits)
		}
	}

	// Retention: the first brand keeps 365 days; a case is on hold.
	if n := count(`SELECT COUNT(*) FROM recording_retention WHERE brand_id = ? AND days = 365`, brands[0]); n != 1 {
		t.Errorf("%d retention rows", n)
	}
	if n := count(`SELECT COUNT(*) FROM recording_holds WHERE reason = ? AND brand_id = ?`, HoldReason, brands[0]); n != 1 {
		t.Errorf("%d holds", n)
	}
}
