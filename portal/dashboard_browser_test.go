package portal

import (
	"context"
	"math/rand/v2"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// demoActivity adds what the demo generator does not make yet: SMS and calls about the demo
// parcels posted in the last days, agents in every state, a hotline queue with callers
// waiting, calls in progress and recordings. Deterministic for a seed.
func demoActivity(t testing.TB, db *store.DB, acc *access.Service, brands []int64, now time.Time) (agentIDs []int64) {
	t.Helper()
	ctx := context.Background()
	s := &reportstest.Seed{T: t, DB: db}
	r := rand.New(rand.NewPCG(7, 11))
	states := []string{"available", "on_call", "on_call", "wrap_up", "paused", "available", "offline"}
	names := []string{"anna.ivanova", "boris.smirnov", "olga.kuznetsova", "dmitry.popov", "elena.sokolova", "ivan.lebedev", "maria.kozlova"}
	for i, n := range names {
		id := s.Agent(acc, n+"@demo.wismo", states[i], now.Add(-time.Duration(3+r.IntN(50))*time.Minute).Format(time.RFC3339), brands...)
		agentIDs = append(agentIDs, id)
	}
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT id, brand_id, posted_at FROM parcels WHERE posted_at >= ? ORDER BY id`), now.AddDate(0, 0, -8))
	if err != nil {
		t.Fatal(err)
	}
	type pp struct {
		id     string
		brand  int64
		posted store.NullTime
	}
	var ps []pp
	for rows.Next() {
		var p pp
		if err := rows.Scan(&p.id, &p.brand, &p.posted); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	rows.Close()
	at := func(base time.Time, h int) string {
		x := base.Add(time.Duration(h) * time.Hour)
		if x.After(now) {
			x = now.Add(-time.Duration(1+r.IntN(30)) * time.Minute)
		}
		return x.Format(time.RFC3339)
	}
	recordings := 0
	for i, p := range ps {
		if !p.posted.Valid {
			continue
		}
		if r.Float64() < 0.85 {
			status, provider := "delivered", "m"+itoa(i)
			switch x := r.Float64(); {
			case x < 0.08:
				status = "sent"
			case x < 0.14:
				status = "failed"
			}
			s.Contact(p.brand, p.id, "sms", status, provider, at(p.posted.Time, 1))
		}
		if r.Float64() < 0.55 {
			s.Contact(p.brand, p.id, "call", "done", "", at(p.posted.Time, 2))
			tries := 1 + r.IntN(4)
			for k := 0; k < tries; k++ {
				outcome, disp := []string{"no_answer", "busy", "no_answer", "unreachable"}[r.IntN(4)], ""
				agent := int64(0)
				if k == tries-1 && r.Float64() < 0.75 {
					outcome, disp, agent = "answered", []string{"reached", "reached", "callback_requested", "refused"}[r.IntN(4)], agentIDs[r.IntN(len(agentIDs))]
				}
				id := s.Call(p.brand, p.id, "outbound", outcome, disp, at(p.posted.Time, 3+k*4), agent, true)
				if outcome == "answered" && recordings < 12 {
					recordings++
					st := reportstest.Time(at(p.posted.Time, 3+k*4))
					s.Exec(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)`,
						id, p.brand, filepath.Join(t.TempDir(), "missing.wav"), 40000+r.IntN(200000), st, st.Add(3*time.Minute))
				}
			}
		}
	}
	q := s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('Hotline RU', NULL)`)
	for i, p := range ps[:min(3, len(ps))] {
		s.Exec(`INSERT INTO calls (direction, mode, brand_id, parcel_id, queue_id, started_at, answered_at, queued_at, outcome) VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, ?, '')`,
			p.brand, p.id, q, now.Add(-time.Duration(40+i*35)*time.Second), now.Add(-time.Duration(39+i*35)*time.Second), now.Add(-time.Duration(38+i*35)*time.Second))
	}
	for i, p := range ps[3:min(5, len(ps))] {
		s.Call(p.brand, p.id, "outbound", "answered", "", now.Add(-time.Duration(2+i*3)*time.Minute).Format(time.RFC3339), agentIDs[1+i], false)
	}
	return agentIDs
}

// TestDashboardInBrowser: a supervisor logs in, opens the dashboard, sees charts drawn from
// the demo data and the live agent table filled by the event stream, which then follows a
// state change without a reload. Screenshots go to docs/screenshots.
func TestDashboardInBrowser(t *testing.T) {
	storetest.OnePass(t)
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	cs := tracking.NewService(db, log, reg)
	ctx := context.Background()
	now := time.Now().UTC()
	sum, err := demo.Run(ctx, demo.Options{Parcels: 1500, Seed: 42, Now: now}, acc, cs, log)
	if err != nil {
		t.Fatal(err)
	}
	caseSvc := cases.NewCaseService(db, log, "http://127.0.0.1")
	if _, err := demo.Cases(ctx, demo.CaseOptions{Cases: 150, Seed: 42, Now: now}, db, caseSvc, log); err != nil {
		t.Fatal(err)
	}
	var brands []int64
	for _, b := range sum.Brands {
		brands = append(brands, b.ID)
	}
	agents := demoActivity(t, db, acc, brands, now)

	app := New(Deps{Log: log, DB: db, Access: acc, Cases: cs, Registry: reg, Dashboard: reports.NewDashboard(db, caseSvc)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)                                            //nolint:errcheck
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	base := "http://" + ln.Addr().String()

	bctx, _ := browsertest.New(t, browsertest.Options{Width: 1280, Height: 800})
	violations := browsertest.CSPViolations(bctx)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/dashboard"), // redirected to the login form
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "supervisor@demo.wismo"),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#live")),
	); err != nil {
		t.Fatal(err)
	}
	// Charts: bars with a width and line points, drawn from data.
	bars, err := chromedp.Run(bctx, chromedp.Evaluate[int](`[...document.querySelectorAll("svg.chart rect.bar")].filter(r => r.getBBox().width > 1).length`))
	if err != nil || bars < 6 {
		t.Fatalf("want bars drawn with data, got %d (%v)", bars, err)
	}
	points, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart circle.point").length`))
	if err != nil || points < 7 {
		t.Fatalf("want the daily line's points, got %d (%v)", points, err)
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("figure svg.chart").length`))
	if err != nil || charts != 4 {
		t.Fatalf("want 4 charts, got %d (%v)", charts, err)
	}
	// Live: the stream fills the agent table (the script marks the section when it does).
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.__sameDocument = true`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`!!document.getElementById("live").dataset.liveAt &&
		[...document.querySelectorAll("#live-agents tbody tr")].some(tr => tr.cells[0].textContent === "elena.sokolova@demo.wismo" && tr.cells[1].textContent === "paused")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the live agent table was not filled from the stream: %v", err)
	}
	// A state change reaches the open page without a reload.
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE agent_states SET state = 'on_call', since = ? WHERE user_id = ?`), time.Now().UTC(), agents[4]); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`window.__sameDocument === true &&
		[...document.querySelectorAll("#live-agents tbody tr")].some(tr => tr.cells[0].textContent === "elena.sokolova@demo.wismo" && tr.cells[1].textContent === "on call")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the agent's new state did not arrive over the stream: %v", err)
	}
	waiting, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#live-queues tbody tr td:nth-child(2)")))
	if err != nil || waiting != "3" {
		t.Fatalf("queue size: got %q (%v)", waiting, err)
	}
	audio, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#table-recordings audio[src^='/api/v1/recordings/']").length`))
	if err != nil || audio == 0 {
		t.Fatalf("recordings with players: %d (%v)", audio, err)
	}
	if wide := browsertest.Overflowing(t, bctx); wide != "" {
		t.Errorf("the page is wider than the window at 1280 px: %s", wide)
	}
	dir := browsertest.ScreenshotsDir(t)
	browsertest.Screenshot(t, bctx, dir, "dashboard.png")
	// The login page, the charts, the event stream and the players all work under the
	// Content-Security-Policy, which does block an injected inline handler.
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the login or the dashboard: %q", v)
	}
	injected, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`new Promise(ok => {
		document.body.insertAdjacentHTML("beforeend", '<img src="/nope.png" onerror="window.__injected = true">');
		setTimeout(() => ok(window.__injected === true), 500);
	})`, chromedp.EvalAwaitPromise))
	if err != nil || injected {
		t.Errorf("an injected inline handler ran (%v): the policy is not enforced", err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(violations()) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Error("the browser reported no violation for the injected handler: the console check sees nothing")
			break
		}
	}

	// Phone width: the same page, one column.
	pctx, _ := browsertest.New(t, browsertest.Options{Width: 390, Height: 844})
	if err := chromedp.Do(pctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/login?next=/dashboard"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "supervisor@demo.wismo"),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#live")),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(pctx, chromedp.Poll[bool](`!!document.getElementById("live").dataset.liveAt`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatal(err)
	}
	if wide := browsertest.Overflowing(t, pctx); wide != "" {
		t.Errorf("the page is wider than a phone: %s", wide)
	}
	browsertest.Screenshot(t, pctx, dir, "dashboard-phone.png")
}
