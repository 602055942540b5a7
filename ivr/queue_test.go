package ivr

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callback"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const hotline = "+74951112233" // the brand's hotline number

// TestQueuedCallerPresses1ToBeCalledBack (issue 16 acceptance): a caller (baresip) waits in the
// brand's hotline queue with no agent, hears "press 1 ...", presses 1 (RFC 4733): they hear
// the confirmation and the call ends; a callback (source queue) is planned for their parcel
// as a call contact due inside their calling window (09:00-21:00 in Novosibirsk), with the
// queue's script.
func TestQueuedCallerPresses1ToBeCalledBack(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "baresip", "baresip-core")
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(item)) // the recipient's phone is the caller's
	log := storetest.Logger(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	agents := callcenter.NewAgents(e.DB, "wismo", e.Access)
	center := callcenter.NewCenter(callcenter.Config{}, e.DB, agents, recordings.NewService(e.DB, t.TempDir(), log), e.Tracking, log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200, Realm: "wismo"},
		log, agents, center)
	if err != nil {
		t.Fatal(err)
	}
	center.Attach(context.Background(), eng)
	sctx, stop := context.WithCancel(context.Background())
	go eng.Serve(sctx)
	t.Cleanup(func() { stop(); eng.Close() })
	d, err := dialer.New(e.DB, log, dialer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	center.UseCallbacks(callback.New(e.DB, d, e.Tracking, log))
	prompts, _ := New(Config{Dir: t.TempDir(), Log: log})
	center.UseQueueWait((&QueueOffer{Eng: eng, Prompts: prompts}).Wait)
	q, err := center.AddQueue(ctx, callcenter.Queue{Name: "main", BrandID: e.BrandA, Ring: 5 * time.Second, MaxWait: 40 * time.Second}, hotline)
	if err != nil {
		t.Fatal(err)
	}
	if err := center.SetQueueScript(ctx, q.ID, 42); err != nil {
		t.Fatal(err)
	}

	caller := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	if _, err := caller.Command("dial", "sip:"+hotline+"@"+eng.Addr()); err != nil {
		t.Fatal(err)
	}
	// The offer starts after the notice and the prompt's synthesis, and a key before it is
	// dropped (PlayCollect): press 1 each second until wismo ends the call, never guessing
	// how long that takes on this machine.
	var call callcenter.Call
	var pressed time.Time
	for {
		if time.Since(pressed) > time.Second {
			if _, err := caller.Command("sndcode", "1"); err != nil {
				t.Fatal(err)
			}
			pressed = time.Now()
		}
		calls, err := center.Calls.List(ctx, access.Brands(e.BrandA), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 1 && calls[0].EndedAt != nil {
			call = calls[0]
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the hotline call did not end after 1: %+v\n%s", calls, caller.Output())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if call.HangupSide != callcenter.SideSystem {
		t.Errorf("the call was not ended by wismo after the confirmation: %+v", call)
	}
	var source, reason string
	var contactID int64
	if err := e.DB.SQL.QueryRowContext(ctx, e.DB.Rebind(`SELECT c.source, c.contact_id, r.reason FROM callbacks c
		JOIN callback_requests r ON r.callback_id = c.id WHERE c.call_id = ? AND c.brand_id = ?`), call.ID, e.BrandA).Scan(&source, &contactID, &reason); err != nil {
		t.Fatalf("no callback for the call that pressed 1: %v", err)
	}
	if source != "queue" || reason != "queue" {
		t.Fatalf("callback source %q, request reason %q: want queue", source, reason)
	}
	list, err := d.Contacts(ctx, access.Brands(e.BrandA), item)
	if err != nil || len(list) != 1 || list[0].ID != contactID {
		t.Fatalf("contacts %+v %v", list, err)
	}
	c := list[0]
	zone, _ := time.LoadLocation(c.TimeZone)
	local := c.DueAt.In(zone)
	if c.Status != dialer.StatusPlanned || c.Recipient != customer || c.ScriptID != 42 || local.Hour() < 9 || local.Hour() >= 21 {
		t.Fatalf("callback contact %s to %s script %d due %s local: want planned, the caller, script 42, 09:00-21:00", c.Status, c.Recipient, c.ScriptID, local)
	}
}
