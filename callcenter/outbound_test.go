package callcenter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestPreviewCall: the agent asks for a call; the agent's registered baresip rings and
// answers, the customer's baresip is dialled through the trunk, talks for a while and hangs
// up first.
func TestPreviewCall(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort), CallerID: "+74950000000"}, Config{})
	agentID, agentPhone := w.agent("agent1", agentTone)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	w.parcelFor("RB123456785GB", customerE164) // a preview call is about one of the brand's parcels
	hangupAfter(t, customer, 4*time.Second)
	c, err := w.center.Preview(ctx, OutboundRequest{AgentID: agentID, BrandID: w.brand, ParcelID: "rb 1234 5678 5 gb", To: customerE164})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.center.Calls.Get(ctx, access.Brands(w.brand), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != Answered || got.HangupSide != LegCustomer || got.Mode != ModePreview || got.AgentID != agentID || got.SIPStatus != 200 ||
		got.ParcelID != "RB123456785GB" {
		t.Fatalf("call log: %+v", got)
	}
	checkTimes(t, got)
	if len(got.Legs) != 2 || got.Legs[0].Kind != LegAgent || got.Legs[1].Kind != LegCustomer || got.Legs[1].SIPCallID != got.SIPCallID {
		t.Fatalf("legs: %+v", got.Legs)
	}
	w.checkRecording(got, agentTone)
	w.onTimeline(got)
	heard(t, agentPhone, customerTone, "the agent's phone")
	heard(t, customer, agentTone, "the customer's phone")
	ag, _ := w.center.Agents.Get(ctx, agentID)
	if ag.State != WrapUp {
		t.Fatalf("agent state after the call: %s", ag.State)
	}
}

// TestProgressiveCall: no agent asks; the longest-idle available agent is reserved, the
// customer dialled, and on answer the first agent's phone rings but is never answered (it
// is cancelled after the ring time), so the next agent takes the call and hangs up first.
func TestProgressiveCall(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{AgentRing: 3 * time.Second})
	first, _ := w.agentPhone("agent1", telephonytest.PhoneOptions{Tone: agentTone, Manual: true})
	time.Sleep(20 * time.Millisecond) // agent1 is the longest idle
	second, secondPhone := w.agent("agent2", agent2Tone)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	go func() {
		time.Sleep(9 * time.Second)
		secondPhone.Command("hangup", "")
	}()
	c, err := w.center.Progressive(ctx, OutboundRequest{BrandID: w.brand, To: customerE164, CampaignRef: "camp-1", ContactRef: "contact-9"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.center.Calls.Get(ctx, access.Brands(w.brand), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != Answered || got.HangupSide != LegAgent || got.AgentID != second || got.CampaignRef != "camp-1" {
		t.Fatalf("call log: %+v", got)
	}
	checkTimes(t, got)
	if len(got.Legs) != 3 || got.Legs[1].AgentID != first || got.Legs[1].Outcome != NoAnswer || got.Legs[2].AgentID != second {
		t.Fatalf("legs: %+v", got.Legs)
	}
	w.checkRecording(got, agent2Tone)
	heard(t, secondPhone, customerTone, "the second agent's phone")
	heard(t, customer, agent2Tone, "the customer's phone")
	if ag, _ := w.center.Agents.Get(ctx, first); ag.State != Available {
		t.Fatalf("the agent who did not answer is %s, want available", ag.State)
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
