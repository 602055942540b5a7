package callcenter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// outcomes records what the placer hands back to the dialer.
type outcomes chan string

func (o outcomes) RecordCallOutcome(_ context.Context, contactID int64, outcome, _, _ string, _ time.Time) error {
	o <- outcome
	return nil
}

func (o outcomes) OptOut(context.Context, int64, dialer.Channel, string, string) error { return nil }

// TestPlacer: with nobody free the dialer's attempt is handed back; with an agent free the
// call goes out and its outcome (here busy) reaches the dialer.
func TestPlacer(t *testing.T) {
	trunk := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{Status: 486})
	w := newWorld(t, telephony.Trunk{URI: "sip:" + trunk.Addr}, Config{})
	got := make(outcomes, 1)
	p := NewPlacer(w.center, got)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := dialer.CallRequest{ContactID: 7, BrandID: w.brand, CampaignID: 3, To: customerE164}
	if err := p.PlaceCall(ctx, req); !errors.Is(err, dialer.ErrNotSent) {
		t.Fatalf("no agent: %v, want ErrNotSent", err)
	}
	if free, err := p.FreeAgents(ctx, []int64{w.brand}); err != nil || free[w.brand] != 0 {
		t.Fatalf("free agents before any registered: %v %v", free, err)
	}
	w.agent("agent1", agentTone)
	if free, err := p.FreeAgents(ctx, []int64{w.brand}); err != nil || free[w.brand] != 1 {
		t.Fatalf("free agents with one available: %v %v", free, err)
	}
	if err := p.PlaceCall(ctx, req); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-got:
		if o != string(Busy) {
			t.Fatalf("outcome %q, want busy", o)
		}
	case <-ctx.Done():
		t.Fatal("no outcome reached the dialer")
	}
}

// ownedBy is a Callbacks whose every contact is offered to one agent until a time.
type ownedBy struct {
	agent int64
	until time.Time
}

func (o ownedBy) Promise(context.Context, Promise) (int64, error) { return 0, nil }
func (o ownedBy) Owner(context.Context, int64) (int64, time.Time, error) {
	return o.agent, o.until, nil
}

// TestPlacerOffersACallbackToItsOwner: a callback owned by an agent who is away is handed
// back while its grace lasts, even with another agent free; after the grace that agent takes it.
func TestPlacerOffersACallbackToItsOwner(t *testing.T) {
	trunk := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{Status: 486})
	w := newWorld(t, telephony.Trunk{URI: "sip:" + trunk.Addr}, Config{})
	got := make(outcomes, 1)
	p := NewPlacer(w.center, got)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	owner, err := w.acc.CreateUser(ctx, "owner@example.com", "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		t.Fatal(err)
	}
	w.agent("agent1", agentTone) // the only agent with a phone
	req := dialer.CallRequest{ContactID: 7, BrandID: w.brand, CampaignID: 3, To: customerE164}
	w.center.UseCallbacks(ownedBy{agent: owner.ID, until: time.Now().Add(time.Hour)})
	if err := p.PlaceCall(ctx, req); !errors.Is(err, dialer.ErrNotSent) {
		t.Fatalf("the owner is away, within the grace: %v, want ErrNotSent", err)
	}
	w.center.UseCallbacks(ownedBy{agent: owner.ID, until: time.Now().Add(-time.Second)})
	if err := p.PlaceCall(ctx, req); err != nil { // agent1 was reserved
		t.Fatalf("after the grace: %v", err)
	}
	if o := <-got; o != string(Busy) {
		t.Fatalf("outcome %q", o)
	}
}
