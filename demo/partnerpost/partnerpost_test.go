package partnerpost_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/demo/partnerpost"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// The demo's partner post takes every escalation (the timeline says delivered, not "connection
// refused"), answers those made after it started, lets the demo loader's ones wait, and
// refuses a delivery it cannot verify.
func TestDemoPostAnswersLiveEscalations(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel("EA001234568GB"))
	postID, _, _ := e.PostGB.Post()
	if _, err := e.Cases.SetPostWebhook(ctx, e.PostGB, postID, "http://127.0.0.1:9/escalations", ""); err != nil {
		t.Fatal(err)
	}
	seeded := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "non_receipt_or_delay"})
	if _, err := e.Cases.Escalate(ctx, e.ScopeA(), casestest.AgentA, seeded.Number, 0, "origin", "where is it?"); err != nil {
		t.Fatal(err)
	}

	p, err := partnerpost.Start(ctx, e.DB, e.Cases, 10*time.Millisecond, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	live := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"EA001234568GB"}, Type: "non_receipt_or_delay"})
	if _, err := e.Cases.Escalate(ctx, e.ScopeA(), casestest.AgentA, live.Number, 0, "origin", "the parcel never came"); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Cases.DeliverDue(ctx); err != nil || n != 2 {
		t.Fatalf("deliveries: %d %v", n, err)
	}
	if n := e.Count(`SELECT COUNT(*) FROM webhook_attempts WHERE status_code = 200`); n != 2 {
		t.Errorf("%d deliveries accepted, want both", n)
	}
	var status string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := e.Cases.Detail(ctx, e.ScopeA(), live.Number, 0)
		if err != nil {
			t.Fatal(err)
		}
		if status = string(c.Status); status == string(cases.StatusOpen) {
			break
		}
	}
	if status != string(cases.StatusOpen) {
		t.Fatalf("the live escalation's case is %s, want open with the post's answer", status)
	}
	v, _ := e.Cases.Detail(ctx, e.ScopeA(), live.Number, 0)
	answered := false
	for _, it := range v.Timeline {
		answered = answered || (it.Kind == "case" && strings.Contains(it.Summary, "Trace of EA001234568GB") && strings.HasPrefix(it.Actor, "post:"))
	}
	if !answered {
		t.Errorf("no answer of the post on the timeline: %+v", v.Timeline)
	}
	if s, _ := e.Cases.Detail(ctx, e.ScopeA(), seeded.Number, 0); s.Status != cases.StatusWaitingPartnerPost {
		t.Errorf("the demo loader's escalation: %s, want still waiting for the post", s.Status)
	}

	res, err := http.Post(p.URL()+"/posts/1/escalations", "application/json", bytes.NewReader([]byte(`{"escalation_id": 2}`)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("an unsigned delivery: HTTP %d, want 401", res.StatusCode)
	}
}
