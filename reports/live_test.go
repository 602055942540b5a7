package reports

import (
	"context"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/reports/reportstest"
)

// TestLiveShowsABlindTransferWaitingInItsQueue: a customer a blind transfer put in a queue
// (nobody was free) waits there, from the transfer's start, and is no longer with the agent
// who transferred; once an agent of the queue answers they talk again.
func TestLiveShowsABlindTransferWaitingInItsQueue(t *testing.T) {
	ctx := context.Background()
	e := newKPIEnv(t)
	w := e.world
	s := &reportstest.Seed{T: t, DB: w.DB}
	returns := s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A returns', ?)`, w.BrandA)
	// Agent A answered a hotline caller at 11:50 and sent them to "A returns" at 11:58:30.
	call := s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, agent_id, started_at, answered_at, queued_at, outcome)
		VALUES ('inbound', 'hotline', ?, NULL, ?, ?, ?, ?, '')`, w.BrandA, w.AgentA,
		reportstest.Time("2026-11-16T11:49:00Z"), reportstest.Time("2026-11-16T11:49:01Z"), reportstest.Time("2026-11-16T11:49:30Z"))
	tr := s.ID(`INSERT INTO call_transfers (brand_id, call_id, kind, from_agent_id, to_queue_id, started_at) VALUES (?, ?, 'blind', ?, ?, ?)`,
		w.BrandA, call, w.AgentA, returns, reportstest.Time("2026-11-16T11:58:30Z"))

	snap, err := e.dash.Live(ctx, access.Brands(w.BrandA))
	if err != nil {
		t.Fatal(err)
	}
	q := liveQueue(t, snap, "A returns")
	if q.Waiting != 1 || q.LongestWaitS != 90 {
		t.Errorf("A returns while the transferred customer waits: %+v; want 1 waiting for 90 s (since the transfer)", q)
	}
	if c := liveCall(t, snap, call); c.State != "waiting" || c.Agent != "" {
		t.Errorf("the transferred call shows %q with %q; want waiting, with no agent", c.State, c.Agent)
	}
	if other, _ := e.dash.Live(ctx, access.Brands(w.BrandB)); len(other.Calls) != 1 {
		t.Errorf("brand B sees %d live calls, want its own 1", len(other.Calls))
	}

	// An agent of the queue answers (agent A again, as the fixture has one agent in brand A): the transfer ends with them, the call is theirs.
	s.Exec(`UPDATE call_transfers SET outcome = 'completed', to_agent_id = ?, ended_at = ? WHERE id = ?`, w.AgentA, reportstest.Time("2026-11-16T11:59:40Z"), tr)
	snap, err = e.dash.Live(ctx, access.Brands(w.BrandA))
	if err != nil {
		t.Fatal(err)
	}
	if q := liveQueue(t, snap, "A returns"); q.Waiting != 0 {
		t.Errorf("A returns after an agent answered: %+v; want nobody waiting", q)
	}
	if c := liveCall(t, snap, call); c.State != "talking" {
		t.Errorf("the call after an agent answered shows %q, want talking", c.State)
	}
}

func liveQueue(t *testing.T, snap LiveSnapshot, name string) LiveQueue {
	t.Helper()
	for _, q := range snap.Queues {
		if q.Name == name {
			return q
		}
	}
	t.Fatalf("no queue %q in %+v", name, snap.Queues)
	return LiveQueue{}
}

func liveCall(t *testing.T, snap LiveSnapshot, id int64) LiveCall {
	t.Helper()
	for _, c := range snap.Calls {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no call %d in %+v", id, snap.Calls)
	return LiveCall{}
}
