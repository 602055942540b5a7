package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
)

const hotline = "+74951112233"

// parcelFor gives the brand a parcel whose recipient is the customer's phone.
func (w *world) parcelFor(id, phone string) {
	w.t.Helper()
	res, err := w.cases.UpsertParcels(context.Background(), access.Brands(w.brand), []tracking.ParcelItem{{Input: tracking.ParcelInput{
		ID: id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "RU",
		Recipient: tracking.RecipientInput{Name: "Иван Петров", Phone: phone, Region: "RU-NVS"}}}})
	if err != nil || res[0].Status != tracking.StatusAccepted {
		w.t.Fatalf("parcel: %+v %v", res, err)
	}
}

// waitCall waits for the one inbound call to end and returns it with its legs.
func (w *world) waitCall(ctx context.Context) Call {
	w.t.Helper()
	for {
		calls, err := w.center.Calls.List(ctx, access.Operator(), CallFilter{Direction: Inbound})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(calls) == 1 && calls[0].EndedAt != nil {
			return calls[0]
		}
		select {
		case <-ctx.Done():
			w.t.Fatalf("no finished inbound call: %+v", calls)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestHotlineCall: the customer's baresip dials the hotline through ctrl_tcp; the call is
// matched to the brand by the caller's parcel, queued, offered to the available agent, and
// the agent hangs up first.
func TestHotlineCall(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{}, Config{})
	w.parcelFor("RB123456785GB", "8 913 123-45-67")
	if _, err := w.center.AddQueue(context.Background(), Queue{Name: "every shop", Ring: 5 * time.Second, MaxWait: 30 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	agentID, agentPhone := w.agent("agent1", agentTone)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	go func() {
		time.Sleep(6 * time.Second)
		agentPhone.Command("hangup", "")
	}()
	c := w.waitCall(ctx)
	if c.Outcome != Answered || c.HangupSide != LegAgent || c.BrandID != w.brand || c.ParcelID != "RB123456785GB" ||
		c.From != customerE164 || c.To != hotline || c.AgentID != agentID || c.Mode != ModeHotline {
		t.Fatalf("call log: %+v", c)
	}
	checkTimes(t, c)
	if len(c.Legs) != 2 || c.Legs[0].Kind != LegCustomer || c.Legs[1].AgentID != agentID {
		t.Fatalf("legs: %+v", c.Legs)
	}
	w.checkRecording(c, agentTone)
	w.onTimeline(c)
	heard(t, agentPhone, customerTone, "the agent's phone")
	heard(t, customer, agentTone, "the customer's phone")
}

// TestHotlineAfterHours: outside the brand's hours the caller hears the closed message, a
// callback is planned, and the call is logged as abandoned by the system.
func TestHotlineAfterHours(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{}, Config{})
	w.parcelFor("RB123456785GB", customerE164)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Now().UTC()
	closedFrom := now.Add(-time.Hour).Format("15:04")
	if now.Hour() == 0 || now.Hour() == 23 {
		closedFrom = "00:00"
	}
	// Open an hour, ending before now (or an empty window around midnight).
	if err := w.center.SetBrand(ctx, w.brand, BrandSettings{RecordingNotice: true, Open: closedFrom, Close: closedFrom, TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.center.AddQueue(ctx, Queue{Name: "matryoshka", BrandID: w.brand, Ring: 5 * time.Second, MaxWait: 30 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	if _, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatal(err)
	}
	c := w.waitCall(ctx)
	if c.Outcome != Abandoned || c.HangupSide != SideSystem || c.BrandID != w.brand {
		t.Fatalf("call log: %+v", c)
	}
	w.checkCallback(ctx, c.ID, "after_hours")
}

// TestHotlineMaxWait: with no agent at all, the caller waits the queue's maximum, hears the
// closed message and gets a callback.
func TestHotlineMaxWait(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.center.AddQueue(ctx, Queue{Name: "all", Ring: 5 * time.Second, MaxWait: 2 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	if _, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatal(err)
	}
	c := w.waitCall(ctx)
	if c.Outcome != Abandoned || c.BrandID != 0 || c.AnsweredAt == nil {
		t.Fatalf("call log: %+v", c)
	}
	w.checkCallback(ctx, c.ID, "max_wait")
}

func (w *world) checkCallback(ctx context.Context, callID int64, reason string) {
	w.t.Helper()
	var got, phone string
	if err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT reason, phone FROM callback_requests WHERE call_id = ?`), callID).Scan(&got, &phone); err != nil {
		w.t.Fatalf("callback request of call %d: %v", callID, err)
	}
	if got != reason || phone != customerE164 {
		w.t.Fatalf("callback: reason %q phone %q", got, phone)
	}
}

// TestHotlineQueuedCallerWithoutRTPIsEnded: a caller who sends an INVITE and an ACK and then
// no RTP at all, queued with no agent free (the queue would hold it a minute), is hung up
// after the RTP timeout; the call log says the system ended an abandoned call.
func TestHotlineQueuedCallerWithoutRTPIsEnded(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := w.center.AddQueue(ctx, Queue{Name: "all", Ring: 5 * time.Second, MaxWait: time.Minute}, hotline); err != nil {
		t.Fatal(err)
	}
	caller := telephonytest.StartCaller(t, "127.0.0.1")
	if err := caller.Call(ctx, "sip:"+hotline+"@"+w.eng.Addr(), caller.MediaAddr(), "sendrecv"); err != nil {
		t.Fatal(err)
	}
	c := w.waitCall(ctx)
	if c.Outcome != Abandoned || c.HangupSide != SideSystem || c.AnsweredAt == nil {
		t.Fatalf("call log: %+v", c)
	}
	if len(c.Legs) != 1 || c.Legs[0].Outcome != Abandoned || c.Legs[0].HangupSide != SideSystem || c.Legs[0].EndedAt == nil {
		t.Fatalf("legs: %+v", c.Legs)
	}
	select {
	case <-caller.Ended():
	case <-ctx.Done():
		t.Fatal("the caller got no BYE")
	}
	var callbacks int
	if err := w.db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM callback_requests`).Scan(&callbacks); err != nil || callbacks != 0 {
		t.Errorf("%d callbacks planned for a caller who vanished (%v)", callbacks, err)
	}
}
