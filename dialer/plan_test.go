package dialer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/tracking"
)

func TestPlanHonoursWindowsAndSuppresses(t *testing.T) {
	e := newEnv(t)
	id := tracking.MakeS10("RB", 100001, "GB")
	e.parcel(id, "Asia/Vladivostok")
	e.clock.set(parseUTC("2026-06-15T12:00:00Z")) // 22:00 in Vladivostok
	if err := e.svc.OptOut(context.Background(), e.brand, SMS, "+79130000000", "api"); err != nil {
		t.Fatal(err)
	}
	e.plan(
		Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Asia/Vladivostok", Body: "Посылка в пути", RuleID: 1, TriggerRef: "m1"},
		Request{ParcelID: id, Channel: Email, To: "Anna@Example.com", TimeZone: "Asia/Vladivostok", Subject: "s", Body: "b", RuleID: 2, TriggerRef: "m1"},
		Request{ParcelID: id, Channel: SMS, To: "", TimeZone: "Asia/Vladivostok", Body: "x", RuleID: 3, TriggerRef: "m1"},
		Request{ParcelID: id, Channel: SMS, To: "+79130000000", TimeZone: "Asia/Vladivostok", Body: "x", RuleID: 4, TriggerRef: "m1"},
	)
	// The same rule and trigger again: planned once.
	e.plan(Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Asia/Vladivostok", Body: "again", RuleID: 1, TriggerRef: "m1"})
	list := e.contacts(id)
	if len(list) != 4 {
		t.Fatalf("%d contacts, want 4 (the replayed trigger plans nothing)", len(list))
	}
	want := []struct {
		status Status
		due    string
		detail string
	}{
		{StatusPlanned, "2026-06-15T23:00:00Z", ""}, // 09:00 next morning in Vladivostok
		{StatusPlanned, "2026-06-15T12:00:00Z", ""}, // email: any time
		{StatusSuppressed, "", "no phone number"},
		{StatusSuppressed, "", "opted out of sms"},
	}
	for i, w := range want {
		c := list[i]
		if c.Status != w.status || (w.due != "" && !c.DueAt.Equal(parseUTC(w.due))) || c.Detail != w.detail {
			t.Errorf("contact %d: %s due %s (%s) %q; want %s due %s %q", i, c.Status, c.DueAt, c.DueLocal, c.Detail, w.status, w.due, w.detail)
		}
	}
	if list[0].Encoding != "UCS-2" || list[0].Parts != 1 || list[1].Recipient != "anna@example.com" {
		t.Errorf("contact details: %+v / %+v", list[0], list[1])
	}
	// Nothing is due at 22:00 local except the email.
	if n := e.runOnce(); n != 1 || len(e.email.messages()) != 1 || len(e.sms.messages()) != 0 {
		t.Fatalf("sent %d: sms %d email %d", n, len(e.sms.messages()), len(e.email.messages()))
	}
	if m := e.email.messages()[0]; m.UnsubscribeURL == "" || m.UnsubscribeURL[:len("http://wismo.test/unsubscribe/")] != "http://wismo.test/unsubscribe/" {
		t.Errorf("email without a working unsubscribe link: %q", m.UnsubscribeURL)
	}
	e.clock.set(parseUTC("2026-06-15T23:00:00Z"))
	if n := e.runOnce(); n != 1 {
		t.Fatalf("at 09:00 local %d contacts went out, want 1", n)
	}
	c := e.contacts(id)[0]
	if c.Status != StatusSent || c.ProviderID != "F"+itoa(c.ID) || !slices.Equal(kinds(c), []string{"sending", "sent"}) {
		t.Fatalf("after sending: %s %s %v", c.Status, c.ProviderID, kinds(c))
	}
}

// TestSendResults: each kind of answer from a channel leaves its mark; nothing is resent
// once it may have gone out.
func TestSendResults(t *testing.T) {
	e := newEnv(t)
	id := tracking.MakeS10("RB", 100002, "GB")
	e.parcel(id, "Europe/Moscow")
	e.sms.fail = func(m Message) error {
		switch m.Text {
		case "not sent":
			return ErrNotSent
		case "refused":
			return ErrRefused
		case "unknown":
			return errors.New("connection lost after the request")
		}
		return nil
	}
	for i, text := range []string{"ok", "not sent", "refused", "unknown"} {
		e.plan(Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Europe/Moscow", Body: text, RuleID: int64(i + 1), TriggerRef: "t"})
	}
	e.runOnce()
	list := e.contacts(id)
	got := []Status{list[0].Status, list[1].Status, list[2].Status, list[3].Status}
	if !slices.Equal(got, []Status{StatusSent, StatusPlanned, StatusFailed, StatusUnknown}) {
		t.Fatalf("statuses %v", got)
	}
	if !list[1].DueAt.Equal(e.clock.now().Add(time.Minute)) {
		t.Errorf("the retry is due %s, want a minute later", list[1].DueAt)
	}
	// Later rounds retry only the one that certainly did not go out, up to maxSendTries.
	for range 30 { // two-hourly rounds across nights: the window holds the retries back
		e.clock.set(e.clock.now().Add(2 * time.Hour))
		e.runOnce()
	}
	list = e.contacts(id)
	if list[1].Status != StatusFailed || list[1].Attempts != maxSendTries || list[3].Attempts != 1 || list[0].Attempts != 1 {
		t.Fatalf("after retries: %s attempts %d; unknown attempts %d", list[1].Status, list[1].Attempts, list[3].Attempts)
	}
	review, err := e.svc.Review(context.Background(), e.brand, "", 10)
	if err != nil || len(review) != 1 || review[0].ID != list[3].ID {
		t.Fatalf("review list %+v %v", review, err)
	}
	if err := e.svc.Resolve(context.Background(), e.brand, list[3].ID, StatusSent, "provider confirmed", "ops"); err != nil {
		t.Fatal(err)
	}
}

func TestClaimReplansOutsideTheWindow(t *testing.T) {
	e := newEnv(t)
	id := tracking.MakeS10("RB", 100003, "GB")
	e.parcel(id, "Europe/Moscow")
	e.clock.set(parseUTC("2026-06-15T17:59:00Z")) // 20:59 Moscow
	e.plan(sms(id, "+79131234567", "Europe/Moscow", "late"))
	e.clock.set(parseUTC("2026-06-15T19:00:00Z")) // wismo was down until 22:00 Moscow
	if n := e.runOnce(); n != 0 {
		t.Fatalf("%d sent at 22:00 local", n)
	}
	c := e.contacts(id)[0]
	if c.Status != StatusPlanned || !c.DueAt.Equal(parseUTC("2026-06-16T06:00:00Z")) || kinds(c)[0] != "replanned" {
		t.Fatalf("not moved to 09:00 local: %s %s %v", c.Status, c.DueAt, kinds(c))
	}
}

func TestReceiptsBeforeAndAfterSent(t *testing.T) {
	e := newEnv(t)
	id := tracking.MakeS10("RB", 100004, "GB")
	e.parcel(id, "Europe/Moscow")
	e.plan(sms(id, "+79131234567", "Europe/Moscow", "one"), sms(id, "+79131234567", "Europe/Moscow", "two"))
	list := e.contacts(id)
	ctx := context.Background()
	// The receipt of the first arrives before wismo recorded the provider's id.
	if err := e.svc.HandleReceipt(ctx, "fake", "F"+itoa(list[0].ID), ReceiptDelivered, "DELIVRD"); err != nil {
		t.Fatal(err)
	}
	e.runOnce()
	if err := e.svc.HandleReceipt(ctx, "fake", "F"+itoa(list[1].ID), ReceiptFailed, "UNDELIV"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.HandleReceipt(ctx, "fake", "F"+itoa(list[1].ID), ReceiptFailed, "UNDELIV"); err != nil {
		t.Fatal(err) // the SMSC may deliver a receipt twice
	}
	list = e.contacts(id)
	if list[0].Status != StatusDelivered || list[1].Status != StatusFailed {
		t.Fatalf("after receipts: %s %s (%v / %v)", list[0].Status, list[1].Status, kinds(list[0]), kinds(list[1]))
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// Every change of a contact's status reaches the outbox with the parcel's id (a database
// trigger, whichever code path changed it), for what keeps state derived from a parcel's
// communications: every node's tracking page cache.
func TestContactChangesReachTheOutbox(t *testing.T) {
	e := newEnv(t)
	id := tracking.MakeS10("RB", 100003, "GB")
	e.parcel(id, "Europe/Moscow")
	e.plan(Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Europe/Moscow", Body: "ok", RuleID: 1, TriggerRef: "t"})
	before := e.count(`SELECT COUNT(*) FROM outbox WHERE topic = 'contact.changed' AND item_id = ?`, id)
	e.runOnce() // planned -> sending -> sent
	if got := e.count(`SELECT COUNT(*) FROM outbox WHERE topic = 'contact.changed' AND item_id = ?`, id); got <= before {
		t.Fatalf("sending the SMS wrote %d contact.changed messages for the parcel, want some", got-before)
	}
	if got := e.count(`SELECT COUNT(*) FROM outbox WHERE topic = 'contact.changed' AND item_id = ? AND brand_id = ?`, id, e.brand); got == 0 {
		t.Fatal("the message does not carry the contact's brand")
	}
}
