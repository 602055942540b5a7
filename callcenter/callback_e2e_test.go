package callcenter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// planCallbacks stands in for package callback (which imports this one): a promise becomes
// a call contact of the test's campaign and a callbacks row.
type planCallbacks struct {
	w    *world
	d    *dialer.Service
	camp int64
}

func (p *planCallbacks) Promise(ctx context.Context, pr Promise) (int64, error) {
	var id int64
	err := p.w.db.WriteTx(ctx, func(tx store.Tx) error {
		contact, err := p.d.PlanOne(ctx, tx, dialer.Request{BrandID: pr.BrandID, ParcelID: pr.ParcelID, Channel: dialer.Call, To: pr.Phone,
			TimeZone: "Asia/Novosibirsk", CampaignID: p.camp, ScriptID: pr.ScriptID, TriggerRef: fmt.Sprint("callback:", pr.CallID), NotBefore: pr.At})
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, p.w.db.Rebind(`INSERT INTO callbacks (brand_id, contact_id, source, call_id, phone, parcel_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), pr.BrandID, contact, pr.Source, pr.CallID, pr.Phone, pr.ParcelID, time.Now().UTC()).Scan(&id)
	})
	return id, err
}

func (p *planCallbacks) Owner(context.Context, int64) (int64, time.Time, error) {
	return 0, time.Time{}, nil
}

// TestHotlineCallbackIsPlaced (issue 16): a caller who waited the queue's maximum with no
// agent gets a callback that is no longer only stored: it is a call contact, and when an
// agent is available the dialer places it through the center to the caller's baresip,
// which answers.
func TestHotlineCallbackIsPlaced(t *testing.T) {
	storetest.OnePass(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	w := newWorld(t, telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(customer.SIPPort)}, Config{})
	w.parcelFor("RB123456785GB", customerE164)
	d, _, camp := w.withDialer(dialer.Options{})
	w.center.UseCallbacks(&planCallbacks{w: w, d: d, camp: camp})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	q, err := w.center.AddQueue(ctx, Queue{Name: "matryoshka", BrandID: w.brand, Ring: 5 * time.Second, MaxWait: 2 * time.Second}, hotline)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.center.SetQueueScript(ctx, q.ID, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatal(err)
	}
	in := w.waitCall(ctx)
	if in.Outcome != Abandoned || in.BrandID != w.brand {
		t.Fatalf("hotline call: %+v", in)
	}
	var callback int64
	if err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT COALESCE(callback_id, 0) FROM callback_requests WHERE call_id = ?`), in.ID).Scan(&callback); err != nil || callback == 0 {
		t.Fatalf("the callback request points at no callback (%v)", err)
	}
	c := w.contactOf(ctx, d, "RB123456785GB", func(dialer.Contact) bool { return true })
	if c.Status != dialer.StatusPlanned || c.Recipient != customerE164 || c.ScriptID != 42 {
		t.Fatalf("callback contact: %s to %s, script %d", c.Status, c.Recipient, c.ScriptID)
	}
	agentID, _ := w.agent("agent1", agentTone)
	hangupAfter(t, customer, 3*time.Second)
	if n, err := d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("callback placed: %d (%v)", n, err)
	}
	c = w.contactOf(ctx, d, "RB123456785GB", func(c dialer.Contact) bool { return c.Outcome == "answered" })
	calls, err := w.center.Calls.List(ctx, access.Brands(w.brand), CallFilter{Direction: Outbound})
	if err != nil || len(calls) != 1 || calls[0].To != customerE164 || calls[0].AgentID != agentID || calls[0].ParcelID != "RB123456785GB" ||
		calls[0].ContactRef != fmt.Sprint(c.ID) {
		t.Fatalf("the callback call: %+v %v", calls, err)
	}
}
