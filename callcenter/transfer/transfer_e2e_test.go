package transfer

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestAttendedTransfer: a hotline customer (baresip, 1000 Hz) talks to agent A (600 Hz); A
// consults agent B (800 Hz) while the customer hears hold music, then completes: the
// customer hears B and B the customer, the call has one recording (left the customer,
// right A then B), and the call log has both agents' legs and the transfer's row.
func TestAttendedTransfer(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	a, phA := w.agent("agenta", w.brand, agentATone)
	customer := w.call(a)
	b, phB := w.agent("agentb", w.brand, agentBTone)
	time.Sleep(3 * time.Second)
	if err := w.svc.Complete(a); !errors.Is(err, ErrNoTransfer) {
		t.Fatalf("complete with no transfer: %v", err)
	}
	started := time.Now()
	tr, err := w.svc.Start(ctx, a, Request{Kind: Attended, Target: Target{AgentID: b.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.State != StateRinging || tr.ToAgentID != b.ID || tr.FromAgentID != a.ID {
		t.Fatalf("started: %+v", tr)
	}
	w.eventually(10*time.Second, "A consults B", func() bool { cur, err := w.svc.Current(a); return err == nil && cur.State == StateConsulting })
	consulting := time.Now()
	time.Sleep(4 * time.Second)
	completed := time.Now()
	if err := w.svc.Complete(a); err != nil {
		t.Fatal(err)
	}
	got := w.done(a, tr.CallID)
	if got.Kind != string(Attended) || got.Outcome != Completed || got.FromAgentID != a.ID || got.ToAgentID != b.ID || got.EndedAt == nil {
		t.Fatalf("transfer row: %+v", got)
	}
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)

	if c.AgentID != b.ID || c.Outcome != callcenter.Answered || c.HangupSide != callcenter.LegCustomer {
		t.Fatalf("call: agent %d (want B %d), outcome %s, hung up by %s", c.AgentID, b.ID, c.Outcome, c.HangupSide)
	}
	if len(c.Legs) != 3 || c.Legs[0].Kind != callcenter.LegCustomer || c.Legs[1].AgentID != a.ID || c.Legs[2].AgentID != b.ID ||
		c.Legs[1].EndedAt == nil || c.Legs[2].AnsweredAt == nil || c.Legs[1].EndedAt.After(*c.Legs[2].EndedAt) {
		t.Fatalf("legs: %+v", c.Legs)
	}
	// The customer's hold music is hold in the call log (calls.hold_ms, 00042): at least the
	// consult, at most the call.
	var holdMS int64
	if err := w.db.SQL.QueryRow(w.db.Rebind(`SELECT hold_ms FROM calls WHERE id = ?`), c.ID).Scan(&holdMS); err != nil {
		t.Fatal(err)
	}
	if consult, total := completed.Sub(consulting).Milliseconds(), c.EndedAt.Sub(*c.AnsweredAt).Milliseconds(); holdMS < consult || holdMS > total {
		t.Errorf("hold_ms %d, want at least the consult's %d ms and at most the call's %d ms", holdMS, consult, total)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if ag, _ := w.center.Agents.Get(ctx, id); ag.State != callcenter.WrapUp {
			t.Errorf("agent %d is %s after the call, want wrap_up", id, ag.State)
		}
	}
	margin := 700 * time.Millisecond
	heard := customer.Heard(t)
	hears(t, "the customer before the transfer", window(heard, hungUp, started.Add(-2*time.Second), started.Add(-margin)), agentATone, agentBTone)
	during := window(heard, hungUp, consulting.Add(margin), completed.Add(-margin))
	if rms := media.RMS(during); rms < 100 {
		t.Errorf("during the consult the customer heard silence (RMS %.0f), want the hold music", rms)
	}
	for _, hz := range []float64{agentATone, agentBTone} {
		if share := media.ToneShare(during, 8000, hz); share > 0.1 {
			t.Errorf("during the consult the customer heard %v Hz (share %.2f), want only the hold music", hz, share)
		}
	}
	hears(t, "the customer after completion", window(heard, hungUp, completed.Add(margin), hungUp.Add(-margin)), agentBTone, agentATone)
	hb := phB.Heard(t)
	hears(t, "B after completion", window(hb, hungUp, completed.Add(margin), hungUp.Add(-margin)), customerTone, agentATone)
	ha := phA.Heard(t)
	hears(t, "A during the consult", window(ha, completed, consulting.Add(margin), completed.Add(-margin)), agentBTone, customerTone)

	ch := w.recording(c)
	end := *c.EndedAt
	hears(t, "recording left before", window(ch[0], end, started.Add(-2*time.Second), started.Add(-margin)), customerTone)
	hears(t, "recording right before", window(ch[1], end, started.Add(-2*time.Second), started.Add(-margin)), agentATone, agentBTone)
	hears(t, "recording left after", window(ch[0], end, completed.Add(margin), hungUp.Add(-margin)), customerTone)
	hears(t, "recording right after", window(ch[1], end, completed.Add(margin), hungUp.Add(-margin)), agentBTone, agentATone)
}

// TestBlindTransferToQueue: A sends the customer to the brand's queue; its free agent B
// takes the call at once and A goes to wrap-up.
func TestBlindTransferToQueue(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	a, _ := w.agent("agenta", w.brand, agentATone)
	customer := w.call(a)
	b, _ := w.agent("agentb", w.brand, agentBTone)
	time.Sleep(2 * time.Second)
	tr, err := w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{QueueID: w.queue}})
	if err != nil {
		t.Fatal(err)
	}
	got := w.done(a, tr.CallID)
	if got.Kind != string(Blind) || got.Outcome != Completed || got.ToQueueID != w.queue || got.ToAgentID != b.ID {
		t.Fatalf("transfer row: %+v", got)
	}
	if ag, _ := w.center.Agents.Get(ctx, a.ID); ag.State != callcenter.WrapUp {
		t.Errorf("A is %s after handing the call over, want wrap_up", ag.State)
	}
	completed := time.Now()
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)
	if c.AgentID != b.ID || len(c.Legs) != 3 || c.Legs[2].AgentID != b.ID {
		t.Fatalf("call: agent %d, legs %+v", c.AgentID, c.Legs)
	}
	hears(t, "the customer after the transfer", window(customer.Heard(t), hungUp, completed.Add(time.Second), hungUp.Add(-time.Second)), agentBTone, agentATone)
	ch := w.recording(c)
	hears(t, "recording right before", window(ch[1], *c.EndedAt, completed.Add(-3*time.Second), completed.Add(-time.Second)), agentATone, agentBTone)
	hears(t, "recording right after", window(ch[1], *c.EndedAt, completed.Add(time.Second), hungUp.Add(-time.Second)), agentBTone, agentATone)
}

