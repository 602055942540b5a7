package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
)

// TestWrapUpNeverConnected: after a preview call the customer never answered, the agent's
// wrap-up (the page sends a disposition and a note) is saved and the agent is available
// again, not stuck in wrap-up until the limit with "answered call N: not found".
func TestWrapUpNeverConnected(t *testing.T) {
	ctx := context.Background()
	acc, b, c, _ := softphoneApp(t)
	u, err := acc.CreateUser(ctx, "anna@example.com", "a login password 1", access.RoleAgent, []int64{b.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []AgentState{Available, OnCall, WrapUp} {
		if err := c.Agents.SetState(ctx, u.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	c.base = ctx // what Attach sets when telephony runs
	now := time.Now().UTC()
	for _, tc := range []struct {
		outcome  Outcome
		wantDisp string
	}{{NoAnswer, ""}, {Busy, ""}, {Answered, DispReached}} {
		call := Call{BrandID: b.ID, Direction: Outbound, Mode: ModePreview, AgentID: u.ID, To: "+79131234567",
			StartedAt: now, EndedAt: &now, Outcome: tc.outcome}
		if err := c.Calls.Create(ctx, &call); err != nil {
			t.Fatal(err)
		}
		d := c.phones.deskOf(u.ID, u)
		if err := d.wrapUp(ctx, inbound{Type: "wrap_up", CallID: call.ID, Disposition: DispReached, Note: "no one home"}); err != nil {
			t.Fatalf("%s call: wrap-up refused: %v", tc.outcome, err)
		}
		ag, err := c.Agents.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ag.State != Available {
			t.Errorf("%s call: agent is %s after wrap-up, want available", tc.outcome, ag.State)
		}
		got, err := c.Calls.Get(ctx, access.Operator(), call.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Note != "no one home" || got.Disposition != tc.wantDisp {
			t.Errorf("%s call: stored disposition %q note %q, want %q and the note", tc.outcome, got.Disposition, got.Note, tc.wantDisp)
		}
		// back through a call to wrap-up for the next case
		for _, s := range []AgentState{OnCall, WrapUp} {
			if err := c.Agents.SetState(ctx, u.ID, s); err != nil {
				t.Fatal(err)
			}
		}
	}
}
