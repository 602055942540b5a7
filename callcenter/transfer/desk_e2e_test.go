package transfer

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestDeskAttendedTransfer: agent A on the desk page (Chromium, a 600 Hz microphone) takes a
// hotline customer (baresip, 1000 Hz), opens Transfer, consults agent B (a SIP phone, 800 Hz)
// and completes from the page: the customer heard A, then the hold music, then B; the one
// recording's right channel has A before and B after; A's page goes to wrap-up.
func TestDeskAttendedTransfer(t *testing.T) {
	storetest.OnePass(t)
	browsertest.Binary(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	phones, err := w.center.EnableSoftphone(callcenter.SoftphoneConfig{ReconnectGrace: 2 * time.Second, WrapUpLimit: time.Minute,
		IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(phones.Close)
	app := portal.New(portal.Deps{Log: storetest.Logger(t), DB: w.db, Access: w.acc, Cases: w.cases,
		Routes: []func(fiber.Router){func(r fiber.Router) { callcenter.Routes(r, w.center) }, func(r fiber.Router) { Routes(r, w.svc) }}})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(2 * time.Second) })
	base := "http://" + ln.Addr().String()
	ua, err := w.acc.CreateUser(ctx, "anna@example.com", "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		t.Fatal(err)
	}
	a := &access.User{ID: ua.ID, Role: access.RoleAgent, BrandIDs: []int64{w.brand}}

	bctx, stop := browsertest.New(t, browsertest.Options{FakeAudio: telephonytest.MicWAV(t, t.TempDir(), agentATone, 40), Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	defer stop()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			page, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".desk-side")))
			t.Fatalf("browser: %s: %v\npage: %s", what, err, page)
		}
	}
	until := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(25*time.Second))); err != nil {
			page, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".desk-side")))
			t.Fatalf("the page never showed %s: %v\npage: %s", what, err, page)
		}
	}
	state := func(s string) string { return fmt.Sprintf(`document.getElementById("desk").dataset.state === %q`, s) }
	do("log in", chromedp.Navigate(base+"/desk"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "anna@example.com"), chromedp.SendKeys(chromedp.ID("password"), "a login password 1"),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS("#conn.up")))
	until("offline", state("offline"))
	do("go available", chromedp.Click(chromedp.ID("btn-available")))
	until("available", state("available"))

	customer := w.customerDials()
	do("answer", chromedp.WaitVisible(chromedp.ID("btn-answer")), chromedp.Click(chromedp.ID("btn-answer")))
	w.eventually(20*time.Second, "A talks to the customer", func() bool { return w.center.Live(a.ID) != nil })
	b, _ := w.agent("agentb", w.brand, agentBTone)
	time.Sleep(3 * time.Second)
	started := time.Now()
	do("open Transfer", chromedp.Click(chromedp.ID("btn-transfer")))
	until("B among the targets", fmt.Sprintf(`!!document.querySelector('#transfer-agent option[value="%d"]')`, b.ID))
	do("consult B", chromedp.SetValue(chromedp.ID("transfer-kind"), "attended"), chromedp.Click(chromedp.ID("btn-transfer-start")))
	until("the consult", `!document.getElementById("btn-transfer-complete").hidden`)
	consulting := time.Now()
	time.Sleep(4 * time.Second)
	completed := time.Now()
	do("complete", chromedp.Click(chromedp.ID("btn-transfer-complete")))
	until("wrap-up after handing over", state("wrap_up"))
	tr := w.done(a, w.center.Live(b.ID).CallID())
	if tr.Kind != string(Attended) || tr.Outcome != Completed || tr.FromAgentID != a.ID || tr.ToAgentID != b.ID {
		t.Fatalf("transfer row: %+v", tr)
	}
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)
	if c.AgentID != b.ID || len(c.Legs) != 3 || c.Legs[1].AgentID != a.ID || c.Legs[2].AgentID != b.ID {
		t.Fatalf("call: agent %d, legs %+v", c.AgentID, c.Legs)
	}
	margin := 700 * time.Millisecond
	time.Sleep(300 * time.Millisecond)
	heard := customer.Heard(t)
	hears(t, "the customer before the transfer", window(heard, hungUp, started.Add(-2*time.Second), started.Add(-margin)), agentATone, agentBTone)
	during := window(heard, hungUp, consulting.Add(margin), completed.Add(-margin))
	if rms := media.RMS(during); rms < 100 || media.ToneShare(during, 8000, agentATone) > 0.1 || media.ToneShare(during, 8000, agentBTone) > 0.1 {
		t.Errorf("during the consult the customer heard RMS %.0f, A %.2f, B %.2f: want the music only", rms,
			media.ToneShare(during, 8000, agentATone), media.ToneShare(during, 8000, agentBTone))
	}
	hears(t, "the customer after completion", window(heard, hungUp, completed.Add(margin), hungUp.Add(-margin)), agentBTone, agentATone)
	ch := w.recording(c)
	hears(t, "recording right before", window(ch[1], *c.EndedAt, started.Add(-2*time.Second), started.Add(-margin)), agentATone, agentBTone)
	hears(t, "recording right after", window(ch[1], *c.EndedAt, completed.Add(margin), hungUp.Add(-margin)), agentBTone, agentATone)
	hears(t, "recording left after", window(ch[0], *c.EndedAt, completed.Add(margin), hungUp.Add(-margin)), customerTone)
}
