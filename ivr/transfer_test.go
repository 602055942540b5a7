package ivr

import (
	"context"
	dto "github.com/prometheus/client_model/go"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestRobocallKey0GoesToAnAgentThroughTheQueue: the customer (baresip) presses 0 in the
// robocall; they wait in the brand's hotline queue as a hotline caller, the available agent's
// phone (baresip, registered with wismo) rings and answers, and the two talk: a hotline call
// of the parcel with that agent is logged, and the robocall's row says agent, keys "0".
func TestRobocallKey0GoesToAnAgentThroughTheQueue(t *testing.T) {
	storetest.OnePass(t)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	w := newRobocallWorld(t, phone.SIPPort)
	log := storetest.Logger(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The call center on the robocall's own endpoint: agents register with it.
	agents := callcenter.NewAgents(w.DB, "wismo", w.Access)
	center := callcenter.NewCenter(callcenter.Config{}, w.DB, agents, recordings.NewService(w.DB, t.TempDir(), log), w.Tracking, log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200, Realm: "wismo",
		Trunk: telephony.Trunk{URI: "sip:127.0.0.1:" + strconv.Itoa(phone.SIPPort)}}, log, agents, center)
	if err != nil {
		t.Fatal(err)
	}
	center.Attach(context.Background(), eng)
	sctx, stop := context.WithCancel(context.Background())
	go eng.Serve(sctx)
	t.Cleanup(func() { stop(); eng.Close() })
	w.robo.Eng, w.robo.Queue = eng, center
	// A customer put through by key 0 asked for an agent: no self-service on the way.
	self := &SelfService{Eng: eng, Prompts: w.robo.Prompts, Parcels: w.Tracking, Settings: w.robo.Settings, Days: w.days, DB: w.DB,
		Log: log, Count: NewSelfServiceCounter()}
	center.UseSelfService(self.Serve)
	if _, err := center.AddQueue(ctx, callcenter.Queue{Name: "main", BrandID: w.BrandA, Ring: 10 * time.Second, MaxWait: 40 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	u, err := w.Access.CreateUser(ctx, "agent1@example.com", "a login password 1", access.RoleAgent, []int64{w.BrandA})
	if err != nil {
		t.Fatal(err)
	}
	if err := agents.SetSIPSecret(ctx, u.ID, "agent1", "sip-secret-agent1"); err != nil {
		t.Fatal(err)
	}
	agentPhone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent1", Tone: 600, Registrar: eng.Addr(), Password: "sip-secret-agent1"})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, ok := eng.Registrar().Locate("agent1"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's phone did not register:\n%s", agentPhone.Output())
		}
	}
	if err := agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
		t.Fatal(err)
	}
	go func() {
		if waitAnswered(ctx, phone) {
			pressWhenHeard(ctx, t, phone, 0, "0")
			waitAnswered(ctx, agentPhone) // the agent answers
			time.Sleep(2 * time.Second)   // they talk; then the customer hangs up
			phone.Command("hangup", "")
		}
	}()
	if n, err := w.d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("robocall placed: %d (%v)", n, err)
	}
	c := w.answered(ctx)
	var answer, keys string
	if err := w.DB.SQL.QueryRowContext(ctx, w.DB.Rebind(`SELECT ivr_answer, ivr_keys FROM calls WHERE brand_id = ? AND contact_ref = ?`),
		w.BrandA, strconv.FormatInt(c.ID, 10)).Scan(&answer, &keys); err != nil {
		t.Fatal(err)
	}
	if answer != AnswerAgent || keys != "0" {
		t.Fatalf("robocall row: answer %q keys %q\n%s", answer, keys, phone.Output())
	}
	calls, err := center.Calls.List(ctx, access.Brands(w.BrandA), callcenter.CallFilter{Direction: callcenter.Inbound})
	if err != nil || len(calls) != 1 || calls[0].AgentID != u.ID || calls[0].Outcome != callcenter.Answered || calls[0].ParcelID != item ||
		calls[0].From != customer || calls[0].Mode != callcenter.ModeHotline {
		t.Fatalf("the queue call: %+v %v\n%s", calls, err, agentPhone.Output())
	}
	center.Wait()
	for _, o := range []string{OutcomeAgent, OutcomeDeflected} {
		var m dto.Metric
		self.Count.WithLabelValues(o).Write(&m)
		if n := m.GetCounter().GetValue(); n != 0 {
			t.Errorf("self-service %s %v for a caller put through by key 0, want none", o, n)
		}
	}
}
