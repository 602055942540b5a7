package dialer

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/tracking"
)

// The tracking page's history: a delivered SMS with its status, each call attempt with its
// outcome and disposition, nothing of a contact that never went out, and only the brand's own.
func TestTrackHistory(t *testing.T) {
	placer := &fakePlacer{}
	e := newEnv(t, func(o *Options) { o.Calls = placer })
	ctx := context.Background()
	id := tracking.MakeS10("RB", 200101, "GB")
	e.parcel(id, "Europe/Moscow")
	camp, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "COD calls", Mode: "progressive", CallerID: "+74950000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(parseUTC("2026-06-15T09:00:00Z")) // 12:00 Moscow
	e.plan(sms(id, "+79131234567", "Europe/Moscow", "Your parcel is on its way"),
		Request{ParcelID: id, Channel: Call, To: "+79131234567", TimeZone: "Europe/Moscow", CampaignID: camp.ID, RuleID: 9, TriggerRef: "x"})
	// An SMS due next week has not gone out: it is not history.
	later := sms(id, "+79131234567", "Europe/Moscow", "later")
	later.NotBefore = parseUTC("2026-06-22T09:00:00Z")
	e.plan(later)
	if n := e.runOnce(); n != 2 {
		t.Fatalf("claimed %d, want the SMS and the call", n)
	}
	var call Contact
	for _, c := range e.contacts(id) {
		if c.Channel == Call {
			call = c
		}
	}
	if err := e.svc.RecordCallOutcome(ctx, call.ID, "no_answer", "", "dialer", time.Time{}); err != nil {
		t.Fatal(err)
	}
	var due time.Time
	for _, c := range e.contacts(id) {
		if c.Channel == Call {
			due = c.DueAt
		}
	}
	e.clock.set(due)
	if n := e.runOnce(); n != 1 {
		t.Fatalf("second attempt not claimed (%d)", n)
	}
	if err := e.svc.RecordCallOutcome(ctx, call.ID, "answered", "reached", "agent:1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.TrackHistory(ctx, e.brand, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("history %+v, want the SMS and two attempts", got)
	}
	if s := got[0]; s.Channel != SMS || s.Status != StatusSent || s.Recipient != "+79131234567" {
		t.Errorf("sms %+v", s)
	}
	if a := got[1]; a.Channel != Call || a.Attempt != 1 || a.Outcome != "no_answer" || a.Disposition != "" {
		t.Errorf("first attempt %+v", a)
	}
	if a := got[2]; a.Attempt != 2 || a.Outcome != "answered" || a.Disposition != "reached" || !a.At.Equal(due) {
		t.Errorf("second attempt %+v", a)
	}
	if other, err := e.svc.TrackHistory(ctx, e.brand+1, id); err != nil || len(other) != 0 {
		t.Errorf("another brand's read: %+v %v", other, err)
	}
}
