package callcenter

import (
	"context"
	"fmt"
	"math"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// browserTone is what the agent's browser says: its fake microphone plays it.
const browserTone = 600.0

// deskWorld is a world with the softphone enabled and the portal (login page, agent
// desktop, the APIs) served on loopback.
type deskWorld struct {
	*world
	phones *Softphone
	base   string // http://127.0.0.1:port
}

// requirePeers fails (never skips) when a peer the browser tests need is missing.
func requirePeers(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Fatal("baresip (the customer's phone) is needed: install the Debian package baresip-core (make test-deps)")
	}
	browsertest.Binary(t) // fails naming the Debian package chromium
}

func newDeskWorld(t *testing.T) *deskWorld { return newDeskWorldGrace(t, 2*time.Second) }

// newDeskWorldGrace is newDeskWorld with the softphone's reconnect grace given.
func newDeskWorldGrace(t *testing.T, grace time.Duration) *deskWorld {
	return newDeskWorldTrunk(t, grace, telephony.Trunk{})
}

// newDeskWorldTrunk is newDeskWorldGrace with calls to numbers going out through trunk.
func newDeskWorldTrunk(t *testing.T, grace time.Duration, trunk telephony.Trunk) *deskWorld {
	t.Helper()
	requirePeers(t)
	w := newWorld(t, trunk, Config{AgentRing: 20 * time.Second})
	phones, err := w.center.EnableSoftphone(SoftphoneConfig{ReconnectGrace: grace, WrapUpLimit: time.Minute,
		IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(phones.Close)
	phones.UseDispositions(brandWords{brand: w.brand, words: []string{DispReached, DispCallbackRequested, DispWrongNumber, DispRefused, DispVoicemail, brandWord}})
	// The brand's call scripts, as the desk reads them (GET /api/v1/scripts/{id}/run).
	planner, err := dialer.New(w.db, w.center.log, dialer.Options{PublicURL: "http://wismo.test"})
	if err != nil {
		t.Fatal(err)
	}
	sc := scripts.New(w.db, w.center.log, scripts.Options{PublicURL: "http://wismo.test", Parcels: w.cases, Brands: w.acc, Planner: planner})
	if _, err := sc.SaveScript(context.Background(), w.brand, 0, deskScript, "test"); err != nil {
		t.Fatal(err)
	}
	app := portal.New(portal.Deps{Log: w.center.log, DB: w.db, Access: w.acc, Cases: w.cases,
		Routes: []func(fiber.Router){func(r fiber.Router) { Routes(r, w.center) }, func(r fiber.Router) { scripts.Routes(r, sc) }}})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(2 * time.Second) })
	return &deskWorld{world: w, phones: phones, base: "http://" + ln.Addr().String()}
}

// deskAgent creates an agent of the brand who has no SIP phone, only the desk page.
func (w *deskWorld) deskAgent(name string) (int64, string) {
	w.t.Helper()
	email := name + "@example.com"
	u, err := w.acc.CreateUser(context.Background(), email, "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID, email
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

// openDesk starts Chromium with the fake microphone, logs in as email through the login
// page, lands on the desk and makes the agent available from the page. It returns the
// browser's context and the func that kills the browser.
func (w *deskWorld) openDesk(email string) (context.Context, context.CancelFunc) {
	t := w.t
	t.Helper()
	ctx, stop := browsertest.New(t, browsertest.Options{FakeAudio: micWAV(t, browserTone), Width: 1280, Height: 720, Timeout: 3 * time.Minute})
	violations := browsertest.CSPViolations(ctx)
	w.do(ctx, "log in",
		chromedp.Navigate(w.base+"/desk"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), "a login password 1"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("#conn.up")),
	)
	w.waitState(ctx, "offline")
	w.do(ctx, "go available", chromedp.Click(chromedp.ID("btn-available")))
	w.waitState(ctx, "available")
	// The login page, the desk and its socket (connect-src 'self' covers same-origin ws:)
	// work under the portal's Content-Security-Policy.
	if v := violations(); len(v) > 0 {
		t.Errorf("the Content-Security-Policy blocked part of the login or the desk: %q", v)
	}
	return ctx, stop
}

// do runs browser steps or fails the test naming what it was doing.
func (w *deskWorld) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		w.t.Fatalf("browser: %s: %v", what, err)
	}
}

