package monitor_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/cases"
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
	w.sipAgent()
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	callID := w.liveCall(customer)
	sup, _ := w.session("sup@example.com", access.RoleSupervisor, w.brand)

	base := w.portal()
	ctx := browser(t, supervisorHz)
	violations := browsertest.CSPViolations(ctx)
	do, poll := steps(t, ctx)
	button := fmt.Sprintf(`#live-calls button.monitor-listen[data-call="%d"]`, callID)
	do("log in and open the dashboard", login(base+"/dashboard", "sup@example.com", "#live")...)
	poll("the Listen button on the talking call", fmt.Sprintf(`!!document.querySelector(%q)`, button))
	poll("the call's number links to its call page", fmt.Sprintf(`!!document.querySelector('#live-calls a[href="/calls/%d"]')`, callID))
	do("listen", chromedp.Click(chromedp.CSS(button)))
	poll("connected", `(document.getElementById("monitor-status").textContent || "").includes("Connected")`)
	time.Sleep(3 * time.Second)
	do("whisper", chromedp.Click(chromedp.CSS(`#monitor-panel button[data-mode="whisper"]`)))
	poll("whispering", `document.querySelector('#monitor-panel button[data-mode="whisper"]').getAttribute("aria-pressed") === "true"`)
	browsertest.Screenshot(t, ctx, browsertest.ScreenshotsDir(t), "dashboard-monitor.png")
	time.Sleep(4 * time.Second)
	do("leave", chromedp.Click(chromedp.CSS(`#monitor-panel button[data-mode="leave"]`)))
	poll("left", `(document.getElementById("monitor-status").textContent || "").includes("left")`)
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the dashboard or the monitor panel: %q", v)
	}
	var ss []monitor.Session
	var err error
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
	if _, total := toneSpan(w.agent.Heard(t), supervisorHz); total < 2*time.Second {
		t.Errorf("the agent heard the browser's whisper for %v only", total)
	}
	if _, total := toneSpan(customer.Heard(t), supervisorHz); total > 0 {
		t.Errorf("the customer heard the supervisor for %v: listen and whisper must not reach them", total)
	}
}

// TestDeskAddToCall: an agent on the desk page (headless Chromium, 600 Hz microphone)
// answers a hotline call from the customer's baresip and with the desk's "Add to call" picks
// a second agent of the brand (a registered baresip, 800 Hz) from the list, then types a
// number (a baresip behind the trunk, 1800 Hz): the four talk, the second agent is on_call
// in the call and available after it, and the call log has both conferences.
func TestDeskAddToCall(t *testing.T) {
	storetest.OnePass(t)
	guest := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: guestE164, Tone: guestHz})
	w := newWorld(t, telephony.Trunk{URI: fmt.Sprintf("sip:127.0.0.1:%d", guest.SIPPort)})
	phones, err := w.center.EnableSoftphone(callcenter.SoftphoneConfig{IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(phones.Close)
	if _, err := w.acc.CreateUser(context.Background(), "desk1@example.com", "a login password 1", access.RoleAgent, []int64{w.brand}); err != nil {
		t.Fatal(err)
	}
	base := w.portal()
	ctx := browser(t, agentHz)
	do, poll := steps(t, ctx)
	do("log in to the desk", login(base+"/desk", "desk1@example.com", "#conn.up")...)
	poll("offline", `document.getElementById("desk").dataset.state === "offline"`)
	// Chrome's noise suppression takes a steady tone for noise: the desk's own switch.
	do("voice processing off", chromedp.Click(chromedp.ID("voice-processing")))
	do("go available", chromedp.Click(chromedp.ID("btn-available")))
	poll("available", `document.getElementById("desk").dataset.state === "available"`)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	do("see the call ring", chromedp.WaitVisible(chromedp.ID("ring")))
	do("answer", chromedp.Click(chromedp.ID("btn-answer")))
	poll("talking", `(document.getElementById("call-status").textContent || "").includes("Talking")`)
	// The second agent becomes available during the call: the list is read again when the
	// agent opens it (focus).
	second, secondPhone := w.agentOf("agent2", w.brand, telephonytest.PhoneOptions{Tone: secondHz})
	poll("the second agent in the list", fmt.Sprintf(`(s => { s.blur(); s.focus(); return !!s.querySelector('option[value="%d"]'); })(document.getElementById("conference-agent"))`, second.ID))
	pick := func(v string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event("change")); })(document.getElementById("conference-agent"))`, v))
	}
	do("add the second agent", pick(fmt.Sprint(second.ID)), chromedp.Click(chromedp.CSS("#conference button[type=submit]")))
	poll("the second agent joined", `(document.getElementById("conference-result").textContent || "").includes("agent2@example.com joined")`)
	if s := w.stateOf(second.ID); s != callcenter.OnCall {
		t.Errorf("the second agent is %s in the conference, want on_call", s)
	}
	do("add the number", pick(""),
		chromedp.WaitVisible(chromedp.ID("conference-to")),
		chromedp.SendKeys(chromedp.ID("conference-to"), guestE164),
		chromedp.Click(chromedp.CSS("#conference button[type=submit]")),
	)
	poll("the number joined", `(document.getElementById("conference-result").textContent || "").includes("`+guestE164+` joined")`)
	time.Sleep(4 * time.Second)
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	calls, err := w.center.Calls.List(context.Background(), access.Operator(), callcenter.CallFilter{Direction: callcenter.Inbound})
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls: %v %v", calls, err)
	}
	w.waitEnded(calls[0].ID)
	hears(t, "the customer", customer, agentHz, secondHz, guestHz)
	hears(t, "the added number", guest, customerHz, agentHz, secondHz)
	hears(t, "the second agent", secondPhone, customerHz, agentHz, guestHz)
	w.waitState(second.ID, callcenter.Available, "the second agent after the call")
	var n int
	if err := w.db.SQL.QueryRowContext(context.Background(), w.db.Rebind(`SELECT COUNT(*) FROM call_transfers WHERE call_id = ? AND kind = 'conference' AND outcome = 'completed'
		AND (to_number = ? OR to_agent_id = ?)`), calls[0].ID, guestE164, second.ID).Scan(&n); err != nil || n != 2 {
		t.Errorf("conference rows: %d %v", n, err)
	}
}

// steps are the browser's two kinds of step: do runs actions, poll waits (20 s at most) for
// a script to be true; either fails the test naming the step.
func steps(t *testing.T, ctx context.Context) (do func(string, ...chromedp.Action[chromedp.Void]), poll func(string, string)) {
	do = func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	poll = func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("monitor-status") || {}).textContent || ""`))
			t.Fatalf("browser: %s: %v (monitor panel says %q)", what, err, status)
		}
	}
	return do, poll
}

