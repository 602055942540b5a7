package routing

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	dto "github.com/prometheus/client_model/go"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// What each party says in the self-service test, and the brand's recorded prompts (tones, so
// the order the caller heard them in can be read off the caller's own recording).
var selfTones = []telephonytest.Tone{{Label: "greeting", Hz: 500}, {Label: "key_in", Hz: 800}, {Label: "menu", Hz: 1500},
	{Label: "caller", Hz: 1000}, {Label: "english", Hz: 600}, {Label: "russian", Hz: 1900}}

// hz is the tone of label in selfTones.
func hz(label string) float64 {
	for _, s := range selfTones {
		if s.Label == label {
			return s.Hz
		}
	}
	panic(label)
}

// heardLabels is what a phone heard as selfTones' labels or "speech", in order.
func heardLabels(samples []int16) []string { return telephonytest.HeardInOrder(samples, selfTones...) }

// earJS listens on the desk page to what the agent hears (the remote audio element's
// stream): every 100 ms the loudest frequency goes into window.heardPeaks.
const earJS = `(() => {
  const ctx = new AudioContext();
  const an = ctx.createAnalyser();
  an.fftSize = 8192;
  ctx.createMediaStreamSource(document.getElementById("remote").srcObject).connect(an);
  const bins = new Float32Array(an.frequencyBinCount);
  window.heardPeaks = [];
  setInterval(() => {
    an.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    if (bins[best] > -70) window.heardPeaks.push(best * ctx.sampleRate / an.fftSize);
  }, 100);
  return true;
})()`

