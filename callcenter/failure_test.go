package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestPreviewBusyCustomer: a busy customer is logged busy with 486 and the agent goes to
// wrap-up.
func TestPreviewBusyCustomer(t *testing.T) {
	storetest.OnePass(t)
	trunk := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{Status: 486})
	w := newWorld(t, telephony.Trunk{URI: "sip:" + trunk.Addr}, Config{})
	agentID, _ := w.agent("agent1", agentTone)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := w.center.Preview(ctx, OutboundRequest{AgentID: agentID, BrandID: w.brand, To: customerE164})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := w.center.Calls.Get(ctx, access.Operator(), c.ID)
	if got.Outcome != Busy || got.SIPStatus != 486 || got.AnsweredAt != nil || got.SIPCallID == "" || len(got.Legs) != 2 || got.Legs[1].Outcome != Busy {
		t.Fatalf("call log: %+v", got)
	}
	if n := value(w.center.m.Attempts.WithLabelValues(Outbound, string(Busy))); n != 1 {
		t.Fatalf("wismo_call_attempts_total{outbound,busy} = %v", n)
	}
	if n := value(w.center.m.Active); n != 0 {
		t.Fatalf("wismo_calls_active = %v after the call", n)
	}
}

// TestCustomerVanishes: the customer's phone is killed mid-call (no BYE, no more RTP); the
// call is torn down after the no-RTP time, its recording finished, and the agent hung up.
func TestCustomerVanishes(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{})
	agentID, _ := w.agent("agent1", agentTone)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		time.Sleep(3 * time.Second)
		customer.Kill()
	}()
	c, err := w.center.Preview(ctx, OutboundRequest{AgentID: agentID, BrandID: w.brand, To: customerE164})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := w.center.Calls.Get(ctx, access.Operator(), c.ID)
	if got.Outcome != Answered || got.HangupSide != SideSystem || got.RecordingID == 0 {
		t.Fatalf("call log: %+v", got)
	}
	rec, err := w.recs.Get(ctx, access.Operator(), got.RecordingID)
	if err != nil || rec.FinishedAt == nil || rec.DurationMS < 1000 {
		t.Fatalf("recording: %+v %v", rec, err)
	}
	if w.eng.Active() != 0 {
		t.Fatalf("%d legs still up", w.eng.Active())
	}
}

// value reads a counter's or gauge's current value.
func value(m prometheus.Metric) float64 {
	var d dto.Metric
	m.Write(&d)
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}
