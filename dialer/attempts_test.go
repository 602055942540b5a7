package dialer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/tracking"
)

// busyPlacer hands calls back (no agent free) until free is set.
type busyPlacer struct {
	mu     sync.Mutex
	free   bool
	placed []CallRequest
	tries  int
}

func (b *busyPlacer) PlaceCall(_ context.Context, r CallRequest) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tries++
	if !b.free {
		return fmt.Errorf("contact %d: %w: no agent available", r.ContactID, ErrNotSent)
	}
	b.placed = append(b.placed, r)
	return nil
}

func (b *busyPlacer) setFree(v bool) { b.mu.Lock(); b.free = v; b.mu.Unlock() }

// TestHandBackIsNoAttempt (issue 16): a COD call handed back twice with "no agent available"
// and no call placed is not moved to tomorrow by the daily cap (2 by default): only a placed
// call is an attempt, and the handed-back contact goes out the same day when an agent frees.
func TestHandBackIsNoAttempt(t *testing.T) {
	placer := &busyPlacer{}
	e := newEnv(t, func(o *Options) { o.Calls = placer })
	ctx := context.Background()
	id := tracking.MakeS10("RB", 200011, "GB")
	e.parcel(id, "Europe/Moscow")
	camp, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "COD calls", Mode: "progressive"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(parseUTC("2026-06-15T11:20:00Z")) // 14:20 in Moscow
	e.plan(Request{ParcelID: id, Channel: Call, To: "+79131234567", TimeZone: "Europe/Moscow", CampaignID: camp.ID, RuleID: 9, TriggerRef: "x"})
	for i := range 3 { // three rounds with every agent busy
		e.runOnce()
		c := e.contacts(id)[0]
		if c.Status != StatusPlanned || c.Attempts != 0 {
			t.Fatalf("hand-back %d: %s, %d attempts", i+1, c.Status, c.Attempts)
		}
		if c.DueAt.Sub(e.clock.now()) > time.Minute {
			t.Fatalf("hand-back %d moved the call to %s (%s): it should stay due", i+1, c.DueAt, c.DueLocal)
		}
		e.clock.set(c.DueAt)
	}
	if items, err := e.svc.TrackHistory(ctx, e.brand, id); err != nil || len(items) != 0 {
		t.Fatalf("the tracking page shows %d calls after three hand-backs (%v): none was placed", len(items), err)
	}
	placer.setFree(true)
	e.runOnce()
	c := e.contacts(id)[0]
	if len(placer.placed) != 1 || c.Status != StatusCalling || c.Attempts != 1 {
		t.Fatalf("an agent freed at %s: %d placed, contact %s with %d attempts (due %s)", e.clock.now(), len(placer.placed), c.Status, c.Attempts, c.DueLocal)
	}
	if local := e.clock.now().In(time.FixedZone("MSK", 3*3600)); local.Day() != 15 {
		t.Fatalf("placed on %s, not the same day", local)
	}
	if items, _ := e.svc.TrackHistory(ctx, e.brand, id); len(items) != 1 || items[0].Attempt != 1 {
		t.Fatalf("the tracking page shows %+v, want the one placed call", items)
	}
	// The placed call counts: with a second one placed today, a third waits for tomorrow.
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "busy", "", "telephony", time.Time{}); err != nil {
		t.Fatal(err)
	}
	e.clock.set(e.contacts(id)[0].DueAt)
	e.runOnce()
	c = e.contacts(id)[0]
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "no_answer", "", "telephony", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if c = e.contacts(id)[0]; !c.DueAt.Equal(parseUTC("2026-06-16T06:00:00Z")) {
		t.Fatalf("after two placed calls today the next is due %s (%s), want tomorrow 09:00", c.DueAt, c.DueLocal)
	}
}

// capacityPlacer has agents free agents, each taken by a placed call, and tells how many.
type capacityPlacer struct {
	mu     sync.Mutex
	agents int
	tries  int
}

func (c *capacityPlacer) PlaceCall(_ context.Context, r CallRequest) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tries++
	if c.agents == 0 {
		return fmt.Errorf("contact %d: %w: no agent available", r.ContactID, ErrNotSent)
	}
	c.agents--
	return nil
}

func (c *capacityPlacer) FreeAgents(_ context.Context, brands []int64) (map[int64]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int64]int{}
	for _, b := range brands {
		out[b] = c.agents
	}
	return out, nil
}

// TestBusyAgentsLeaveCallsDue: while the telephony engine says no agent is free, due calls
// are not even claimed (no try in their log); when one frees, exactly one call per free agent
// goes out.
func TestBusyAgentsLeaveCallsDue(t *testing.T) {
	placer := &capacityPlacer{}
	e := newEnv(t, func(o *Options) { o.Calls = placer })
	ctx := context.Background()
	camp, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "COD calls", Mode: "progressive"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(parseUTC("2026-06-15T11:20:00Z"))
	var ids []string
	for i := range 2 {
		id := tracking.MakeS10("RB", 200021+i, "GB")
		e.parcel(id, "Europe/Moscow")
		e.plan(Request{ParcelID: id, Channel: Call, To: fmt.Sprintf("+7913123456%d", i), TimeZone: "Europe/Moscow", CampaignID: camp.ID, RuleID: 9, TriggerRef: id})
		ids = append(ids, id)
	}
	for range 3 {
		if n := e.runOnce(); n != 0 {
			t.Fatalf("%d calls claimed with no agent free", n)
		}
		e.clock.set(e.clock.now().Add(time.Minute))
	}
	if placer.tries != 0 || e.count(`SELECT COUNT(*) FROM contact_log`) != 0 {
		t.Fatalf("%d tries and %d log rows while every agent was busy", placer.tries, e.count(`SELECT COUNT(*) FROM contact_log`))
	}
	placer.mu.Lock()
	placer.agents = 1
	placer.mu.Unlock()
	e.runOnce()
	a, b := e.contacts(ids[0])[0], e.contacts(ids[1])[0]
	if a.Status != StatusCalling {
		a, b = b, a
	}
	// The second call may be tried before the first took the agent: handed back, no attempt.
	if a.Status != StatusCalling || a.Attempts != 1 || b.Status != StatusPlanned || b.Attempts != 0 || placer.agents != 0 {
		t.Fatalf("one agent free: %s with %d attempts, %s with %d", a.Status, a.Attempts, b.Status, b.Attempts)
	}
}
