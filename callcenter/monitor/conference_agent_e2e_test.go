package monitor_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// agentOf makes an agent of brand on a baresip phone saying tone (Manual: it rings and
// waits), registered and available.
func (w *world) agentOf(name string, brand int64, o telephonytest.PhoneOptions) (access.User, *telephonytest.Phone) {
	w.t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{brand})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.center.Agents.SetSIPSecret(ctx, u.ID, name, "sip-secret-"+name); err != nil {
		w.t.Fatal(err)
	}
	o.User, o.Registrar, o.Password = name, w.eng.Addr(), "sip-secret-"+name
	ph := telephonytest.StartPhone(w.t, o)
	telephonytest.WaitRegistered(w.t, w.eng.Registrar(), name, ph)
	if err := w.center.Agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
		w.t.Fatal(err)
	}
	return u, ph
}

// stateOf is agent id's state now.
func (w *world) stateOf(id int64) callcenter.AgentState {
	w.t.Helper()
	ag, err := w.center.Agents.Get(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return ag.State
}

// waitState polls until agent id is in state s (10 s).
func (w *world) waitState(id int64, s callcenter.AgentState, what string) {
	w.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); w.stateOf(id) != s; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: agent %d is %s, want %s", what, id, w.stateOf(id), s)
		}
	}
}