// waitState waits until the page shows the agent in state (pushed by the server).
func (w *deskWorld) waitState(ctx context.Context, state string) {
	w.t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("desk").dataset.state === %q`, state),
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".desk-side")))
		w.t.Fatalf("the page never showed state %s: %v\npage: %s", state, err, page)
	}
}

// waitText waits until the element's text contains s.
func (w *deskWorld) waitText(ctx context.Context, id, s string) {
	w.t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`(document.getElementById(%q).textContent || "").includes(%q)`, id, s),
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		w.t.Fatalf("#%s never said %q (says %q): %v", id, s, got, err)
	}
}

// lastCall waits for the newest call of direction to end and returns it with its legs.
func (w *deskWorld) lastCall(direction string, within time.Duration) Call {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for {
		calls, err := w.center.Calls.List(context.Background(), access.Operator(), CallFilter{Direction: direction, Limit: 1})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(calls) == 1 && calls[0].EndedAt != nil {
			return calls[0]
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no finished %s call after %v: %+v", direction, within, calls)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// brandWord is the test brand's own disposition (its call script ends with it).
const brandWord = "cod_refused"

// deskScript is the brand's call script: the parcel's id in the first line, and an answer
// that ends with the brand's own disposition.
var deskScript = scripts.ScriptInput{Name: "cod-check", Body: scripts.ScriptBody{Start: "hello", Steps: []scripts.Step{
	{ID: "hello", Say: "Hello, this is about your parcel {{.parcel.id}}.", Next: "ask"},
	{ID: "ask", Say: "It comes with cash on delivery.", Question: &scripts.Question{Text: "Will you pay on delivery?", Options: []scripts.Option{
		{Answer: "yes", End: &scripts.Ending{Disposition: DispReached}},
		{Answer: "no", Label: "No, refuses", End: &scripts.Ending{Disposition: brandWord}},
	}}},
}}}

// brandWords is a brand's list of dispositions, as scripts.Service gives it.
type brandWords struct {
	brand int64
	words []string
}

func (b brandWords) Dispositions(_ context.Context, brand int64) ([]string, error) {
	if brand != b.brand {
		return nil, nil
	}
	return b.words, nil
}

// wrapUp chooses the brand's own disposition (offered only when the call brought the brand's
// list to the page) and writes a note on the page, and checks both are stored and the agent
// is available again.
func (w *deskWorld) wrapUp(ctx context.Context, callID int64, agentID int64) {
	w.t.Helper()
	w.waitState(ctx, "wrap_up")
	w.do(ctx, "wrap up",
		chromedp.WaitVisible(chromedp.ID("wrapup")),
		chromedp.SetValue(chromedp.ID("disposition"), brandWord),
		chromedp.SendKeys(chromedp.ID("note"), "call back after 18:00"),
		chromedp.Click(chromedp.ID("btn-wrapup")),
	)
	w.waitState(ctx, "available")
	c, err := w.center.Calls.Get(context.Background(), access.Operator(), callID)
	if err != nil {
		w.t.Fatal(err)
	}
	if c.Disposition != brandWord || c.Note != "call back after 18:00" {
		w.t.Fatalf("wrap-up not stored: disposition %q note %q", c.Disposition, c.Note)
	}
	if ag, _ := w.center.Agents.Get(context.Background(), agentID); ag.State != Available {
		w.t.Fatalf("agent after wrap-up: %s", ag.State)
	}
}

// checkBrowserLeg asserts the agent leg of c was the browser's, with PCMU.
func checkBrowserLeg(t *testing.T, c Call, agentID int64) {
	t.Helper()
	for _, g := range c.Legs {
		if g.Kind == LegAgent && g.AgentID == agentID && g.Outcome == Answered {
			if g.Codec != "PCMU" || len(g.SIPCallID) < 7 || g.SIPCallID[:7] != "webrtc-" || g.To != "webrtc:"+fmt.Sprint(agentID) {
				t.Fatalf("agent leg: %+v", g)
			}
			return
		}
	}
	t.Fatalf("no answered agent leg of agent %d: %+v", agentID, c.Legs)
}

// TestDeskInboundCall: the customer's baresip calls the hotline; the agent's desk page
// rings (screenshot), the agent answers by clicking, both hear each other (the recording's
// left channel is baresip's tone, the right the browser's fake microphone; baresip heard
// the browser), the customer hangs up, and the agent's disposition and note are stored
// from the wrap-up form.
func TestDeskInboundCall(t *testing.T) {
	storetest.OnePass(t)
	w := newDeskWorld(t)
	w.parcelFor("RB123456785GB", "8 913 123-45-67")
	if _, err := w.center.AddQueue(context.Background(), Queue{Name: "every shop", Ring: 20 * time.Second, MaxWait: 60 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	agentID, email := w.deskAgent("desk1")
	ctx, _ := w.openDesk(email)
	shots := browsertest.ScreenshotsDir(t)
	browsertest.Screenshot(t, ctx, shots, "desk-idle.png")

	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	w.do(ctx, "see the call ring", chromedp.WaitVisible(chromedp.ID("ring")))
	w.waitText(ctx, "ring-from", customerE164)
	w.waitText(ctx, "pop-parcels", "RB123456785GB") // the screen pop matched the caller's parcel
	browsertest.Screenshot(t, ctx, shots, "desk-ringing.png")
	rang := time.Now()
	w.do(ctx, "answer", chromedp.Click(chromedp.ID("btn-answer")))
	w.waitText(ctx, "call-status", "Talking")
	t.Logf("answer click to talking: %v", time.Since(rang).Round(time.Millisecond))
	// The brand's script, filled in with the caller's parcel; the agent walks it.
	w.waitText(ctx, "script-say", "Hello, this is about your parcel RB123456785GB.")
	w.do(ctx, "script: next", chromedp.Click(chromedp.CSS("#script-answers button")))
	w.waitText(ctx, "script-question", "Will you pay on delivery?")
	w.do(ctx, "script: the customer refuses", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("#script-answers button")].find(b => b.textContent === "No, refuses")`)))
	w.waitText(ctx, "script-end", "cod refused")
	w.waitState(ctx, "on_call")
	time.Sleep(3 * time.Second) // both sides talk
	browsertest.Screenshot(t, ctx, shots, "desk-call.png")
	if wide := browsertest.Overflowing(t, ctx); wide != "" {
		t.Errorf("the desk in a call scrolls sideways at 1280 px: %s", wide)
	}
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	c := w.lastCall(Inbound, 15*time.Second)
	if c.Outcome != Answered || c.HangupSide != LegCustomer || c.AgentID != agentID || c.ParcelID != "RB123456785GB" {
		t.Fatalf("call log: %+v", c)
	}
	checkTimes(t, c)
	checkBrowserLeg(t, c, agentID)
	w.checkRecording(c, browserTone)
	w.onTimeline(c)
	heard(t, customer, browserTone, "the customer's phone")
	w.waitText(ctx, "message", "The customer hung up")
	w.wrapUp(ctx, c.ID, agentID)
}

