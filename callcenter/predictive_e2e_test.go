package callcenter

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/predictive"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// newPredictiveWorld is a call center with the live pacer, a customer phone (a real baresip
// saying customerTone) behind the trunk and a running predictive campaign.
func newPredictiveWorld(t *testing.T) (w *world, pc *predictive.Pacer, campaign int64, customer *telephonytest.Phone) {
	t.Helper()
	customer = telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w = newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{AgentRing: 3 * time.Second})
	pc = predictive.New(w.db, storetest.Logger(t))
	w.center.cfg.Pacer = pc
	now := time.Now().UTC()
	if err := w.db.SQL.QueryRow(w.db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, status, created_at, updated_at)
		VALUES (?, 'COD predictive', 'predictive', 'running', ?, ?) RETURNING id`), w.brand, now, now).Scan(&campaign); err != nil {
		t.Fatal(err)
	}
	return w, pc, campaign, customer
}

func (w *world) predictiveCall(t *testing.T, campaign int64, contact string) Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	run, err := w.center.predictive(ctx, OutboundRequest{BrandID: w.brand, To: customerE164, CampaignRef: strconv.FormatInt(campaign, 10),
		ContactRef: contact, Language: "ru"})
	if err != nil {
		t.Fatal(err)
	}
	c := run()
	got, err := w.center.Calls.Get(ctx, access.Brands(w.brand), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestPredictiveCallWithNoAgentIsAbandoned: a predictive call answered by a person when no
// agent is logged in ends abandoned after the person heard the brand's recorded message (the
// shipped Russian one), and it counts in the campaign's abandon rate.
func TestPredictiveCallWithNoAgentIsAbandoned(t *testing.T) {
	storetest.OnePass(t)
	w, _, campaign, customer := newPredictiveWorld(t)
	c := w.predictiveCall(t, campaign, "contact-1")
	if c.Outcome != Abandoned || c.AgentID != 0 || c.AnsweredAt == nil || c.Mode != ModePredictive {
		t.Fatalf("call %+v: want an answered predictive call, abandoned, no agent", c)
	}
	voiced := 0 // 20 ms frames of the message the customer heard
	s := customer.Heard(t)
	for i := 0; i+160 <= len(s); i += 160 {
		if media.RMS(s[i:i+160]) > 300 {
			voiced++
		}
	}
	if voiced < 50 {
		t.Errorf("the customer heard %d voiced 20 ms frames, want the abandoned-call message (about 3 s of speech)", voiced)
	}
	list, err := reports.Abandons(context.Background(), w.db, access.Brands(w.brand), campaign, time.Now().UTC())
	if err != nil || len(list) != 1 || list[0].Day.Answered != 1 || list[0].Day.Abandoned != 1 {
		t.Errorf("campaign abandon figures %+v %v, want 1 of 1 abandoned", list, err)
	}
}

// TestPredictiveAgentKeepsOneMediaSession: the pacer calls the available agent's SIP phone
// once; two customers in a row are bridged into that same call (one SIP Call-ID on both agent
// legs: no new offer/answer), the customer hears the agent, and the session outlives both;
// it ends once the campaign is paused.
func TestPredictiveAgentKeepsOneMediaSession(t *testing.T) {
	storetest.OnePass(t)
	w, pc, campaign, customer := newPredictiveWorld(t)
	agentID, _ := w.agent("agent1", agentTone)
	ctx := context.Background()
	pc.Attach(ctx, w.eng)
	if _, err := pc.Allow(ctx, []int64{w.brand}, map[int64]int{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); pc.Sessions() != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no media session to the agent's phone in 10 s")
		}
	}
	var session string
	for i := range 2 {
		hangupAfter(t, customer, 3*time.Second)
		c := w.predictiveCall(t, campaign, "contact-"+itoa(i))
		if c.Outcome != Answered || c.AgentID != agentID {
			t.Fatalf("call %d: outcome %s agent %d, want answered by agent %d", i, c.Outcome, c.AgentID, agentID)
		}
		var agentLeg string
		for _, l := range c.Legs {
			if l.Kind == LegAgent {
				agentLeg = l.SIPCallID
			}
		}
		if session == "" {
			session = agentLeg
		}
		if agentLeg == "" || agentLeg != session {
			t.Errorf("call %d: agent leg Call-ID %q, want the session's %q (the same call to the phone)", i, agentLeg, session)
		}
		heard(t, customer, agentTone, "customer")
		if err := w.center.Agents.SetState(ctx, agentID, Available); err != nil { // the wrap-up is done
			t.Fatal(err)
		}
	}
	if pc.Sessions() != 1 {
		t.Errorf("sessions after two customers: %d, want the agent's one still up", pc.Sessions())
	}
	// The campaign is paused: the agent has no predictive work left, the session is hung up.
	if _, err := w.db.SQL.Exec(w.db.Rebind(`UPDATE campaigns SET status = 'paused' WHERE id = ?`), campaign); err != nil {
		t.Fatal(err)
	}
	pc.Sweep(ctx)
	for deadline := time.Now().Add(10 * time.Second); pc.Sessions() != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the agent's session is still up 10 s after the campaign was paused")
		}
	}
}