// TestKeyedTrackingNumberThenTheRussianBrowserAgent (issue 19 acceptance, real peers: a
// baresip caller keying RFC 4733 digits, an English-speaking agent on a baresip phone,
// a Russian-speaking agent on the desk page in Chromium): a caller whose number matches no
// parcel hears the brand's greeting and the question, keys the tracking number's nine digits
// and #, hears the parcel's status (speech) and the menu (in this order, on the audio the
// caller heard), presses 0, and is put through to the Russian speaker on the desk (the
// recipient's language is ru), not to the English agent idle an hour longer. Both hear each
// other (the caller the browser's tone, the page the caller's); the call log says the
// Russian speaker answered, the parcel is the call's, the keys as pressed, self-service
// agent.
func TestKeyedTrackingNumberThenTheRussianBrowserAgent(t *testing.T) {
	storetest.OnePass(t)
	browsertest.Binary(t)
	f := newHotlineFloor(t, telephony.Trunk{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	log := storetest.Logger(t)
	e := f.e

	// The brand's recorded greeting, question and menu; the status is synthesised speech.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, strconv.FormatInt(e.BrandA, 10)), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, label string }{{ivr.PromptHotlineGreeting, "greeting"}, {"selfservice.key_in", "key_in"}, {ivr.PromptHotlineMenu, "menu"}} {
		for _, lg := range []string{"en", "ru"} {
			wav := ivr.WAV(tone(hz(p.label), time.Second))
			if err := os.WriteFile(filepath.Join(dir, strconv.FormatInt(e.BrandA, 10), p.name+"."+lg+".wav"), wav, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	prompts, err := ivr.New(ivr.Config{Dir: dir, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	self := &ivr.SelfService{Eng: f.eng, Prompts: prompts, Parcels: e.Tracking, Settings: ivr.NewSettings(e.DB), DB: e.DB, Log: log,
		Collect: ivr.Collect{FirstDigit: 6 * time.Second}, Count: ivr.NewSelfServiceCounter()}
	f.center.UseSelfService(self.Serve)

	// The desk: the softphone and the portal on loopback.
	phones, err := f.center.EnableSoftphone(callcenter.SoftphoneConfig{ReconnectGrace: 2 * time.Second, WrapUpLimit: time.Minute,
		IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(phones.Close)
	base := browsertest.Serve(t, portal.New(portal.Deps{Log: log, DB: e.DB, Access: e.Access, Cases: e.Tracking,
		Routes: []func(fiber.Router){func(r fiber.Router) { callcenter.Routes(r, f.center) }}}))

	now := time.Now().UTC()
	en := f.agent("english", []string{"en"}, hz("english"), now.Add(-time.Hour))
	olga, err := e.Access.CreateUser(ctx, "olga@example.com", "a login password 1", access.RoleAgent, []int64{e.BrandA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetAgent(ctx, AgentRouting{UserID: olga.ID, BrandID: e.BrandA, Languages: []string{"ru"}}); err != nil {
		t.Fatal(err)
	}
	bctx, stop := browsertest.New(t, browsertest.Options{FakeAudio: telephonytest.MicWAV(t, t.TempDir(), hz("russian"), 60),
		Width: 1280, Height: 800, Timeout: 3 * time.Minute})
	defer stop()
	page := func(what string, err error) { // fails showing the desk's side panel
		t.Helper()
		if err != nil {
			side, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".desk-side")))
			t.Fatalf("browser: %s: %v\npage: %s", what, err, side)
		}
	}
	until := func(what, js string, within time.Duration) {
		t.Helper()
		_, err := chromedp.Run(bctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(within)))
		page(what, err)
	}
	state := func(s string) string { return fmt.Sprintf(`document.getElementById("desk").dataset.state === %q`, s) }
	page("log in", browsertest.LogIn(bctx, base, "olga@example.com", "a login password 1", "/desk", "#conn.up"))
	until("offline", state("offline"), 20*time.Second)
	page("go available", chromedp.Do(bctx, chromedp.Click(chromedp.ID("btn-available"))))
	until("available", state("available"), 20*time.Second)
	if _, err := e.DB.SQL.ExecContext(ctx, e.DB.Rebind(`UPDATE agent_states SET idle_since = ? WHERE user_id = ?`), now.Add(-time.Minute), olga.ID); err != nil {
		t.Fatal(err)
	}

	// The caller: keys the digits once the question was heard, 0 once the menu was heard.
	caller := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "+79130000001", Tone: hz("caller")})
	if out, err := caller.Command("dial", "sip:"+hotline+"@"+f.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	heard := func(label string) {
		for ctx.Err() == nil && !slices.Contains(heardLabels(caller.HeardSoFar()), label) {
			time.Sleep(200 * time.Millisecond)
		}
	}
	go func() {
		heard("key_in")
		for _, k := range "123456785#" {
			time.Sleep(400 * time.Millisecond)
			caller.Command("sndcode", string(k)) //nolint:errcheck // the keys are checked on the call row
		}
		heard("menu")
		time.Sleep(300 * time.Millisecond)
		caller.Command("sndcode", "0") //nolint:errcheck // the keys are checked on the call row
	}()

	until("the call ringing (the Russian speaker's turn)", `document.getElementById("ring").hidden === false`, 90*time.Second)
	page("answer", chromedp.Do(bctx, chromedp.Click(chromedp.ID("btn-answer"))))
	until("talking", `(document.getElementById("call-status").textContent || "").includes("Talking") && document.getElementById("remote").srcObject !== null`, 20*time.Second)
	if ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](earJS)); err != nil || !ok {
		t.Fatalf("listening on the page: %v", err)
	}
	time.Sleep(4 * time.Second) // both sides talk
	peaks, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64](`window.heardPeaks`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := caller.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}

	var c callcenter.Call
	for c.EndedAt == nil {
		calls, err := f.center.Calls.List(ctx, access.Brands(e.BrandA), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 1 && calls[0].EndedAt != nil {
			if c, err = f.center.Calls.Get(ctx, access.Brands(e.BrandA), calls[0].ID); err != nil {
				t.Fatal(err)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the hotline call did not end: %+v\n%s", calls, caller.Output())
		case <-time.After(200 * time.Millisecond):
		}
	}
	f.center.Wait()

	// What the caller heard: the greeting, the question, the status, the menu, then the agent.
	if got := heardLabels(caller.Heard(t)); !telephonytest.InOrder(got, []string{"greeting", "key_in", "speech", "menu", "russian"}) || slices.Contains(got, "english") {
		t.Errorf("the caller heard %v, want the greeting, the question, the status (speech), the menu and the Russian speaker's browser in this order, never the English agent", got)
	}
	// What the agent heard on the page: the caller.
	near := 0
	for _, p := range peaks {
		if math.Abs(p-hz("caller")) < 30 {
			near++
		}
	}
	t.Logf("the caller heard %v; the page's loudest frequency was the caller's in %d of %d windows", heardLabels(caller.Heard(t)), near, len(peaks))
	if len(peaks) < 10 || near < len(peaks)*2/3 {
		t.Errorf("the desk page heard the loudest frequencies %v, want mostly the caller's %.0f Hz", peaks, hz("caller"))
	}
	// The call log: the Russian speaker answered, on the browser; the English agent never rang.
	if c.AgentID != olga.ID || c.Outcome != callcenter.Answered || c.ParcelID != parcelID {
		t.Fatalf("call log: agent %d outcome %s parcel %q; want the Russian speaker %d (the English agent %d was idle longer), answered, %s",
			c.AgentID, c.Outcome, c.ParcelID, olga.ID, en, parcelID)
	}
	for _, l := range c.Legs {
		if l.Kind == callcenter.LegAgent && (l.AgentID != olga.ID || !strings.HasPrefix(l.To, "webrtc:")) {
			t.Fatalf("an agent leg not the Russian speaker's browser: %+v", l)
		}
	}
	var answer, keys, outcome string
	if err := e.DB.SQL.QueryRowContext(ctx, e.DB.Rebind(`SELECT COALESCE(ivr_answer, ''), COALESCE(ivr_keys, ''), COALESCE(self_service, '') FROM calls WHERE id = ? AND brand_id = ?`),
		c.ID, e.BrandA).Scan(&answer, &keys, &outcome); err != nil {
		t.Fatal(err)
	}
	if answer != ivr.AnswerStatus || keys != "123456785#0" || outcome != ivr.OutcomeAgent {
		t.Fatalf("call row answer %q keys %q self_service %q, want %s, 123456785#0, %s", answer, keys, outcome, ivr.AnswerStatus, ivr.OutcomeAgent)
	}
	var m dto.Metric
	if err := self.Count.WithLabelValues(ivr.OutcomeAgent).Write(&m); err != nil || m.GetCounter().GetValue() != 1 {
		t.Fatalf("wismo_hotline_selfservice_total{outcome=agent} %v (%v), want 1", m.GetCounter().GetValue(), err)
	}
}