// portal serves the staff pages (the dashboard, the desk) with the call center's and
// monitoring's routes on a loopback listener, and returns its base URL.
func (w *world) portal() string {
	w.t.Helper()
	log := storetest.Logger(w.t)
	app := portal.New(portal.Deps{Log: log, DB: w.db, Access: w.acc, Cases: tracking.NewService(w.db, log, nil), Registry: prometheus.NewRegistry(),
		Dashboard: reports.NewDashboard(w.db, cases.NewCaseService(w.db, log, "http://127.0.0.1")),
		Routes: []func(fiber.Router){func(r fiber.Router) { callcenter.Routes(r, w.center) }, func(r fiber.Router) { monitor.Routes(r, w.mon) },
			func(r fiber.Router) { transfer.Routes(r, w.transfers) }}})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	go app.Listener(ln)                                              //nolint:errcheck
	w.t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) }) //nolint:errcheck
	return "http://" + ln.Addr().String()
}

// browser starts headless Chromium whose fake microphone says tone.
func browser(t *testing.T, tone float64) context.Context {
	t.Helper()
	ctx, _ := browsertest.New(t, browsertest.Options{FakeAudio: telephonytest.ToneWAVAt(t, t.TempDir(), tone, 48000, 30), Width: 1280, Height: 800, Timeout: 3 * time.Minute})
	return ctx
}

// login opens page (the login form first), logs in as email and waits for ready (a CSS
// selector) to show.
func login(page, email, ready string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), "a login password 1"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	}
}

// TestDeskJoinsConference: the agent on a hotline call (baresip, 600 Hz) adds a second agent
// whose desk page is open (headless Chromium, 800 Hz microphone): the page rings, the second
// agent answers, the page shows the call talking without Add to call, the customer and the agent hear the second
// agent, who is on_call; their Hang up ends only their leg (the call goes on) and makes them
// available; the conference row is ended.
func TestDeskJoinsConference(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	phones, err := w.center.EnableSoftphone(callcenter.SoftphoneConfig{IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(phones.Close)
	w.sipAgent()
	ctx := context.Background()
	desk2, err := w.acc.CreateUser(ctx, "desk2@example.com", "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		t.Fatal(err)
	}
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	callID := w.liveCall(customer)
	base := w.portal()
	bctx := browser(t, secondHz)
	do, poll := steps(t, bctx)
	do("log in to the desk", login(base+"/desk", "desk2@example.com", "#conn.up")...)
	poll("offline", `document.getElementById("desk").dataset.state === "offline"`)
	do("voice processing off", chromedp.Click(chromedp.ID("voice-processing")))
	do("go available", chromedp.Click(chromedp.ID("btn-available")))
	w.waitState(desk2.ID, callcenter.Available, "the desk agent")

	asAgent := w.login("agent1@example.com")
	added := make(chan string, 1)
	go func() {
		code, body := asAgent("POST", fmt.Sprintf("/api/v1/calls/%d/conference", callID), fmt.Sprintf(`{"agent_id": %d}`, desk2.ID))
		added <- fmt.Sprint(code, " ", body)
	}()
	do("see the conference ring", chromedp.WaitVisible(chromedp.ID("ring")))
	do("answer", chromedp.Click(chromedp.ID("btn-answer")))
	if got := <-added; !strings.HasPrefix(got, "201 ") || !strings.Contains(got, `"outcome":"completed"`) {
		t.Fatalf("conference with the desk agent: %s", got)
	}
	poll("talking", `(document.getElementById("call-status").textContent || "").includes("Talking")`)
	// A participant may not add anyone (the API says 403): the desk offers no Add to call.
	poll("no Add to call for a participant", `document.getElementById("conference").hidden === true`)
	if s := w.stateOf(desk2.ID); s != callcenter.OnCall {
		t.Errorf("the desk agent is %s in the conference, want on_call", s)
	}
	time.Sleep(4 * time.Second)
	do("hang up", chromedp.Click(chromedp.ID("btn-hangup")))
	w.waitState(desk2.ID, callcenter.Available, "the desk agent after leaving")
	var ended *time.Time
	for deadline := time.Now().Add(5 * time.Second); ended == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT ended_at FROM call_transfers WHERE call_id = ? AND to_agent_id = ? AND outcome = 'completed'`),
			callID, desk2.ID).Scan(&ended); err != nil {
			t.Fatal(err)
		}
	}
	if ended == nil {
		t.Error("the conference row is not ended after the desk agent left")
	}
	if _, ok := w.center.LiveCall(callID); !ok {
		t.Fatal("the call ended when the desk agent left")
	}
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	w.waitEnded(callID)
	hears(t, "the customer", customer, agentHz, secondHz)
	hears(t, "the agent", w.agent, customerHz, secondHz)
}