// TestDeskOutboundCall: the agent dials the customer from the page's dial box; the page
// answers its own ring, the customer's baresip answers, and the agent hangs up from the
// page. Audio both ways as in the inbound test; the disposition is stored.
func TestDeskOutboundCall(t *testing.T) {
	storetest.OnePass(t)
	w := newDeskWorld(t)
	agentID, email := w.deskAgent("desk2")
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "customer", Tone: customerTone})
	ctx, _ := w.openDesk(email)
	start := time.Now()
	w.do(ctx, "dial",
		chromedp.SendKeys(chromedp.ID("dial-to"), customer.URI()),
		chromedp.Click(chromedp.ID("btn-dial")),
	)
	w.waitText(ctx, "call-status", "Talking")
	t.Logf("dial click to talking: %v", time.Since(start).Round(time.Millisecond))
	// A key of the page's keypad reaches the customer as an RFC 4733 event for that digit,
	// with the customer's payload type (Chrome sends 126; baresip offers 101).
	digits := make(chan telephony.DTMF, 64)
	w.eng.OnDTMF(func(d telephony.DTMF) {
		select {
		case digits <- d:
		default:
		}
	})
	w.do(ctx, "press 5", chromedp.Click(chromedp.CSS(`.keypad .key[data-digit="5"]`)))
	deadline := time.After(5 * time.Second)
	for got := false; !got; {
		select {
		case d := <-digits:
			if d.End {
				if d.Event != 5 || d.PayloadType != 101 {
					t.Fatalf("the customer got telephone-event %d with payload type %d, want 5 with 101", d.Event, d.PayloadType)
				}
				got = true
			}
		case <-deadline:
			t.Fatal("the keypad's 5 never reached the customer as a telephone-event")
		}
	}
	time.Sleep(2 * time.Second)
	w.do(ctx, "hold", chromedp.Click(chromedp.ID("btn-hold")))
	w.waitText(ctx, "btn-hold", "Resume")
	// How far the customer's recording has got at each step (it grows in real time): what
	// they heard between the steps is judged there, however long the clicks take.
	held := len(customer.HeardSoFar())
	time.Sleep(4 * time.Second)
	resumeClicked := len(customer.HeardSoFar())
	w.do(ctx, "resume", chromedp.Click(chromedp.ID("btn-hold")))
	w.waitText(ctx, "call-status", "Talking")
	resumed := len(customer.HeardSoFar())
	time.Sleep(3 * time.Second)
	hangupClicked := len(customer.HeardSoFar())
	w.do(ctx, "hang up", chromedp.Click(chromedp.ID("btn-hangup")))
	c := w.lastCall(Outbound, 15*time.Second)
	if c.Outcome != Answered || c.HangupSide != LegAgent || c.AgentID != agentID || c.Mode != ModePreview || c.BrandID != w.brand {
		t.Fatalf("call log: %+v", c)
	}
	checkBrowserLeg(t, c, agentID)
	// The hold is in the call log (calls.hold_ms, 00042): at least the 4 s between the page
	// showing the hold and the resume click, and within the call.
	var holdMS int64
	if err := w.db.SQL.QueryRow(w.db.Rebind(`SELECT hold_ms FROM calls WHERE id = ?`), c.ID).Scan(&holdMS); err != nil {
		t.Fatal(err)
	}
	if total := c.EndedAt.Sub(*c.AnsweredAt).Milliseconds(); holdMS < 4000 || holdMS > total {
		t.Errorf("hold_ms %d, want at least 4000 and at most the call's %d ms", holdMS, total)
	}
	w.checkRecording(c, browserTone)
	heard(t, customer, browserTone, "the customer's phone")
	// On hold the customer heard the hold music, not the agent; after it the agent again.
	s := customer.Heard(t)
	const margin = 5600 // 700 ms each side: the click's way to wismo, the phone's jitter buffer
	if held+margin >= resumeClicked-margin || resumed+margin >= hangupClicked-margin || hangupClicked > len(s) {
		t.Fatalf("the customer's recording: %d samples, at hold %d, resume click %d, resumed %d, hang-up click %d", len(s), held, resumeClicked, resumed, hangupClicked)
	}
	during, after := s[held+margin:resumeClicked-margin], s[resumed+margin:hangupClicked-margin]
	if share := media.ToneShare(during, 8000, browserTone); share > 0.1 || media.RMS(during) < 100 {
		t.Errorf("on hold the customer heard the agent (%v Hz share %.2f) or nothing (RMS %.0f)", browserTone, share, media.RMS(during))
	}
	if share := media.ToneShare(after, 8000, browserTone); share < 0.4 {
		t.Errorf("after hold the customer heard the agent's %v Hz at share %.2f", browserTone, share)
	}
	w.wrapUp(ctx, c.ID, agentID)
}

