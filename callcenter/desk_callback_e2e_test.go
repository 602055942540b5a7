package callcenter

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// promises records the callbacks call control promises.
type promises struct {
	mu   sync.Mutex
	list []Promise
}

func (p *promises) Promise(_ context.Context, pr Promise) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, pr)
	return int64(len(p.list)), nil
}

func (p *promises) Owner(context.Context, int64) (int64, time.Time, error) {
	return 0, time.Time{}, nil
}

func (p *promises) all() []Promise {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Promise(nil), p.list...)
}

// TestDeskCallbackRequested (issue 16): a hotline caller answered on the desk asks to be
// called back; the agent's wrap-up (callback_requested and the time, in the field the desk's
// callbacks script adds to the form) becomes a callback promised at that time, offered to
// that agent first. The desk shows its callbacks card.
func TestDeskCallbackRequested(t *testing.T) {
	storetest.OnePass(t)
	w := newDeskWorld(t)
	w.parcelFor("RB123456785GB", customerE164)
	link := &dialerLink{}
	NewPlacer(w.center, link)
	d, err := dialer.New(w.db, storetest.Logger(t), dialer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	link.d = d
	got := &promises{}
	w.center.UseCallbacks(got)
	if _, err := w.center.AddQueue(context.Background(), Queue{Name: "every shop", Ring: 20 * time.Second, MaxWait: 60 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	agentID, email := w.deskAgent("desk1")
	ctx, _ := w.openDesk(email)
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("callbacks") !== null`)); err != nil || !ok {
		t.Fatalf("the desk has no callbacks card (%v)", err)
	}
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	w.do(ctx, "see the call ring", chromedp.WaitVisible(chromedp.ID("ring")))
	w.do(ctx, "answer", chromedp.Click(chromedp.ID("btn-answer")))
	w.waitText(ctx, "call-status", "Talking")
	time.Sleep(time.Second)
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	c := w.lastCall(Inbound, 15*time.Second)
	w.waitState(ctx, "wrap_up")
	want, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Date("2026-12-20T18:00").toISOString()`))
	if err != nil {
		t.Fatal(err)
	}
	w.do(ctx, "wrap up: call me back",
		chromedp.WaitVisible(chromedp.ID("wrapup")),
		chromedp.SetValue(chromedp.ID("disposition"), DispCallbackRequested),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("disposition").dispatchEvent(new Event("change"))`),
		chromedp.WaitVisible(chromedp.ID("callback-at-wrapup")),
		chromedp.SetValue(chromedp.ID("callback-at-wrapup"), "2026-12-20T18:00"),
		chromedp.Click(chromedp.ID("btn-wrapup")),
	)
	w.waitState(ctx, "available")
	at, _ := time.Parse(time.RFC3339, want)
	list := got.all()
	if len(list) != 1 || list[0].Source != "disposition" || list[0].OwnerID != agentID || list[0].CallID != c.ID ||
		list[0].Phone != customerE164 || list[0].ParcelID != "RB123456785GB" || !list[0].At.Equal(at) {
		t.Fatalf("callbacks promised: %+v, want one at %s for agent %d", list, at, agentID)
	}
}