// TestTransferToExternalNumber: another brand's agent is refused (422 agent_id), a number
// is refused while the brand does not allow it (403 number) and an agent may not allow it;
// once a brand manager does, a blind transfer to a number goes out through the trunk (a
// second baresip) and the external party talks to the customer.
func TestTransferToExternalNumber(t *testing.T) {
	storetest.OnePass(t)
	external := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "+79001234567", Tone: agentBTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + strconv.Itoa(external.SIPPort)})
	ctx := context.Background()
	other, _, err := w.acc.CreateBrand(ctx, "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := w.agent("agenta", w.brand, agentATone)
	stranger, _ := w.agent("stranger", other.ID, agentBTone)
	customer := w.call(a)
	time.Sleep(time.Second)

	var fe *FieldError
	_, err = w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{AgentID: stranger.ID}})
	if !errors.As(err, &fe) || fe.Field != "agent_id" || !errors.Is(err, ErrInvalid) {
		t.Fatalf("another brand's agent: %v", err)
	}
	_, err = w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{Number: "+7 900 123-45-67"}})
	if !errors.As(err, &fe) || fe.Field != "number" || !errors.Is(err, ErrForbidden) {
		t.Fatalf("external number not allowed: %v", err)
	}
	if err := w.svc.SetAllowsExternal(ctx, a, w.brand, true); !errors.Is(err, ErrForbidden) {
		t.Fatalf("an agent allowed external transfers: %v", err)
	}
	manager, err := w.acc.CreateUser(ctx, "manager@example.com", "a login password 1", access.RoleBrandManager, []int64{w.brand})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SetAllowsExternal(ctx, &access.User{ID: manager.ID, Role: access.RoleBrandManager, BrandIDs: []int64{w.brand}}, w.brand, true); err != nil {
		t.Fatal(err)
	}
	tr, err := w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{Number: "+7 900 123-45-67"}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.ToNumber != "+79001234567" {
		t.Fatalf("number dialled as %q", tr.ToNumber)
	}
	got := w.done(a, tr.CallID)
	if got.Outcome != Completed {
		t.Fatalf("transfer row: %+v", got)
	}
	completed := time.Now()
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)
	if c.AgentID != a.ID || len(c.Legs) != 3 || c.Legs[2].Kind != callcenter.LegExternal || c.Legs[2].AnsweredAt == nil {
		t.Fatalf("call: agent %d (want A, who transferred), legs %+v", c.AgentID, c.Legs)
	}
	win := func(s []int16) []int16 {
		return window(s, hungUp, completed.Add(time.Second), hungUp.Add(-time.Second))
	}
	hears(t, "the customer after the transfer", win(customer.Heard(t)), agentBTone, agentATone)
	hears(t, "the external party", win(external.Heard(t)), customerTone, agentATone)
}

