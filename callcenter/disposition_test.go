package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// dialerLink hands the placer's reports to a dialer created after it (as cmd/wismo does).
type dialerLink struct{ d *dialer.Service }

func (l *dialerLink) RecordCallOutcome(ctx context.Context, id int64, outcome, disposition, actor string, at time.Time) error {
	return l.d.RecordCallOutcome(ctx, id, outcome, disposition, actor, at)
}

func (l *dialerLink) OptOut(ctx context.Context, brand int64, ch dialer.Channel, address, source string) error {
	return l.d.OptOut(ctx, brand, ch, address, source)
}

// allDay is a call window open around the clock, so that tests run at any hour.
func allDay() *dialer.Week {
	var w dialer.Week
	for d := range w {
		w[d] = []dialer.Interval{{Start: 0, End: 24 * 60}}
	}
	return &w
}

// withDialer gives the world a dialer whose calls the center places, and a running
// progressive campaign open around the clock.
func (w *world) withDialer(opts dialer.Options) (*dialer.Service, *Placer, int64) {
	w.t.Helper()
	link := &dialerLink{}
	p := NewPlacer(w.center, link)
	opts.Calls = p
	d, err := dialer.New(w.db, storetest.Logger(w.t), opts)
	if err != nil {
		w.t.Fatal(err)
	}
	link.d = d
	ctx := context.Background()
	camp, err := d.SaveCampaign(ctx, w.brand, dialer.Campaign{Name: "COD calls", Mode: "progressive", Windows: allDay()})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := d.SetCampaignStatus(ctx, w.brand, camp.ID, "running"); err != nil {
		w.t.Fatal(err)
	}
	return d, p, camp.ID
}

// contactOf waits until the parcel's one contact satisfies ok and returns it.
func (w *world) contactOf(ctx context.Context, d *dialer.Service, parcel string, ok func(dialer.Contact) bool) dialer.Contact {
	w.t.Helper()
	for {
		list, err := d.Contacts(ctx, access.Brands(w.brand), parcel)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(list) == 1 && ok(list[0]) {
			return list[0]
		}
		select {
		case <-ctx.Done():
			w.t.Fatalf("contact of %s: %+v", parcel, list)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestVoicemailDispositionRetries (issue 16): a campaign call placed through the center to
// the customer's baresip is answered and hung up; the dialer waits for the agent's wrap-up
// instead of closing the contact as reached, and the agent's voicemail disposition plans
// the next attempt at the configured spacing (3 h by default).
func TestVoicemailDispositionRetries(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{})
	agentID, _ := w.agent("agent1", agentTone)
	w.parcelFor("RB123456785GB", customerE164)
	d, _, camp := w.withDialer(dialer.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := w.db.WriteTx(ctx, func(tx store.Tx) error {
		return d.Plan(ctx, tx, []dialer.Request{{BrandID: w.brand, ParcelID: "RB123456785GB", Channel: dialer.Call, To: customerE164,
			TimeZone: "Asia/Novosibirsk", CampaignID: camp, RuleID: 1, TriggerRef: "t"}})
	}); err != nil {
		t.Fatal(err)
	}
	hangupAfter(t, customer, 3*time.Second)
	if n, err := d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("placed %d: %v", n, err)
	}
	c := w.contactOf(ctx, d, "RB123456785GB", func(c dialer.Contact) bool { return c.Outcome == "answered" })
	if c.Status != dialer.StatusCalling {
		t.Fatalf("answered, no disposition yet: the contact is %s (%s)", c.Status, c.Detail)
	}
	calls, err := w.center.Calls.List(ctx, access.Brands(w.brand), CallFilter{Direction: Outbound})
	if err != nil || len(calls) != 1 || calls[0].AgentID != agentID || calls[0].Outcome != Answered {
		t.Fatalf("call log: %+v %v", calls, err)
	}
	wrapped := time.Now()
	if err := w.center.Calls.Dispose(ctx, access.Brands(w.brand), calls[0].ID, DispVoicemail, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c = w.contactOf(ctx, d, "RB123456785GB", func(c dialer.Contact) bool { return c.Status != dialer.StatusCalling })
	if c.Status != dialer.StatusPlanned || c.Disposition != DispVoicemail || c.DueAt.Before(wrapped.Add(3*time.Hour-time.Minute)) ||
		c.DueAt.After(time.Now().Add(3*time.Hour+time.Minute)) {
		t.Fatalf("after voicemail: %s %s due %s, want a retry in 3 h", c.Status, c.Disposition, c.DueAt)
	}
}

// TestDueCallWaitsForAnAgent (issue 16): with no agent free a due campaign call is not
// tried at all and stays due; when the agent's phone registers and is available, the call
// goes out the same day as its first attempt.
func TestDueCallWaitsForAnAgent(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{})
	w.parcelFor("RB123456785GB", customerE164)
	d, _, camp := w.withDialer(dialer.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if err := w.db.WriteTx(ctx, func(tx store.Tx) error {
		return d.Plan(ctx, tx, []dialer.Request{{BrandID: w.brand, ParcelID: "RB123456785GB", Channel: dialer.Call, To: customerE164,
			TimeZone: "Asia/Novosibirsk", CampaignID: camp, RuleID: 1, TriggerRef: "t"}})
	}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if n, err := d.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("no agent: %d calls claimed (%v)", n, err)
		}
	}
	c := w.contactOf(ctx, d, "RB123456785GB", func(dialer.Contact) bool { return true })
	if c.Status != dialer.StatusPlanned || c.Attempts != 0 || c.DueAt.After(time.Now()) {
		t.Fatalf("with no agent the call is %s, %d attempts, due %s", c.Status, c.Attempts, c.DueAt)
	}
	w.agent("agent1", agentTone)
	hangupAfter(t, customer, 2*time.Second)
	if n, err := d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("an agent free: %d calls placed (%v)", n, err)
	}
	c = w.contactOf(ctx, d, "RB123456785GB", func(c dialer.Contact) bool { return c.Outcome == "answered" })
	if c.Attempts != 1 {
		t.Fatalf("attempts %d", c.Attempts)
	}
}
