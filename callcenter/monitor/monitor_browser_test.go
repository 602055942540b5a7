package monitor_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
)

// TestDashboardListenButton: a supervisor in headless Chromium (fake microphone: 1400 Hz)
// opens the dashboard during a live call between two baresip phones, finds the Listen
// button on the talking call, joins, switches to whisper and leaves. The agent's phone hears
// the browser's tone, the customer's does not; the session is logged with both modes.
func TestDashboardListenButton(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	callID := w.liveCall(customer)
	sup, _ := w.session("sup@example.com", access.RoleSupervisor, w.brand)

	log := storetest.Logger(t)
	app := portal.New(portal.Deps{Log: log, DB: w.db, Access: w.acc, Cases: tracking.NewService(w.db, log, nil), Registry: prometheus.NewRegistry(),
		Dashboard: reports.NewDashboard(w.db, cases.NewCaseService(w.db, log, "http://127.0.0.1")),
		Routes:    []func(fiber.Router){func(r fiber.Router) { monitor.Routes(r, w.mon) }}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)                                            //nolint:errcheck
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck

	ctx, _ := browsertest.New(t, browsertest.Options{FakeAudio: micWAV(t, supervisorHz), Width: 1280, Height: 800, Timeout: 3 * time.Minute})
	violations := browsertest.CSPViolations(ctx)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	poll := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("monitor-status") || {}).textContent || ""`))
			t.Fatalf("browser: %s: %v (monitor status %q)", what, err, status)
		}
	}
	button := fmt.Sprintf(`#live-calls button.monitor-listen[data-call="%d"]`, callID)
	do("log in and open the dashboard",
		chromedp.Navigate("http://"+ln.Addr().String()+"/dashboard"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "sup@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "a login password 1"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("live")),
	)
	poll("the Listen button on the talking call", fmt.Sprintf(`!!document.querySelector(%q)`, button))
	do("listen", chromedp.Click(chromedp.CSS(button)))
	poll("connected", `(document.getElementById("monitor-status").textContent || "").includes("Connected")`)
	time.Sleep(3 * time.Second)
	do("whisper", chromedp.Click(chromedp.CSS(`#monitor-panel button[data-mode="whisper"]`)))
	poll("whispering", `document.querySelector('#monitor-panel button[data-mode="whisper"]').getAttribute("aria-pressed") === "true"`)
	time.Sleep(4 * time.Second)
	do("leave", chromedp.Click(chromedp.CSS(`#monitor-panel button[data-mode="leave"]`)))
	poll("left", `(document.getElementById("monitor-status").textContent || "").includes("left")`)
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the dashboard or the monitor panel: %q", v)
	}
	var ss []monitor.Session
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if ss, err = w.mon.Sessions(context.Background(), access.Brands(w.brand), callID, 10); err != nil {
			t.Fatal(err)
		}
		if len(ss) == 1 && ss[0].EndedAt != nil || time.Now().After(deadline) {
			break
		}
	}
	if len(ss) != 1 || ss[0].UserID != sup.ID || len(ss[0].Modes) != 2 || ss[0].Modes[1].Mode != "whisper" || ss[0].EndedAt == nil {
		t.Fatalf("monitoring log: %+v", ss)
	}
	time.Sleep(time.Second)
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	w.waitEnded(callID)
	time.Sleep(300 * time.Millisecond) // baresip closes its dump files after the BYE
	if _, total := toneSpan(w.agent.Heard(t), supervisorHz); total < 2*time.Second {
		t.Errorf("the agent heard the browser's whisper for %v only", total)
	}
	if _, total := toneSpan(customer.Heard(t), supervisorHz); total > 0 {
		t.Errorf("the customer heard the supervisor for %v: listen and whisper must not reach them", total)
	}
}

// micWAV writes the browser's fake microphone: 48 kHz 16-bit mono, 30 s of a sine.
func micWAV(t *testing.T, freq float64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("mic%.0f.wav", freq))
	wv, err := media.CreateWAV(path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, 48000*30)
	for i := range s {
		s[i] = int16(12000 * math.Sin(2*math.Pi*freq*float64(i)/48000))
	}
	if err := wv.WriteSamples(s); err != nil {
		t.Fatal(err)
	}
	if err := wv.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
