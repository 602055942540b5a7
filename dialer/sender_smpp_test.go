package dialer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/dialer/smpp/smpptest"
	"github.com/wismo/wismo/tracking"
)

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSMSOverSMPP runs the whole dialer (scheduler, SMPP connection) against the Perl SMSC:
// GSM-7, Cyrillic UCS-2 and a long concatenated message go out, receipts make them
// delivered or failed, and a STOP reply opts the number out of the brand's later SMS.
func TestSMSOverSMPP(t *testing.T) {
	peer := smpptest.Start(t)
	e := newEnv(t, func(o *Options) {
		o.SMS = nil
		o.SMPP = &smpp.Config{Addr: peer.Addr, SystemID: "wismo", Password: "secret", SourceAddr: "SHOP", Window: 4,
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	})
	e.clock.set(time.Now().UTC()) // the scheduler runs on its own: let the test clock be real time
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.svc.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	e.svc.SetWindows(ctx, e.brand, Windows{SMS: everyDay(Interval{0, 1440})})

	id := tracking.MakeS10("RB", 400001, "GB")
	e.parcel(id, "Asia/Novosibirsk")
	peer.Must(t, "fail 7999")
	long := strings.Repeat("Посылка "+id+" прибыла в пункт выдачи. ", 5)
	e.plan(
		Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Asia/Novosibirsk", Body: "Parcel " + id + " is at the sorting centre", RuleID: 1, TriggerRef: "a"},
		Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Asia/Novosibirsk", Body: "Посылка " + id + " в сортировочном центре", RuleID: 2, TriggerRef: "a"},
		Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Asia/Novosibirsk", Body: long, RuleID: 3, TriggerRef: "a"},
		Request{ParcelID: id, Channel: SMS, To: "+79990000000", TimeZone: "Asia/Novosibirsk", Body: "to a dead number", RuleID: 4, TriggerRef: "a"},
	)
	waitFor(t, 20*time.Second, "receipts for all four", func() bool {
		n := 0
		for _, c := range e.contacts(id) {
			if c.Status == StatusDelivered || c.Status == StatusFailed {
				n++
			}
		}
		return n == 4
	})
	list := e.contacts(id)
	for i, want := range []struct {
		st    Status
		enc   string
		parts int
	}{{StatusDelivered, "GSM-7", 1}, {StatusDelivered, "UCS-2", 1}, {StatusDelivered, "UCS-2", 4}, {StatusFailed, "GSM-7", 1}} {
		c := list[i]
		if c.Status != want.st || c.Encoding != want.enc || c.Parts != want.parts || c.Provider != "smpp" || len(strings.Split(c.ProviderID, ",")) != want.parts {
			t.Errorf("contact %d: %s %s %d parts, provider %s %q", i, c.Status, c.Encoding, c.Parts, c.Provider, c.ProviderID)
		}
	}
	if subs := peer.Submits(); len(subs) != 7 {
		t.Fatalf("the SMSC got %d submit_sm, want 1+1+4+1", len(subs))
	}

	// The customer answers STOP: later SMS to that number from this brand are suppressed.
	peer.Must(t, "mo +79131234567 SHOP Stop")
	waitFor(t, 10*time.Second, "the opt-out", func() bool {
		return e.count(`SELECT COUNT(*) FROM opt_outs WHERE brand_id = ? AND channel = 'sms' AND address = '+79131234567'`, e.brand) == 1
	})
	e.plan(Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Asia/Novosibirsk", Body: "after STOP", RuleID: 5, TriggerRef: "b"})
	if c := e.contacts(id)[4]; c.Status != StatusSuppressed {
		t.Fatalf("an SMS after STOP is %s", c.Status)
	}
}

// TestSMSOverHTTP: the HTTP provider adapter against a local provider.
func TestSMSOverHTTP(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		user, pass, _ := r.BasicAuth()
		if user != "shop" || pass != "key" || r.Header.Get("Idempotency-Key") != in["reference"] {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got = append(got, in)
		switch in["text"] {
		case "throttled":
			w.WriteHeader(http.StatusTooManyRequests)
		case "bad":
			w.WriteHeader(http.StatusBadRequest)
		case "crash":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.Write([]byte(`{"id": "P-` + in["reference"] + `"}`))
		}
	}))
	defer srv.Close()
	e := newEnv(t, func(o *Options) {
		o.SMS, o.SMSHTTP = nil, strings.Replace(srv.URL, "http://", "http://shop:key@", 1)+"/send"
	})
	id := tracking.MakeS10("RB", 400002, "GB")
	e.parcel(id, "Europe/Moscow")
	for i, text := range []string{"hello", "throttled", "bad", "crash"} {
		e.plan(Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Europe/Moscow", Body: text, RuleID: int64(i + 1), TriggerRef: "h"})
	}
	e.runOnce()
	list := e.contacts(id)
	want := []Status{StatusSent, StatusPlanned, StatusFailed, StatusUnknown}
	for i, c := range list {
		if c.Status != want[i] {
			t.Errorf("%q: %s (%s), want %s", c.Body, c.Status, c.Detail, want[i])
		}
	}
	if list[0].ProviderID != "P-wismo-contact-"+itoa(list[0].ID) || len(got) != 4 || got[0]["to"] != "+79131234567" {
		t.Fatalf("provider id %q; provider got %+v", list[0].ProviderID, got)
	}
}