// TestReferFromAgentPhone: agent A's SIP phone (baresip) sends REFER to agent B's SIP
// username ("transfer <uri>"): a blind transfer, and the customer talks to B.
func TestReferFromAgentPhone(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	w.eng.OnRefer(func(leg *telephony.Leg, to string, done func(int)) error { return w.svc.Refer(ctx, leg, to, done) })
	a, phA := w.agent("agenta", w.brand, agentATone)
	customer := w.call(a)
	b, _ := w.agent("agentb", w.brand, agentBTone)
	time.Sleep(2 * time.Second)
	if out, err := phA.Command("transfer", "sip:agentb@"+w.eng.Addr()); err != nil {
		t.Fatalf("transfer: %v %s", err, out)
	}
	w.eventually(10*time.Second, "the REFER started a transfer", func() bool {
		list, _ := w.svc.List(ctx, access.Brands(w.brand), 1)
		return len(list) == 1
	})
	got := w.done(a, 1)
	if got.Kind != string(Blind) || got.Outcome != Completed || got.FromAgentID != a.ID || got.ToAgentID != b.ID {
		t.Fatalf("transfer row: %+v", got)
	}
	completed := time.Now()
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)
	if c.AgentID != b.ID || len(c.Legs) != 3 {
		t.Fatalf("call: agent %d, legs %+v", c.AgentID, c.Legs)
	}
	hears(t, "the customer after the REFER", window(customer.Heard(t), hungUp, completed.Add(time.Second), hungUp.Add(-time.Second)), agentBTone, agentATone)
}

// TestTransferComesBack: a blind transfer to an agent who does not answer (a phone that only
// rings) gives the customer back to A (outcome failed); an attended one A cancels during the
// consult does too (outcome cancelled); the targets are available again and A keeps the call.
func TestTransferComesBack(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	a, _ := w.agent("agenta", w.brand, agentATone)
	customer := w.call(a)
	deaf, _ := w.agentPhone("deaf", w.brand, telephonytest.PhoneOptions{Tone: agentBTone, Manual: true})
	time.Sleep(time.Second)
	tr, err := w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{AgentID: deaf.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.done(a, tr.CallID); got.Outcome != Failed || got.ToAgentID != deaf.ID {
		t.Fatalf("unanswered blind transfer: %+v", got)
	}
	if ag, _ := w.center.Agents.Get(ctx, deaf.ID); ag.State != callcenter.Available {
		t.Errorf("the agent who did not answer is %s, want available", ag.State)
	}
	b, _ := w.agent("agentb", w.brand, agentBTone)
	if _, err := w.svc.Start(ctx, a, Request{Kind: Attended, Target: Target{AgentID: b.ID}}); err != nil {
		t.Fatal(err)
	}
	w.eventually(10*time.Second, "A consults B", func() bool { cur, err := w.svc.Current(a); return err == nil && cur.State == StateConsulting })
	time.Sleep(2 * time.Second)
	if err := w.svc.Cancel(a); err != nil {
		t.Fatal(err)
	}
	if got := w.done(a, tr.CallID); got.Outcome != Cancelled || got.ToAgentID != b.ID {
		t.Fatalf("cancelled attended transfer: %+v", got)
	}
	back := time.Now()
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)
	if c.AgentID != a.ID || len(c.Legs) != 4 || c.Legs[2].AgentID != deaf.ID || c.Legs[2].AnsweredAt != nil || c.Legs[3].AgentID != b.ID {
		t.Fatalf("call: agent %d (want A), legs %+v", c.AgentID, c.Legs)
	}
	if ag, _ := w.center.Agents.Get(ctx, b.ID); ag.State != callcenter.Available {
		t.Errorf("B after the cancelled consult is %s, want available", ag.State)
	}
	hears(t, "the customer back with A", window(customer.Heard(t), hungUp, back.Add(time.Second), hungUp.Add(-time.Second)), agentATone, agentBTone)
	ch := w.recording(c)
	hears(t, "recording right back with A", window(ch[1], *c.EndedAt, back.Add(time.Second), hungUp.Add(-time.Second)), agentATone, agentBTone)
}