// TestDeskBrowserClosedMidCall: the agent's browser dies during a call; after the reconnect
// grace the call is torn down, the recording finished, and the call log says the agent's
// side ended it.
func TestDeskBrowserClosedMidCall(t *testing.T) {
	storetest.OnePass(t)
	w := newDeskWorld(t)
	agentID, email := w.deskAgent("desk3")
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "customer", Tone: customerTone})
	ctx, kill := w.openDesk(email)
	w.do(ctx, "dial",
		chromedp.SendKeys(chromedp.ID("dial-to"), customer.URI()),
		chromedp.Click(chromedp.ID("btn-dial")),
	)
	w.waitText(ctx, "call-status", "Talking")
	time.Sleep(2 * time.Second)
	killed := time.Now()
	kill()
	c := w.lastCall(Outbound, 20*time.Second)
	took := c.EndedAt.Sub(killed)
	t.Logf("browser killed -> call ended in %v (grace 2 s)", took.Round(time.Millisecond))
	if c.Outcome != Answered || c.HangupSide != LegAgent {
		t.Fatalf("call log: %+v", c)
	}
	if c.RecordingID == 0 {
		t.Fatal("no recording finished")
	}
	rec, err := w.recs.Get(context.Background(), access.Brands(w.brand), c.RecordingID)
	if err != nil || rec.DurationMS < 2000 || len(rec.SHA256) != 64 {
		t.Fatalf("recording: %+v %v", rec, err)
	}
	for _, g := range c.Legs {
		if g.EndedAt == nil || g.HangupSide != LegAgent {
			t.Fatalf("leg not finished by the agent's side: %+v", g)
		}
	}
	if w.eng.Active() != 0 {
		t.Fatalf("%d legs still up", w.eng.Active())
	}
	deadline := time.Now().Add(5 * time.Second)
	for { // the page did not come back: the agent is put offline (after wrap-up)
		ag, _ := w.center.Agents.Get(context.Background(), agentID)
		if ag.State == Offline {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("agent state after the browser died: %s", ag.State)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDeskReloadMidCall: the agent reloads the page during a call; the call stays up, the
// page comes back into it (new peer connection, same bridge and recording) and the agent
// hangs up from the reloaded page; the customer heard the browser again after the reload.
func TestDeskReloadMidCall(t *testing.T) {
	storetest.OnePass(t)
	w := newDeskWorldGrace(t, 10*time.Second)
	agentID, email := w.deskAgent("desk4")
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "customer", Tone: customerTone})
	ctx, _ := w.openDesk(email)
	w.do(ctx, "dial",
		chromedp.SendKeys(chromedp.ID("dial-to"), customer.URI()),
		chromedp.Click(chromedp.ID("btn-dial")),
	)
	w.waitText(ctx, "call-status", "Talking")
	time.Sleep(time.Second)
	reload := time.Now()
	w.do(ctx, "reload", chromedp.Reload())
	w.waitText(ctx, "call-status", "reconnected")
	w.waitState(ctx, "on_call")
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("spk-meter").value > 0.05`, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("no audio from the customer after the reload: %v", err)
	}
	t.Logf("reload -> audio back in %v", time.Since(reload).Round(time.Millisecond))
	time.Sleep(3 * time.Second)
	w.do(ctx, "hang up", chromedp.Click(chromedp.ID("btn-hangup")))
	c := w.lastCall(Outbound, 15*time.Second)
	if c.Outcome != Answered || c.HangupSide != LegAgent || c.AgentID != agentID {
		t.Fatalf("call log: %+v", c)
	}
	if len(c.Legs) != 2 {
		t.Fatalf("legs: %+v", c.Legs)
	}
	// What the agent said after the reload (the last 2.5 s, before the hang-up) is the
	// browser's tone; the gap of the reload itself is silence.
	rec, err := w.recs.Get(context.Background(), access.Brands(w.brand), c.RecordingID)
	if err != nil {
		t.Fatal(err)
	}
	_, ch, err := media.ReadWAV(rec.Path)
	if err != nil {
		t.Fatal(err)
	}
	n := len(ch[1])
	after := ch[1][max(0, n-20000) : n-2000]
	if s := media.ToneShare(after, 8000, browserTone); s < 0.5 {
		t.Errorf("after the reload the agent's channel has a %v Hz share of %.2f", browserTone, s)
	}
	if s := media.ToneShare(ch[0][n/4:], 8000, customerTone); s < 0.4 {
		t.Errorf("customer's channel: %v Hz share %.2f", customerTone, s)
	}
	heard(t, customer, browserTone, "the customer's phone after the reload")
}

// TestDeskPauseAndKeyboard: a pause with its reason is pushed back to the page; a paused
// agent is not offered calls; back to available, a hotline call is answered with Alt+A and
// hung up with Alt+H.
func TestDeskPauseAndKeyboard(t *testing.T) {
	storetest.OnePass(t)
	w := newDeskWorld(t)
	if _, err := w.center.AddQueue(context.Background(), Queue{Name: "every shop", Ring: 20 * time.Second, MaxWait: 60 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	agentID, email := w.deskAgent("desk5")
	ctx, _ := w.openDesk(email)
	w.do(ctx, "pause for lunch",
		chromedp.SetValue(chromedp.ID("pause-reason"), "lunch"),
		chromedp.Click(chromedp.ID("btn-pause")),
	)
	w.waitState(ctx, "paused")
	w.waitText(ctx, "pause-why", "Reason: Lunch") // the word the agent chose in the list, not the stored code
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	w.waitText(ctx, "queue-count", "1") // the caller waits: nobody is available
	if ag, _ := w.center.Agents.Get(context.Background(), agentID); ag.State != Paused {
		t.Fatalf("a paused agent was offered the call: %s", ag.State)
	}
	w.do(ctx, "be available", chromedp.Click(chromedp.ID("btn-available")))
	w.do(ctx, "see the call ring", chromedp.WaitVisible(chromedp.ID("ring")))
	w.do(ctx, "answer with Alt+A", chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	w.waitText(ctx, "call-status", "Talking")
	w.waitText(ctx, "queue-count", "0")
	time.Sleep(2 * time.Second)
	w.do(ctx, "hang up with Alt+H", chromedp.KeyEvent("h", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	c := w.lastCall(Inbound, 15*time.Second)
	if c.Outcome != Answered || c.HangupSide != LegAgent || c.AgentID != agentID {
		t.Fatalf("call log: %+v", c)
	}
	w.waitState(ctx, "wrap_up")
}
