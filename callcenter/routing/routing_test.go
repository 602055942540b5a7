package routing

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// floor is two brands, their agents and a router on a controlled clock.
type floor struct {
	t      *testing.T
	db     *store.DB
	acc    *access.Service
	agents *callcenter.Agents
	svc    *Service
	router *Router
	now    time.Time
	a, b   int64
	queue  int64 // brand A's queue
}

func newFloor(t *testing.T) *floor {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	f := &floor{t: t, db: db, acc: access.NewService(db), svc: NewService(db), now: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
	f.agents = callcenter.NewAgents(db, "wismo", f.acc)
	f.router = NewRouter(f.svc, nil, storetest.Logger(t))
	f.router.now = func() time.Time { return f.now }
	for _, p := range []*int64{&f.a, &f.b} {
		br, _, err := f.acc.CreateBrand(ctx, "Brand "+time.Now().Format("150405.000000000"))
		if err != nil {
			t.Fatal(err)
		}
		*p = br.ID
	}
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A support', ?) RETURNING id`), f.a).Scan(&f.queue); err != nil {
		t.Fatal(err)
	}
	return f
}

// agent makes an agent of brand, in state, idle for idleFor before the floor's clock, with
// the routing given in brand (nil langs: none set).
func (f *floor) agent(name string, brand int64, state callcenter.AgentState, idleFor time.Duration, langs, skills []string) int64 {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.acc.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{brand})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
		f.t.Fatal(err)
	}
	if state != callcenter.Available {
		if err := f.agents.SetState(ctx, u.ID, state); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := f.db.SQL.ExecContext(ctx, f.db.Rebind(`UPDATE agent_states SET idle_since = ? WHERE user_id = ?`), f.now.Add(-idleFor), u.ID); err != nil {
		f.t.Fatal(err)
	}
	if langs != nil {
		if _, err := f.svc.SetAgent(ctx, AgentRouting{UserID: u.ID, BrandID: brand, Languages: langs, Skills: skills}); err != nil {
			f.t.Fatal(err)
		}
	}
	return u.ID
}

