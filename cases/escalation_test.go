package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// receiver is a partner post's webhook endpoint on loopback that fails its first tries.
type receiver struct {
	mu       sync.Mutex
	failures int
	bodies   [][]byte
	sigs     []string
	attempts []string
	srv      *httptest.Server
}

func newReceiver(t *testing.T, failures int) *receiver {
	r := &receiver{failures: failures}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies = append(r.bodies, body)
		r.sigs = append(r.sigs, req.Header.Get(cases.SignatureHeader))
		r.attempts = append(r.attempts, req.Header.Get("X-Wismo-Attempt"))
		if len(r.bodies) <= r.failures {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"received": true}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestEscalationWebhook(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "non_receipt_or_delay"})
	postID, _, _ := e.PostGB.Post()

	if _, err := e.Cases.Escalate(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, "origin", "where is it?"); !errors.Is(err, cases.ErrNoPartner) {
		t.Fatalf("escalation without a webhook: %v", err)
	}
	rcv := newReceiver(t, 2)
	if _, err := e.Cases.SetPostWebhook(ctx, e.ScopeA(), postID, rcv.srv.URL, ""); !errors.Is(err, cases.ErrForbidden) {
		t.Fatalf("a brand sets a post's webhook: %v", err)
	}
	secret, err := e.Cases.SetPostWebhook(ctx, e.PostGB, postID, rcv.srv.URL+"/wismo", "")
	if err != nil || len(secret) < 32 {
		t.Fatalf("secret %q: %v", secret, err)
	}
	e.Cases.SetWebhookBackoff(func(n int) time.Duration { return time.Duration(n) * time.Minute })
	got, err := e.Cases.Escalate(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, "origin", "where is it?")
	if err != nil || got.Status != cases.StatusWaitingPartnerPost {
		t.Fatalf("escalate: %+v %v", got, err)
	}
	deliver := func(want int) {
		t.Helper()
		n, err := e.Cases.DeliverDue(ctx)
		if err != nil || n != want {
			t.Fatalf("DeliverDue made %d attempts (%v), want %d", n, err, want)
		}
	}
	deliver(1)                         // fails: 503
	deliver(0)                         // not due before the backoff
	e.Now = e.Now.Add(time.Minute)     // backoff after attempt 1
	deliver(1)                         // fails again
	e.Now = e.Now.Add(2 * time.Minute) // backoff after attempt 2
	deliver(1)                         // delivered
	e.Now = e.Now.Add(time.Hour)
	deliver(0)

	if len(rcv.bodies) != 3 {
		t.Fatalf("receiver saw %d requests", len(rcv.bodies))
	}
	for i, b := range rcv.bodies {
		if string(b) != string(rcv.bodies[0]) {
			t.Fatalf("attempt %d sent another body", i+1)
		}
		if err := cases.VerifyWebhook(secret, rcv.sigs[i], b, time.Now(), 5*time.Minute); err != nil {
			t.Fatalf("attempt %d signature: %v", i+1, err)
		}
		if rcv.attempts[i] != string(rune('1'+i)) {
			t.Fatalf("attempt header %q", rcv.attempts[i])
		}
	}
	if cases.VerifyWebhook("another secret 0123456789", rcv.sigs[0], rcv.bodies[0], time.Now(), time.Minute) == nil {
		t.Fatal("a wrong secret verifies")
	}
	var payload cases.EscalationPayload
	if err := json.Unmarshal(rcv.bodies[0], &payload); err != nil || payload.Case.Number != c.Number ||
		payload.AnswerURL != "http://wismo.test/api/v1/escalations/1/answer" || payload.Parcels[0].ID != "RB123456785GB" {
		t.Fatalf("payload %+v %v", payload, err)
	}
	if n := e.Count(`SELECT COUNT(*) FROM webhook_attempts`); n != 3 {
		t.Fatalf("%d attempts logged", n)
	}
	if n := e.Count(`SELECT COUNT(*) FROM webhook_attempts WHERE status_code = 503 AND error = 'HTTP 503'`); n != 2 {
		t.Fatalf("%d failed attempts logged", n)
	}
	v, err := e.Cases.Detail(ctx, e.ScopeA(), c.Number, 0)
	if err != nil || len(v.Escalations) != 1 || v.Escalations[0].State != cases.EscalationDelivered || v.Escalations[0].Attempts != 3 {
		t.Fatalf("escalations %+v %v", v.Escalations, err)
	}

	// Only the post it went to answers; then the case is open again.
	other := access.PostScope(postID+100, "GB")
	if _, err := e.Cases.AnswerEscalation(ctx, other, cases.Actor{Label: "post"}, payload.EscalationID, "found it"); !errors.Is(err, cases.ErrNotFound) {
		t.Fatalf("another post answers: %v", err)
	}
	if _, err := e.Cases.AnswerEscalation(ctx, e.ScopeA(), casestest.AgentA, payload.EscalationID, "found it"); !errors.Is(err, cases.ErrNotFound) {
		t.Fatalf("a brand answers as the post: %v", err)
	}
	got, err = e.Cases.AnswerEscalation(ctx, e.PostGB, cases.Actor{Label: "post:GB"}, payload.EscalationID, "item found at the London hub, forwarded")
	if err != nil || got.Status != cases.StatusOpen {
		t.Fatalf("answer: %+v %v", got, err)
	}
	v, _ = e.Cases.Detail(ctx, e.ScopeA(), c.Number, 0)
	kinds := map[string]int{}
	for _, en := range v.Timeline {
		kinds[en.Kind]++
	}
	if kinds["escalation"] != 3 || v.Escalations[0].State != cases.EscalationAnswered {
		t.Fatalf("timeline kinds %v, escalation %+v", kinds, v.Escalations[0])
	}
}