// TestConferenceAgent: the agent on a hotline call (baresip, 600 Hz) adds a second agent of
// the brand (baresip, 1800 Hz) through the API: the second agent's phone rings and answers,
// all three hear each other, the second agent is on_call meanwhile; when they hang up only
// their leg ends (the customer and the agent talk on) and they are available again. The
// recording's right channel has them, its left never; call_transfers has the completed
// conference row with to_agent_id, ended when they left. Refusals: the agent themself,
// another brand's agent, a paused agent (409), and an agent whose phone refuses (503, back
// to available, a failed row).
func TestConferenceAgent(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	w.sipAgent()
	ctx := context.Background()
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	callID := w.liveCall(customer)
	path := fmt.Sprintf("/api/v1/calls/%d/conference", callID)
	asAgent := w.login("agent1@example.com")
	agent1, err := w.center.Agents.Get(ctx, w.liveAgent(callID))
	if err != nil {
		t.Fatal(err)
	}
	// The agents are made once the call is the first agent's: the hotline offers it to none of them.
	second, secondPhone := w.agentOf("agent2", w.brand, telephonytest.PhoneOptions{Tone: guestHz})
	other, _, err := w.acc.CreateBrand(ctx, "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := w.agentOf("stranger", other.ID, telephonytest.PhoneOptions{Tone: guestHz})
	paused, _ := w.agentOf("paused", w.brand, telephonytest.PhoneOptions{Tone: guestHz})
	if err := w.center.Agents.SetState(ctx, paused.ID, callcenter.Paused); err != nil {
		t.Fatal(err)
	}
	deaf, deafPhone := w.agentOf("deaf", w.brand, telephonytest.PhoneOptions{Tone: guestHz, Manual: true})
	for _, tc := range []struct {
		who  string
		id   int64
		want int
	}{
		{"the agent themself", agent1.UserID, fiber.StatusUnprocessableEntity},
		{"another brand's agent", stranger.ID, fiber.StatusUnprocessableEntity},
		{"a paused agent", paused.ID, fiber.StatusConflict},
	} {
		code, body := asAgent("POST", path, fmt.Sprintf(`{"agent_id": %d}`, tc.id))
		if code != tc.want || (tc.want == 422 && !strings.Contains(body, `"field":"agent_id"`)) {
			t.Errorf("%s: %d %s, want %d", tc.who, code, body, tc.want)
		}
	}
	if s := w.stateOf(stranger.ID); s != callcenter.Available {
		t.Errorf("another brand's agent is %s after the refusal, want available", s)
	}

	// The deaf agent's phone rings and refuses (baresip's hangup while ringing): 503.
	refused := make(chan int, 1)
	go func() { code, _ := asAgent("POST", path, fmt.Sprintf(`{"agent_id": %d}`, deaf.ID)); refused <- code }()
	w.waitState(deaf.ID, callcenter.Ringing, "the deaf agent rung")
	var code int
	for deadline := time.Now().Add(15 * time.Second); code == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the refused conference did not answer in 15 s")
		}
		deafPhone.Command("hangup", "") // refuses the ringing call once it is there
		select {
		case code = <-refused:
		case <-time.After(200 * time.Millisecond):
		}
	}
	if code != fiber.StatusServiceUnavailable {
		t.Errorf("an agent who refuses: %d, want 503", code)
	}
	w.waitState(deaf.ID, callcenter.Available, "the agent who refused")

	// The second agent joins.
	code, body := asAgent("POST", path, fmt.Sprintf(`{"agent_id": %d}`, second.ID))
	if code != fiber.StatusCreated || !strings.Contains(body, `"outcome":"completed"`) || !strings.Contains(body, fmt.Sprintf(`"agent_id":%d`, second.ID)) {
		t.Fatalf("conference with the second agent: %d %s", code, body)
	}
	if s := w.stateOf(second.ID); s != callcenter.OnCall {
		t.Errorf("the second agent is %s in the conference, want on_call", s)
	}
	time.Sleep(5 * time.Second)
	if _, err := secondPhone.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	w.waitState(second.ID, callcenter.Available, "the second agent after leaving")
	if _, ok := w.center.LiveCall(callID); !ok {
		t.Fatal("the call ended when the second agent left")
	}
	time.Sleep(2 * time.Second) // the customer and the first agent talk on
	if _, ok := w.center.LiveCall(callID); !ok {
		t.Fatal("the call ended after the second agent left")
	}
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	c := w.waitEnded(callID)
	hears(t, "the customer", customer, agentHz, guestHz)
	hears(t, "the agent", w.agent, customerHz, guestHz)
	hears(t, "the second agent", secondPhone, customerHz, agentHz)

	rec, err := w.recs.Get(ctx, access.Brands(w.brand), c.RecordingID)
	if err != nil {
		t.Fatalf("recording of call %d: %v", c.ID, err)
	}
	_, ch, err := media.ReadWAV(rec.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, total := toneSpan(ch[0], guestHz); total > 0 {
		t.Errorf("the recording's left channel (the customer) has the second agent for %v", total)
	}
	if _, total := toneSpan(ch[1], guestHz); total < 3*time.Second {
		t.Errorf("the recording's right channel has the second agent for %v only", total)
	}
	// The log: a failed row for the deaf agent, a completed one for the second, ended.
	rows, err := w.db.SQL.QueryContext(ctx, w.db.Rebind(`SELECT kind, COALESCE(from_agent_id, 0), COALESCE(to_agent_id, 0), to_number, outcome, ended_at
		FROM call_transfers WHERE call_id = ? AND brand_id = ? ORDER BY id`), callID, w.brand)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var kind, to, outcome string
		var from, toAgent int64
		var ended *time.Time
		if err := rows.Scan(&kind, &from, &toAgent, &to, &outcome, &ended); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s from %d to %d%s %s ended %v", kind, from, toAgent, to, outcome, ended != nil))
	}
	rows.Close()
	want := []string{
		fmt.Sprintf("conference from %d to %d failed ended true", agent1.UserID, deaf.ID),
		fmt.Sprintf("conference from %d to %d completed ended true", agent1.UserID, second.ID),
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("call_transfers:\n got %q\nwant %q", got, want)
	}
	// The second agent's leg is in the call's legs, hung up by them.
	var leg *callcenter.Leg
	for i := range c.Legs {
		if c.Legs[i].AgentID == second.ID {
			leg = &c.Legs[i]
		}
	}
	if leg == nil || leg.AnsweredAt == nil || leg.EndedAt == nil || leg.HangupSide != callcenter.LegAgent {
		t.Errorf("the second agent's leg: %+v", leg)
	}
}

// liveAgent is the agent who talks in call id now.
func (w *world) liveAgent(id int64) int64 {
	w.t.Helper()
	lc, ok := w.center.LiveCall(id)
	if !ok {
		w.t.Fatalf("call %d is not live", id)
	}
	return lc.AgentID
}
