package callcenter

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/amdgate"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// lateGate lets the test build the gate over the world's database after the world exists.
type lateGate struct{ g *amdgate.Gate }

func (l *lateGate) Screen(ctx context.Context, callID, brand int64, campaignRef string, customer *telephony.Leg) bool {
	return l.g.Screen(ctx, callID, brand, campaignRef, customer)
}

// TestProgressiveCallToAMachineEndsWithoutAgent: the customer's phone answers with a recorded
// voicemail greeting (a real baresip playing amd's committed clip); on a campaign set to hang
// up on machines, the call ends as no_answer with the machine recorded on it, and the agent's
// phone never rings.
func TestProgressiveCallToAMachineEndsWithoutAgent(t *testing.T) {
	storetest.OnePass(t)
	w, camp, agentID, _ := newAMDWorld(t, "007-machine_beep-en.wav", "progressive")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	c, err := w.center.Progressive(ctx, OutboundRequest{BrandID: w.brand, To: customerE164, CampaignRef: itoa(int(camp)), ContactRef: "contact-9"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.center.Calls.Get(ctx, access.Brands(w.brand), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != NoAnswer || got.AgentID != 0 || got.AnsweredAt == nil {
		t.Errorf("call to a machine: outcome %s, agent %d, answered %v; want no_answer, no agent, answered", got.Outcome, got.AgentID, got.AnsweredAt)
	}
	for _, l := range got.Legs {
		if l.Kind == LegAgent {
			t.Errorf("the agent's phone was rung for a machine: %+v", l)
		}
	}
	var result, cause sql.NullString
	var ms sql.NullInt64
	if err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT amd_result, amd_cause, amd_ms FROM calls WHERE id = ?`), c.ID).Scan(&result, &cause, &ms); err != nil {
		t.Fatal(err)
	}
	if result.String != "machine" || cause.String == "" || ms.Int64 <= 0 {
		t.Errorf("call row: amd_result %v amd_cause %v amd_ms %v, want machine with a cause", result, cause, ms)
	}
	if ag, _ := w.center.Agents.Get(ctx, agentID); ag.State != Available {
		t.Errorf("the agent kept for the call is %s, want available", ag.State)
	}
}

// TestProgressiveCallToAPersonWithAMDReachesTheAgent: with AMD on, a person who answers
// "Hello?" is still connected to the agent, and the call row says human.
func TestProgressiveCallToAPersonWithAMDReachesTheAgent(t *testing.T) {
	storetest.OnePass(t)
	w, camp, agentID, agentPhone := newAMDWorld(t, "001-person_word-en.wav", "predictive")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	go func() {
		time.Sleep(6 * time.Second)
		agentPhone.Command("hangup", "")
	}()
	c, err := w.center.Progressive(ctx, OutboundRequest{BrandID: w.brand, To: customerE164, CampaignRef: itoa(int(camp)), ContactRef: "contact-9"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.center.Calls.Get(ctx, access.Brands(w.brand), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != Answered || got.AgentID != agentID {
		t.Errorf("call to a person: outcome %s, agent %d; want answered by agent %d", got.Outcome, got.AgentID, agentID)
	}
	var result sql.NullString
	if err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT amd_result FROM calls WHERE id = ?`), c.ID).Scan(&result); err != nil {
		t.Fatal(err)
	}
	if result.String != "human" {
		t.Errorf("call row: amd_result %v, want human", result)
	}
}

// newAMDWorld is a call center whose customer phone (a real baresip) answers by playing one of
// amd's committed clips, with one agent and a running campaign of mode that hangs up on
// machines.
func newAMDWorld(t *testing.T, clipName, mode string) (w *world, campaign, agentID int64, agentPhone *telephonytest.Phone) {
	t.Helper()
	clip, err := filepath.Abs(filepath.Join("..", "amd", "testdata", "clips", clipName))
	if err != nil {
		t.Fatal(err)
	}
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Say: clip})
	gate := &lateGate{}
	w = newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{AgentRing: 3 * time.Second, AMD: gate})
	gate.g = amdgate.New(w.db, t.TempDir(), storetest.Logger(t))
	gate.g.Player = w.eng
	agentID, agentPhone = w.agent("agent1", agentTone)
	now := time.Now().UTC()
	if err := w.db.SQL.QueryRow(w.db.Rebind(`INSERT INTO campaigns (brand_id, name, mode, amd, status, created_at, updated_at)
		VALUES (?, 'COD calls', ?, 'hangup', 'running', ?, ?) RETURNING id`), w.brand, mode, now, now).Scan(&campaign); err != nil {
		t.Fatal(err)
	}
	return w, campaign, agentID, agentPhone
}
