package dialer

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/tracking"
)

// TestDispositionReachesTheAlgorithm (issue 16): the telephony engine reports an answered
// call with no disposition; the attempt algorithm waits for the agent's wrap-up instead of
// reading the call as reached. voicemail retries at the configured spacing, callback_requested
// at the time the customer asked, wrong_number stops and flags the phone, and a wrap-up that
// never comes is decided as reached after Options.DispositionWait.
func TestDispositionReachesTheAlgorithm(t *testing.T) {
	placer := &fakePlacer{}
	e := newEnv(t, func(o *Options) { o.Calls = placer; o.DispositionWait = 5 * time.Minute })
	ctx := context.Background()
	camp, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "COD calls", Mode: "progressive"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	start := parseUTC("2026-06-15T08:00:00Z") // 11:00 in Moscow
	answered := func(serial int, phone string) (string, Contact) {
		t.Helper()
		e.clock.set(start)
		id := tracking.MakeS10("RB", serial, "GB")
		e.parcel(id, "Europe/Moscow")
		e.plan(Request{ParcelID: id, Channel: Call, To: phone, TimeZone: "Europe/Moscow", CampaignID: camp.ID, RuleID: int64(serial), TriggerRef: "x"})
		if n := e.runOnce(); n != 1 {
			t.Fatalf("%d calls placed", n)
		}
		c := e.contacts(id)[0]
		if err := e.svc.RecordCallOutcome(ctx, c.ID, "answered", "", "telephony", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if c = e.contacts(id)[0]; c.Status != StatusCalling {
			t.Fatalf("an answered call without a disposition was decided: %s (%s)", c.Status, c.Detail)
		}
		e.clock.set(start.Add(time.Minute)) // the agent's wrap-up
		return id, c
	}

	id, c := answered(300001, "+79131230001")
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "answered", "voicemail", "agent:1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if c = e.contacts(id)[0]; c.Status != StatusPlanned || !c.DueAt.Equal(start.Add(time.Minute+3*time.Hour)) || c.Disposition != "voicemail" {
		t.Fatalf("voicemail: %s due %s (%s), want a retry 3h after the wrap-up", c.Status, c.DueAt, c.Disposition)
	}

	id, c = answered(300002, "+79131230002")
	asked := parseUTC("2026-06-15T15:00:00Z") // 18:00 in Moscow
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "answered", "callback_requested", "agent:1", asked); err != nil {
		t.Fatal(err)
	}
	if c = e.contacts(id)[0]; c.Status != StatusPlanned || !c.DueAt.Equal(asked) {
		t.Fatalf("callback_requested for 18:00: %s due %s", c.Status, c.DueLocal)
	}

	id, c = answered(300003, "+79131230003")
	other := tracking.MakeS10("RB", 300013, "GB")
	e.parcel(other, "Europe/Moscow")
	e.plan(Request{ParcelID: other, Channel: Call, To: "+79131230003", TimeZone: "Europe/Moscow", CampaignID: camp.ID, NotBefore: start.Add(24 * time.Hour)})
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "answered", "wrong_number", "agent:1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if c = e.contacts(id)[0]; c.Status != StatusDone {
		t.Fatalf("wrong_number: %s", c.Status)
	}
	if o := e.contacts(other)[0]; o.Status != StatusSuppressed || e.count(`SELECT COUNT(*) FROM opt_outs WHERE address = '+79131230003' AND channel = 'call' AND source = 'wrong_number'`) != 1 {
		t.Fatalf("wrong_number did not flag the phone: the other call is %s", o.Status)
	}

	id, c = answered(300004, "+79131230004")
	e.clock.set(start.Add(4 * time.Minute))
	e.svc.sweep(ctx, nil)
	if c = e.contacts(id)[0]; c.Status != StatusCalling {
		t.Fatalf("decided before the wait: %s", c.Status)
	}
	e.clock.set(start.Add(6 * time.Minute))
	e.svc.sweep(ctx, nil)
	if c = e.contacts(id)[0]; c.Status != StatusDone || c.Outcome != "answered" {
		t.Fatalf("no disposition in 5 minutes: %s %s (%s)", c.Status, c.Outcome, c.Detail)
	}
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "answered", "voicemail", "agent:1", time.Time{}); err == nil {
		t.Fatal("a disposition after the decision was taken")
	}
}