// offered is who a call of brand in lang, waiting since since, is offered to, in order.
func (f *floor) offered(brand, queue int64, lang string, since time.Time) []int64 {
	f.t.Helper()
	ctx := context.Background()
	idle, err := f.agents.Idle(ctx, brand, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []int64
	for _, ag := range f.router.Route(ctx, callcenter.Offer{Call: callcenter.Call{ID: 1, BrandID: brand, QueueID: queue}, Language: lang, Since: since}, idle) {
		ids = append(ids, ag.UserID)
	}
	return ids
}

func TestTiers(t *testing.T) {
	f := newFloor(t)
	ctx := context.Background()
	// English-only agent idle longest; two Russian speakers; brand B's Russian speaker idle
	// longer than all of them.
	en := f.agent("en", f.a, callcenter.Available, 10*time.Minute, []string{"en"}, nil)
	ru1 := f.agent("ru1", f.a, callcenter.Available, 2*time.Minute, []string{"ru", "en"}, []string{"returns"})
	ru2 := f.agent("ru2", f.a, callcenter.Available, 5*time.Minute, []string{"ru"}, nil)
	bru := f.agent("bru", f.b, callcenter.Available, time.Hour, []string{"ru"}, nil)
	plain := f.agent("plain", f.a, callcenter.Available, time.Minute, nil, nil) // no routing set
	start := f.now

	// Language first, longest idle within the tier; nobody else before the wait.
	if got, want := f.offered(f.a, f.queue, "ru", start), []int64{ru2, ru1}; !slices.Equal(got, want) {
		t.Fatalf("ru call at 0 s: %v, want %v", got, want)
	}
	// A language tag such as ru-RU is its primary subtag.
	if got, want := f.offered(f.a, f.queue, "ru-RU", start), []int64{ru2, ru1}; !slices.Equal(got, want) {
		t.Fatalf("ru-RU call: %v, want %v", got, want)
	}
	f.now = start.Add(29 * time.Second)
	if got := f.offered(f.a, f.queue, "ru", start); len(got) != 2 {
		t.Fatalf("ru call at 29 s offered to %v", got)
	}
	// After the queue's default wait (30 s) everyone of the brand, matching tier first.
	f.now = start.Add(30 * time.Second)
	if got, want := f.offered(f.a, f.queue, "ru", start), []int64{ru2, ru1, en, plain}; !slices.Equal(got, want) {
		t.Fatalf("ru call at 30 s: %v, want %v", got, want)
	}
	// Brand isolation: brand B's call never sees brand A's agents and vice versa.
	if got := f.offered(f.b, 0, "ru", start); !slices.Equal(got, []int64{bru}) {
		t.Fatalf("brand B's call offered to %v", got)
	}
	if slices.Contains(f.offered(f.a, f.queue, "ru", start), bru) {
		t.Fatal("brand A's call offered to brand B's agent")
	}

	// The queue names a skill: only ru1 has it; a wait of 60 s.
	if _, err := f.svc.SetQueue(ctx, QueueRouting{QueueID: f.queue, Skill: "Returns", Fallback: time.Minute, Announce: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	f.now = start.Add(45 * time.Second)
	if got := f.offered(f.a, f.queue, "ru", start); !slices.Equal(got, []int64{ru1}) {
		t.Fatalf("ru returns call at 45 s: %v", got)
	}
	f.now = start.Add(time.Minute)
	if got, want := f.offered(f.a, f.queue, "ru", start), []int64{ru1, en, ru2, plain}; !slices.Equal(got, want) {
		t.Fatalf("ru returns call at 60 s: %v, want %v", got, want)
	}
	if _, err := f.svc.SetQueue(ctx, QueueRouting{QueueID: f.queue, Fallback: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}

	// The matching agents busy: the call waits for them, then goes to anyone.
	for _, id := range []int64{ru1, ru2} {
		if err := f.agents.SetState(ctx, id, callcenter.OnCall); err != nil {
			t.Fatal(err)
		}
	}
	f.now = start.Add(10 * time.Second)
	if got := f.offered(f.a, f.queue, "ru", start); len(got) != 0 {
		t.Fatalf("ru call at 10 s with ru agents busy offered to %v", got)
	}
	f.now = start.Add(31 * time.Second)
	if got, want := f.offered(f.a, f.queue, "ru", start), []int64{en, plain}; !slices.Equal(got, want) {
		t.Fatalf("ru call at 31 s with ru agents busy: %v, want %v", got, want)
	}
	// Nobody who speaks it is signed in (offline or paused): no point waiting.
	for _, id := range []int64{ru1, ru2} {
		f.agents.SetState(ctx, id, callcenter.WrapUp) //nolint:errcheck // on_call -> wrap_up
		if err := f.agents.SetState(ctx, id, callcenter.Paused); err != nil {
			t.Fatal(err)
		}
	}
	f.now = start
	if got, want := f.offered(f.a, f.queue, "ru", start), []int64{en, plain}; !slices.Equal(got, want) {
		t.Fatalf("ru call with ru agents paused: %v, want %v", got, want)
	}
	// Outbound calls (no wait) prefer the language but never wait for it.
	f.agents.SetState(ctx, ru2, callcenter.Available) //nolint:errcheck // paused -> available
	if got := f.offered(f.a, 0, "ru", time.Time{}); len(got) != 3 || got[0] != ru2 {
		t.Fatalf("outbound ru call: %v", got)
	}
	// A call in no known language, on a queue with no skill: longest idle, as without routing.
	if got := f.offered(f.a, f.queue, "", start); len(got) != 3 || got[0] != en {
		t.Fatalf("call in no language: %v", got)
	}
}

func TestAgentRoutingIsCheckedAndBrandScoped(t *testing.T) {
	f := newFloor(t)
	ctx := context.Background()
	id := f.agent("ru", f.a, callcenter.Available, time.Minute, nil, nil)
	got, err := f.svc.SetAgent(ctx, AgentRouting{UserID: id, BrandID: f.a, Languages: []string{"RU", " en", "ru"}, Skills: []string{"Returns", "customs"}})
	if err != nil || !slices.Equal(got.Languages, []string{"ru", "en"}) || !slices.Equal(got.Skills, []string{"returns", "customs"}) {
		t.Fatalf("set: %+v %v", got, err)
	}
	read, err := f.svc.Agent(ctx, f.a, id)
	if err != nil || !slices.Equal(read.Languages, got.Languages) || !slices.Equal(read.Skills, got.Skills) {
		t.Fatalf("read back: %+v %v", read, err)
	}
	if _, err := f.svc.Agent(ctx, f.b, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("brand B reads brand A's agent: %v", err)
	}
	if _, err := f.svc.SetAgent(ctx, AgentRouting{UserID: id, BrandID: f.b, Languages: []string{"ru"}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("brand B sets brand A's agent: %v", err)
	}
	many := make([]string, MaxSkills+1)
	for i := range many {
		many[i] = "s" + string(rune('a'+i))
	}
	for _, c := range []struct {
		in    AgentRouting
		field string
	}{
		{AgentRouting{Languages: []string{"xx"}}, "languages"},
		{AgentRouting{Languages: []string{"eng"}}, "languages"},
		{AgentRouting{Skills: []string{"no spaces"}}, "skills"},
		{AgentRouting{Skills: many}, "skills"},
	} {
		c.in.UserID, c.in.BrandID = id, f.a
		var fe *input.ValidationError
		if _, err := f.svc.SetAgent(ctx, c.in); !errors.As(err, &fe) || fe.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
		}
	}
	for _, c := range []struct {
		in    QueueRouting
		field string
	}{
		{QueueRouting{Skill: "a b"}, "skill"},
		{QueueRouting{Fallback: -time.Second}, "fallback_seconds"},
		{QueueRouting{Fallback: time.Hour}, "fallback_seconds"},
		{QueueRouting{Announce: 5 * time.Second}, "announce_seconds"},
	} {
		c.in.QueueID = f.queue
		var fe *input.ValidationError
		if _, err := f.svc.SetQueue(ctx, c.in); !errors.As(err, &fe) || fe.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
		}
	}
	q, err := f.svc.Queue(ctx, f.queue)
	if err != nil || q.Fallback != DefaultFallback || q.Announce != DefaultAnnounce || q.BrandID != f.a {
		t.Fatalf("default queue routing: %+v %v", q, err)
	}
}

func TestPosition(t *testing.T) {
	r := NewRouter(nil, nil, storetest.Logger(t))
	t0 := time.Now()
	leave1 := r.Queued(callcenter.Offer{Call: callcenter.Call{ID: 10, BrandID: 1, QueueID: 1}, Since: t0})
	r.Queued(callcenter.Offer{Call: callcenter.Call{ID: 11, BrandID: 1, QueueID: 1}, Since: t0.Add(time.Second)})
	r.Queued(callcenter.Offer{Call: callcenter.Call{ID: 12, BrandID: 1, QueueID: 2}, Since: t0.Add(-time.Second)})
	if p := r.Position(11); p != 2 {
		t.Fatalf("second caller of queue 1 at %d", p)
	}
	leave1()
	leave1()
	if p := r.Position(11); p != 1 {
		t.Fatalf("after the first left: %d", p)
	}
	if p := r.Position(10); p != 0 {
		t.Fatalf("a caller who left: %d", p)
	}
}

// TestExpectedWaitAndFragments: the expected wait is position × the average handle time (talk +
// the agent's wrap-up) of the queue's recent answered calls ÷ the brand's serving agents, in
// whole minutes rounded up; the announcement's fragments come in order in the recipient's
// language.
func TestExpectedWaitAndFragments(t *testing.T) {
	f := newFloor(t)
	ctx := context.Background()
	f.router.now = time.Now
	ag1 := f.agent("one", f.a, callcenter.Available, time.Minute, []string{"ru"}, nil)
	f.agent("two", f.a, callcenter.Available, time.Minute, []string{"en"}, nil)
	f.agent("paused", f.a, callcenter.Paused, time.Minute, []string{"ru"}, nil) // not serving
	f.agent("b", f.b, callcenter.Available, time.Minute, []string{"ru"}, nil)   // another brand's
	now := time.Now().UTC()
	// Talk 200 s + wrap-up 40 s and talk 280 s + wrap-up 80 s (average handle time 300 s) in
	// this queue; an older call and another queue's long call do not count. Talk alone (the
	// formula before wrap-up counted) would say 2, 4 and 6 minutes.
	var other int64
	if err := f.db.SQL.QueryRowContext(ctx, f.db.Rebind(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A other', ?) RETURNING id`), f.a).Scan(&other); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		queue   int64
		started time.Time
		handle  time.Duration
		wrap    time.Duration
	}{{f.queue, now.Add(-time.Hour), 200 * time.Second, 40 * time.Second}, {f.queue, now.Add(-30 * time.Minute), 280 * time.Second, 80 * time.Second},
		{f.queue, now.Add(-10 * 24 * time.Hour), time.Hour, time.Hour}, {other, now.Add(-2 * time.Hour), time.Hour, time.Hour}} {
		var id int64
		if err := f.db.SQL.QueryRowContext(ctx, f.db.Rebind(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, outcome)
			VALUES ('inbound', 'hotline', ?, ?, ?, 'answered') RETURNING id`), f.a, c.queue, c.started).Scan(&id); err != nil {
			t.Fatal(err)
		}
		at := c.started.Add(20 * time.Second)
		if _, err := f.db.SQL.ExecContext(ctx, f.db.Rebind(`INSERT INTO call_legs (call_id, kind, agent_id, started_at, answered_at, ended_at)
			VALUES (?, 'agent', ?, ?, ?, ?)`), id, ag1, c.started, at, at.Add(c.handle)); err != nil {
			t.Fatal(err)
		}
		// The agent's states as callcenter's trigger logs them: on the call, wrap-up from a
		// second after its end, then available.
		end := at.Add(c.handle)
		for _, st := range []struct {
			state string
			since time.Time
		}{{"on_call", at}, {"wrap_up", end.Add(time.Second)}, {"available", end.Add(time.Second + c.wrap)}} {
			if _, err := f.db.SQL.ExecContext(ctx, f.db.Rebind(`INSERT INTO agent_state_log (user_id, state, since) VALUES (?, ?, ?)`), ag1, st.state, st.since); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct{ pos, minutes int }{{1, 3}, {2, 5}, {3, 8}} { // 300 s × pos ÷ 2 agents: 150 s, 300 s, 450 s
		if got := f.svc.expectedWait(ctx, f.queue, f.a, c.pos, now); got != c.minutes {
			t.Errorf("position %d: %d minutes, want %d", c.pos, got, c.minutes)
		}
	}
	if got := f.svc.expectedWait(ctx, f.queue+1000, f.a, 1, now); got != 0 {
		t.Errorf("a queue with no history: %d minutes, want 0 (not said)", got)
	}

	// Two callers wait; the second hears "you are number 2 in the queue, about 5 minutes" in
	// Russian (a language given with the offer; the recipient's otherwise).
	call := func(id int64) callcenter.Call { return callcenter.Call{ID: id, BrandID: f.a, QueueID: f.queue} }
	defer f.router.Queued(callcenter.Offer{Call: call(1), Language: "ru", Since: now.Add(-time.Minute)})()
	defer f.router.Queued(callcenter.Offer{Call: call(2), Language: "ru-RU", Since: now})()
	frags, lang, every := f.router.Fragments(ctx, call(2))
	var names []string
	for _, fr := range frags {
		names = append(names, fr.name)
	}
	want := []string{FragYouAre, FragNumber(2), FragInQueue, FragWaitAbout, FragMinutes(5)}
	if !slices.Equal(names, want) || lang != "ru" || every != DefaultAnnounce {
		t.Fatalf("fragments %v in %q every %v; want %v in ru every %v", names, lang, every, want, DefaultAnnounce)
	}
	if frags, _, _ := f.router.Fragments(ctx, call(3)); len(frags) != 0 {
		t.Fatalf("a call that does not wait: %v", frags)
	}
}