func TestEscalationGivesUp(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"})
	postID, _, _ := e.PostGB.Post()
	rcv := newReceiver(t, 1000)
	if _, err := e.Cases.SetPostWebhook(ctx, access.Operator(), postID, rcv.srv.URL, "0123456789abcdef0123"); err != nil {
		t.Fatal(err)
	}
	e.Cases.SetWebhookBackoff(func(int) time.Duration { return time.Second })
	if _, err := e.Cases.Escalate(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, "origin", ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < cases.MaxWebhookAttempts+2; i++ {
		if _, err := e.Cases.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		e.Now = e.Now.Add(time.Second)
	}
	if n := e.Count(`SELECT COUNT(*) FROM webhook_attempts`); n != cases.MaxWebhookAttempts {
		t.Fatalf("%d attempts, want %d", n, cases.MaxWebhookAttempts)
	}
	if n := e.Count(`SELECT COUNT(*) FROM escalations WHERE state = 'failed'`); n != 1 {
		t.Fatal("the escalation is not marked failed")
	}
}

func TestSLASweep(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "delivery_change"}) // 60 business minutes
	if n, err := e.Cases.SweepSLA(ctx); err != nil || n != 0 {
		t.Fatalf("sweep before anything is due: %d %v", n, err)
	}
	// Friday 15:00 Moscow: the first response is due at 16:00, the resolution on Monday at 15:00.
	e.Now = e.Now.Add(50 * time.Minute)
	if sum, err := e.Cases.SLASummary(ctx, e.ScopeA()); err != nil || sum.Open != 1 || sum.NearBreach != 1 || sum.FirstResponseBreached != 0 {
		t.Fatalf("summary at 15:50: %+v %v", sum, err)
	}
	e.Now = e.Now.Add(20 * time.Minute)
	n, err := e.Cases.SweepSLA(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sweep at 16:10: %d %v", n, err)
	}
	if n, _ := e.Cases.SweepSLA(ctx); n != 0 {
		t.Fatalf("a breach marked twice")
	}
	msgs := e.Outbox(cases.TopicCaseSLABreached)
	if len(msgs) != 1 || msgs[0].Payload.Timer != "first_response" || msgs[0].Payload.Number != c.Number || msgs[0].ItemID != "RB123456785GB" {
		t.Fatalf("breach messages %+v", msgs)
	}
	if sum, _ := e.Cases.SLASummary(ctx, e.ScopeA()); sum.FirstResponseBreached != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if sum, _ := e.Cases.SLASummary(ctx, e.ScopeB()); sum.Open != 0 {
		t.Fatalf("brand B counts brand A's cases: %+v", sum)
	}
	// Waiting for the customer stops the resolution clock: no breach while it waits.
	if _, err := e.Cases.Update(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, cases.CasePatch{Status: casestest.Ptr("waiting_customer")}); err != nil {
		t.Fatal(err)
	}
	e.Now = e.Now.Add(7 * 24 * time.Hour)
	if n, _ := e.Cases.SweepSLA(ctx); n != 0 {
		t.Fatalf("a paused clock breached")
	}
	v, _ := e.Cases.Detail(ctx, e.ScopeA(), c.Number, 0)
	if v.SLA.FirstResponse.State != cases.SLAMetLate || v.SLA.Resolution.State != cases.SLAPaused {
		t.Fatalf("SLA view %+v", v.SLA)
	}
	list, _, err := e.Cases.List(ctx, e.ScopeA(), cases.CaseFilter{Breached: true})
	if err != nil || len(list) != 0 {
		t.Fatalf("breached list while paused: %d %v", len(list), err)
	}
}
