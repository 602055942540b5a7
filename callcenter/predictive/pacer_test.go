package predictive

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

type env struct {
	db       *store.DB
	p        *Pacer
	brand    int64
	other    int64
	campaign int64
	agents   []int64
	now      time.Time
}

// newEnv: brand A with a running predictive campaign and n agents (all available), brand B
// with a progressive one.
func newEnv(t *testing.T, n int) *env {
	t.Helper()
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
	e := &env{db: db, p: New(db, storetest.Logger(t)), brand: a.ID, other: b.ID, now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	e.p.now = func() time.Time { return e.now }
	for i, k := range []struct {
		brand int64
		mode  string
	}{{a.ID, "predictive"}, {b.ID, "progressive"}} {
		var id int64
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, status, created_at, updated_at)
			VALUES (?, ?, ?, 'running', ?, ?) RETURNING id`), k.brand, k.mode, k.mode, e.now, e.now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			e.campaign = id
		}
	}
	for i := range n {
		u, err := acc.CreateUser(ctx, "agent"+string(rune('a'+i))+"@example.com", "a login password 1", access.RoleAgent, []int64{a.ID})
		if err != nil {
			t.Fatal(err)
		}
		e.agents = append(e.agents, u.ID)
		e.state(t, u.ID, "available", e.now)
	}
	return e
}

func (e *env) state(t *testing.T, agent int64, state string, since time.Time) {
	t.Helper()
	if _, err := e.db.SQL.Exec(e.db.Rebind(`INSERT INTO agent_states (user_id, state, since, idle_since) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, since = excluded.since`), agent, state, since, since); err != nil {
		t.Fatal(err)
	}
}

func (e *env) allow(t *testing.T) (a, b int) {
	t.Helper()
	free, err := e.p.Allow(context.Background(), []int64{e.brand, e.other}, map[int64]int{e.brand: 1, e.other: 1})
	if err != nil {
		t.Fatal(err)
	}
	return free[e.brand], free[e.other]
}

// TestPacerBooksWhatItGrants: before it has measured enough calls the pacer dials one call
// per ready agent; calls it granted and the dialer has not placed yet, and calls ringing,
// count against the next decision (the dialer claims again at once after each batch), so
// the claims of one second never dial past the agents. A brand with no predictive campaign
// keeps its free-agent count.
func TestPacerBooksWhatItGrants(t *testing.T) {
	e := newEnv(t, 3)
	e.state(t, e.agents[2], "on_call", e.now.Add(-time.Minute))
	if a, b := e.allow(t); a != 2 || b != 1 {
		t.Fatalf("first decision: brand A %d, brand B %d; want 2 (two ready agents) and B's own 1", a, b)
	}
	if a, _ := e.allow(t); a != 0 {
		t.Fatalf("second decision at once: %d, want 0 (two granted, not placed yet)", a)
	}
	e.p.Placed(e.brand, 101)
	e.p.Placed(e.brand, 102)
	if a, _ := e.allow(t); a != 0 {
		t.Fatalf("two calls ringing for two ready agents: %d, want 0", a)
	}
	e.p.Answered(e.brand, 101, Nobody)
	if a, _ := e.allow(t); a != 1 {
		t.Fatalf("one call not answered: %d, want 1 more", a)
	}
	if d := e.p.Last(e.brand); d.Ready != 2 || d.Agents != 3 || d.MaxDialRatio != 3 {
		t.Errorf("last decision %+v, want 3 agents, 2 ready, the default ratio 3", d)
	}
}

// TestPacerDialsAheadWithinTheRatio: once it has measured enough calls (a quarter answered by
// people, 2-minute talks), with every agent 140 s into a call the pacer launches calls ahead
// of them, and no more than the campaign's maximum dial ratio allows per logged-in agent.
func TestPacerDialsAheadWithinTheRatio(t *testing.T) {
	e := newEnv(t, 10)
	start := e.now
	id := int64(1)
	for i := range 200 {
		e.p.Placed(e.brand, id)
		who := Nobody
		e.now = e.now.Add(25 * time.Second)
		if i%4 == 0 {
			who = Person
			e.now = e.now.Add(-15 * time.Second) // answered after 10 s
		}
		e.p.Answered(e.brand, id, who)
		if who == Person {
			e.p.Connected(e.brand)
			e.p.Talked(e.brand, time.Duration(90+i%60)*time.Second)
		}
		id++
	}
	e.now = start
	for _, a := range e.agents {
		e.state(t, a, "on_call", e.now.Add(-140*time.Second))
	}
	e.p.brands[e.brand].granted = nil
	ahead, _ := e.allow(t)
	if ahead == 0 {
		t.Fatalf("every agent 140 s into a call of 90-150 s: the pacer launched nothing; predictive pacing dials ahead")
	}
	e.p.brands[e.brand].granted = nil
	if err := e.p.SetMaxDialRatio(context.Background(), e.brand, e.campaign, 1); err != nil {
		t.Fatal(err)
	}
	for i := range 9 { // nine calls already ringing: the ratio 1 leaves room for one
		e.p.Placed(e.brand, 1000+int64(i))
	}
	if n, _ := e.allow(t); n > 1 {
		t.Errorf("max dial ratio 1 with 10 agents and 9 calls ringing: %d launched, want at most 1", n)
	}
	if d := e.p.Last(e.brand); d.MaxDialRatio != 1 {
		t.Errorf("decision read ratio %v, want the campaign's 1", d.MaxDialRatio)
	}
}

// TestMaxDialRatioIsValidated: the ratio is from 1 to 5, named in the error; another brand's
// campaign is not found.
func TestMaxDialRatioIsValidated(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	for _, bad := range []float64{0, 0.5, 5.5, -1} {
		err := e.p.SetMaxDialRatio(ctx, e.brand, e.campaign, bad)
		var v *input.ValidationError
		if !errors.As(err, &v) || v.Fields[0].Field != "max_dial_ratio" {
			t.Errorf("ratio %v: %v, want a field error on max_dial_ratio", bad, err)
		}
	}
	if err := e.p.SetMaxDialRatio(ctx, e.other, e.campaign, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("brand B setting brand A's campaign: %v, want not found", err)
	}
	if err := e.p.SetMaxDialRatio(ctx, e.brand, e.campaign, 2.5); err != nil {
		t.Fatal(err)
	}
	got, err := e.p.Pacing(ctx, e.brand, e.campaign)
	if err != nil || got.MaxDialRatio != 2.5 || got.Mode != "predictive" || got.AbandonLimit != 0.03 {
		t.Errorf("pacing %+v %v, want ratio 2.5 of a predictive campaign", got, err)
	}
}

// TestSessionsEndWithoutPredictiveWork: an agent keeps a media session while logged in with a
// running predictive campaign of their brand, not once paused or once the campaign stops.
func TestSessionsEndWithoutPredictiveWork(t *testing.T) {
	e := newEnv(t, 1)
	ctx := context.Background()
	a := e.agents[0]
	check := func(want bool, when string) {
		t.Helper()
		if got, err := e.p.hasWork(ctx, a); err != nil || got != want {
			t.Errorf("%s: keeps the session %v (%v), want %v", when, got, err, want)
		}
	}
	check(true, "available, campaign running")
	e.state(t, a, "paused", e.now)
	check(false, "paused")
	e.state(t, a, "wrap_up", e.now)
	check(true, "in wrap-up")
	if _, err := e.db.SQL.Exec(e.db.Rebind(`UPDATE campaigns SET status = 'stopped' WHERE id = ?`), e.campaign); err != nil {
		t.Fatal(err)
	}
	check(false, "campaign stopped")
}

// TestConnectByCountsFromTheGreetingsEnd: an agent must be connected 2 s after the end of the
// customer's greeting; when AMD decided on the silence after it, the 800 ms the detector
// listened to that silence are already gone.
func TestConnectByCountsFromTheGreetingsEnd(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	insert := func(cause any) int64 {
		var id int64
		if err := e.db.SQL.QueryRowContext(ctx, e.db.Rebind(`INSERT INTO calls (direction, mode, brand_id, started_at, answered_at, amd_result, amd_cause)
			VALUES ('outbound', 'predictive', ?, ?, ?, 'human', ?) RETURNING id`), e.brand, e.now, e.now, cause).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	if got := e.p.ConnectBy(ctx, insert("silence_after_greeting")).Sub(e.now); got != 1200*time.Millisecond {
		t.Errorf("after an AMD decision on the silence after the greeting: %v left, want 1.2 s", got)
	}
	if got := e.p.ConnectBy(ctx, insert(nil)).Sub(e.now); got != 2*time.Second {
		t.Errorf("without AMD: %v left, want 2 s from the answer", got)
	}
}
