package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/pion/webrtc/v4"
	pionmedia "github.com/pion/webrtc/v4/pkg/media"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/callcenter/rtcapi"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
)

// Tones: what each party says, so every ear and channel can be told apart.
const (
	customerHz   = 1000.0
	agentHz      = 600.0
	supervisorHz = 1400.0
	guestHz      = 1800.0
	secondHz     = 800.0 // a second agent added to a conference
	hotline      = "+74951112233"
	customerE164 = "+79131234567"
	guestE164    = "+79139998877"
)

// world is a database, call control on a SIP endpoint, brand A with an agent on a baresip
// phone, and the monitoring service with its API.
type world struct {
	t         *testing.T
	db        *store.DB
	acc       *access.Service
	center    *callcenter.Center
	eng       *telephony.Endpoint
	recs      *recordings.Service
	mon       *monitor.Service
	transfers *transfer.Service
	app       *fiber.App
	brand     int64
	agent     *telephonytest.Phone
}

func newWorld(t *testing.T, trunk telephony.Trunk) *world {
	t.Helper()
	telephonytest.Require(t, "baresip", "baresip-core")
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	w := &world{t: t, db: db, acc: access.NewService(db)}
	b, _, err := w.acc.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	w.brand = b.ID
	w.recs = recordings.NewService(db, t.TempDir(), log)
	agents := callcenter.NewAgents(db, "wismo", w.acc)
	w.center = callcenter.NewCenter(callcenter.Config{}, db, agents, w.recs, tracking.NewService(db, log, nil), log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	w.eng, err = telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200, Trunk: trunk,
		Realm: "wismo", NoRTPTimeout: 5 * time.Second}, log, agents, w.center)
	if err != nil {
		t.Fatal(err)
	}
	w.center.Attach(ctx, w.eng)
	sctx, cancel := context.WithCancel(ctx)
	go w.eng.Serve(sctx)
	t.Cleanup(func() { cancel(); w.eng.Close() })
	w.mon, err = monitor.New(ctx, db, w.center, w.eng, callcenter.SoftphoneConfig{IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }}, log)
	if err != nil {
		t.Fatal(err)
	}
	w.transfers = transfer.New(db, w.center, log, 0)
	w.mon.UseTransfers(w.transfers)
	w.app = fiber.New()
	w.app.Use(access.Authenticate(w.acc))
	monitor.Routes(w.app, w.mon)
	if _, err := w.center.AddQueue(ctx, callcenter.Queue{Name: "shop", BrandID: w.brand, Ring: 20 * time.Second, MaxWait: 30 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	return w
}

// sipAgent gives the brand agent1 on a baresip phone (600 Hz), registered and available.
func (w *world) sipAgent() {
	w.t.Helper()
	ctx := context.Background()
	agents := w.center.Agents
	u, err := w.acc.CreateUser(ctx, "agent1@example.com", "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := agents.SetSIPSecret(ctx, u.ID, "agent1", "sip-secret-agent1"); err != nil {
		w.t.Fatal(err)
	}
	w.agent = telephonytest.StartPhone(w.t, telephonytest.PhoneOptions{User: "agent1", Tone: agentHz, Registrar: w.eng.Addr(), Password: "sip-secret-agent1"})
	telephonytest.WaitRegistered(w.t, w.eng.Registrar(), "agent1", w.agent)
	if err := agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
		w.t.Fatal(err)
	}
}

// liveCall has the customer's phone dial the hotline and waits until the call is bridged.
func (w *world) liveCall(customer *telephonytest.Phone) int64 {
	w.t.Helper()
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		w.t.Fatalf("dial: %v %s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		calls, err := w.center.Calls.List(context.Background(), access.Operator(), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(calls) == 1 {
			if _, ok := w.center.LiveCall(calls[0].ID); ok {
				return calls[0].ID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatal("the hotline call was not bridged to the agent in 20 s")
	return 0
}

// session logs a user in and returns a function that sends API requests as their page does.
func (w *world) session(email string, role access.Role, brands ...int64) (access.User, func(method, path, body string) (int, string)) {
	w.t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, email, "a login password 1", role, brands)
	if err != nil {
		w.t.Fatal(err)
	}
	return u, w.login(email)
}

// login logs a user in and returns a function that sends API requests as their page does.
func (w *world) login(email string) func(method, path, body string) (int, string) {
	w.t.Helper()
	sess, err := w.acc.Login(context.Background(), email, "a login password 1")
	if err != nil {
		w.t.Fatal(err)
	}
	return func(method, path, body string) (int, string) {
		w.t.Helper()
		req := httptest.NewRequest(method, "http://wismo.test"+path, strings.NewReader(body))
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
		req.Header.Set("Origin", "http://wismo.test")
		req.Header.Set(access.CSRFHeader, sess.CSRF)
		req.Header.Set("Content-Type", "application/json")
		res, err := w.app.Test(req, -1)
		if err != nil {
			w.t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
}

// ear is the supervisor's browser: a pion peer that says a tone and keeps what it hears
// with when it arrived.
type ear struct {
	pc    *webrtc.PeerConnection
	mu    sync.Mutex
	heard []int16
	at    []time.Time // arrival of each 20 ms frame in heard
}

func newEar(t *testing.T, tone float64) *ear {
	t.Helper()
	api, err := rtcapi.New(func(ip net.IP) bool { return ip.IsLoopback() }, 0, 0) // a browser's offer: PCMU, loopback
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	e := &ear{pc: pc}
	mic, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "mic", "supervisor")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(mic); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() { // the microphone: the tone in 20 ms frames, paced
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-tk.C:
			}
			frame := make([]int16, 160)
			for i := range frame {
				frame[i] = int16(8000 * sin(tone, n*160+i))
			}
			mic.WriteSample(pionmedia.Sample{Data: media.Encode(nil, media.PayloadPCMU, frame), Duration: 20 * time.Millisecond})
		}
	}()
	codecs := media.NewCodecs()
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			for {
				p, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				e.mu.Lock()
				e.heard = codecs.Decode(e.heard, media.PayloadPCMU, p.Payload)
				e.at = append(e.at, time.Now())
				e.mu.Unlock()
			}
		}()
	})
	return e
}

// offer is the page's SDP offer, candidates gathered.
func (e *ear) offer(t *testing.T) string {
	t.Helper()
	o, err := e.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(e.pc)
	if err := e.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return e.pc.LocalDescription().SDP
}

// answer sets the API's answer (a JSON body with "sdp") on the ear's peer connection.
func (e *ear) answer(t *testing.T, body string) {
	t.Helper()
	var out struct{ SDP string }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if err := e.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: out.SDP}); err != nil {
		t.Fatal(err)
	}
}

// endedFor reports whether ss has an ended session of user.
func endedFor(ss []monitor.Session, user int64) bool {
	for _, s := range ss {
		if s.UserID == user && s.EndedAt != nil {
			return true
		}
	}
	return false
}

// between is what the ear heard from from to to.
func (e *ear) between(from, to time.Time) []int16 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []int16
	for i, at := range e.at {
		if !at.Before(from) && at.Before(to) && (i+1)*160 <= len(e.heard) {
			out = append(out, e.heard[i*160:(i+1)*160]...)
		}
	}
	return out
}

// toneSpan is how long before the end of s the tone was first heard, and for how long in
// all (200 ms windows where it is a clear part of the sound).
func toneSpan(s []int16, freq float64) (sinceFirst, total time.Duration) {
	const win = 1600
	first := -1
	n := 0
	for i := 0; i+win <= len(s); i += win {
		if media.RMS(s[i:i+win]) > 100 && media.ToneShare(s[i:i+win], 8000, freq) > 0.15 {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	if first < 0 {
		return 0, 0
	}
	return time.Duration(len(s)-first) * time.Second / 8000, time.Duration(n*win) * time.Second / 8000
}

// TestListenWhisperBarge: in one call between the customer (baresip, 1000 Hz) and the
// agent (baresip, 600 Hz), a supervisor's browser (pion, 1400 Hz) listens, whispers and
// barges in, 4 s each, switching through the API on one WebRTC leg; then the customer hangs
// up. The customer's phone hears the supervisor only while barging, the agent's while
// whispering and barging, the supervisor hears both sides throughout; the recording's right
// channel has the supervisor only while barging, its left never; the session is logged.
func TestListenWhisperBarge(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	w.sipAgent()
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	callID := w.liveCall(customer)
	path := fmt.Sprintf("/api/v1/calls/%d/monitor", callID)

	// Refusals: an agent of the brand, another brand's supervisor, a bad mode.
	other, _, err := w.acc.CreateBrand(context.Background(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	_, asAgent := w.session("agent2@example.com", access.RoleAgent, w.brand)
	_, asOther := w.session("sup@other.example", access.RoleSupervisor, other.ID)
	_, asManager := w.session("manager@example.com", access.RoleBrandManager, w.brand)
	sup, asSup := w.session("sup@example.com", access.RoleSupervisor, w.brand)
	for _, tc := range []struct {
		who  string
		send func(method, path, body string) (int, string)
		body string
		want int
	}{
		{"an agent", asAgent, `{"mode": "listen", "sdp": "v=0"}`, fiber.StatusForbidden},
		{"a brand manager", asManager, `{"mode": "listen", "sdp": "v=0"}`, fiber.StatusForbidden},
		{"another brand's supervisor", asOther, `{"mode": "listen", "sdp": "v=0"}`, fiber.StatusNotFound},
		{"a bad mode", asSup, `{"mode": "shout", "sdp": "v=0"}`, fiber.StatusUnprocessableEntity},
		{"no offer", asSup, `{"mode": "listen"}`, fiber.StatusUnprocessableEntity},
	} {
		if code, body := tc.send("POST", path, tc.body); code != tc.want || (tc.want == 422 && !strings.Contains(body, `"field"`)) {
			t.Errorf("%s: %d %s, want %d", tc.who, code, body, tc.want)
		}
	}
	if code, body := asOther("GET", path, ""); code != fiber.StatusNotFound {
		t.Errorf("another brand's supervisor reading the monitoring log: %d %s", code, body)
	}

	e := newEar(t, supervisorHz)
	code, body := asSup("POST", path, fmt.Sprintf(`{"mode": "listen", "sdp": %q}`, e.offer(t)))
	if code != fiber.StatusCreated {
		t.Fatalf("listen: %d %s", code, body)
	}
	e.answer(t, body)
	if code, _ := asSup("POST", path, fmt.Sprintf(`{"mode": "listen", "sdp": %q}`, "v=0")); code != fiber.StatusConflict {
		t.Errorf("a second session of the same supervisor: %d, want 409", code)
	}
	// A second supervisor whose page closes at once: their session ends while the call goes on.
	sup2, asSup2 := w.session("sup2@example.com", access.RoleSupervisor, w.brand)
	e2 := newEar(t, supervisorHz)
	code, body = asSup2("POST", path, fmt.Sprintf(`{"sdp": %q}`, e2.offer(t)))
	if code != fiber.StatusCreated {
		t.Fatalf("second supervisor: %d %s", code, body)
	}
	e2.answer(t, body)
	closedAt := time.Now()
	go func() { time.Sleep(time.Second); e2.pc.Close() }()
	const phase = 4 * time.Second
	var bounds []time.Time
	for i, mode := range []string{"listen", "whisper", "barge"} {
		if i > 0 {
			if code, body := asSup("PUT", path, `{"mode": "`+mode+`"}`); code != 200 {
				t.Fatalf("%s: %d %s", mode, code, body)
			}
		}
		bounds = append(bounds, time.Now())
		time.Sleep(phase)
	}
	bounds = append(bounds, time.Now())
	if ss, err := w.mon.Sessions(context.Background(), access.Brands(w.brand), callID, 10); err != nil || !endedFor(ss, sup2.ID) {
		t.Errorf("the session of the supervisor whose page closed %v ago is not ended: %+v %v", time.Since(closedAt), ss, err)
	}
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}

	// The supervisor heard both sides in every mode (the first half second of each is left
	// for the switch and the queues).
	for i, mode := range []string{"listen", "whisper", "barge"} {
		s := e.between(bounds[i].Add(500*time.Millisecond), bounds[i+1])
		if len(s) < 8000 {
			t.Errorf("%s: the supervisor heard only %d samples", mode, len(s))
			continue
		}
		for _, f := range []float64{customerHz, agentHz} {
			if share := media.ToneShare(s, 8000, f); share < 0.15 {
				t.Errorf("%s: the supervisor heard %v Hz share %.2f", mode, f, share)
			}
		}
	}
	c := w.waitEnded(callID)
	// The customer: the supervisor only in the last phase (barge), never before.
	for _, ph := range []struct {
		who string
		s   []int16
	}{{"customer", customer.Heard(t)}, {"agent", w.agent.Heard(t)}} {
		first, total := toneSpan(ph.s, supervisorHz)
		t.Logf("%s heard %.1f s; the supervisor first %v before the end, %v in all", ph.who, float64(len(ph.s))/8000, first, total)
	}
	if first, total := toneSpan(customer.Heard(t), supervisorHz); total < phase/2 || first > phase+1500*time.Millisecond {
		t.Errorf("the customer heard the supervisor for %v, first %v before the end; want only the %v of barge", total, first, phase)
	}
	if _, total := toneSpan(customer.Heard(t), agentHz); total < phase {
		t.Errorf("the customer heard the agent for %v only", total)
	}
	// The agent: whisper and barge, not listen.
	if first, total := toneSpan(w.agent.Heard(t), supervisorHz); total < phase+phase/2 || first > 2*phase+1500*time.Millisecond {
		t.Errorf("the agent heard the supervisor for %v, first %v before the end; want the %v of whisper and barge", total, first, 2*phase)
	}
	w.checkRecording(c, phase)
	w.checkLog(callID, sup.ID)
}

// waitEnded waits for the call's log row to be finished.
func (w *world) waitEnded(callID int64) callcenter.Call {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := w.center.Calls.Get(context.Background(), access.Operator(), callID)
		if err != nil {
			w.t.Fatal(err)
		}
		if c.EndedAt != nil && (c.RecordingID != 0 || time.Now().After(deadline)) {
			return c
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("call %d not ended: %+v", callID, c)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkRecording: left is the customer alone; right has the agent throughout and the
// supervisor only while barging (whispers are not kept).
func (w *world) checkRecording(c callcenter.Call, phase time.Duration) {
	w.t.Helper()
	rec, err := w.recs.Get(context.Background(), access.Brands(w.brand), c.RecordingID)
	if err != nil {
		w.t.Fatalf("recording of call %d: %v", c.ID, err)
	}
	_, ch, err := media.ReadWAV(rec.Path)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, total := toneSpan(ch[0], supervisorHz); total > 0 {
		w.t.Errorf("the recording's left channel (the customer) has the supervisor for %v", total)
	}
	if first, total := toneSpan(ch[1], supervisorHz); total < phase/2 || first > phase+1500*time.Millisecond {
		w.t.Errorf("the recording's right channel has the supervisor for %v, first %v before the end; want the %v of barge", total, first, phase)
	}
	if _, total := toneSpan(ch[1], agentHz); total < 2*phase {
		w.t.Errorf("the recording's right channel has the agent for %v only", total)
	}
}

// checkLog: the supervisor's one session row with its three modes in order, ended.
func (w *world) checkLog(callID, userID int64) {
	w.t.Helper()
	var mine []monitor.Session
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ss, err := w.mon.Sessions(context.Background(), access.Brands(w.brand), callID, 10)
		if err != nil {
			w.t.Fatal(err)
		}
		mine = mine[:0]
		for _, s := range ss {
			if s.UserID == userID {
				mine = append(mine, s)
			}
		}
		if endedFor(mine, userID) || time.Now().After(deadline) {
			break
		}
	}
	if len(mine) != 1 {
		w.t.Fatalf("monitoring log of user %d: %+v", userID, mine)
	}
	s := mine[0]
	var modes []string
	for _, m := range s.Modes {
		modes = append(modes, m.Mode)
	}
	if s.BrandID != w.brand || s.Mode != "barge" || strings.Join(modes, ",") != "listen,whisper,barge" ||
		s.EndedAt == nil || s.EndedAt.Before(s.StartedAt) || s.Modes[2].At.Before(s.Modes[1].At) {
		w.t.Errorf("monitoring session: %+v", s)
	}
}

func sin(freq float64, i int) float64 { return math.Sin(2 * math.Pi * freq * float64(i) / 8000) }

// TestConferenceNumber: the agent on a call adds an external number (a baresip behind the
// trunk, 1800 Hz) through the API; it joins as a barge leg: the customer and the agent hear
// it, it hears both; the conference is a completed call_transfers row, ended with the call.
func TestConferenceNumber(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "baresip", "baresip-core")
	guest := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: guestE164, Tone: guestHz})
	w := newWorld(t, telephony.Trunk{URI: fmt.Sprintf("sip:127.0.0.1:%d", guest.SIPPort)})
	w.sipAgent()
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customerE164, Tone: customerHz})
	callID := w.liveCall(customer)
	path := fmt.Sprintf("/api/v1/calls/%d/conference", callID)
	asAgent := w.login("agent1@example.com")
	_, asOtherAgent := w.session("agent2@example.com", access.RoleAgent, w.brand)
	if code, body := asOtherAgent("POST", path, `{"to": "`+guestE164+`"}`); code != fiber.StatusForbidden {
		t.Errorf("an agent not on the call: %d %s", code, body)
	}
	if code, body := asAgent("POST", path, `{"to": "12345"}`); code != fiber.StatusUnprocessableEntity || !strings.Contains(body, `"to"`) {
		t.Errorf("a number that is not E.164: %d %s", code, body)
	}
	code, body := asAgent("POST", path, `{"to": "`+guestE164+`"}`)
	if code != fiber.StatusCreated || !strings.Contains(body, `"outcome":"completed"`) {
		t.Fatalf("conference: %d %s", code, body)
	}
	time.Sleep(4 * time.Second)
	if _, err := customer.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
	w.waitEnded(callID)
	hears(t, "the customer", customer, agentHz, guestHz)
	hears(t, "the agent", w.agent, customerHz, guestHz)
	hears(t, "the added number", guest, customerHz, agentHz)
	var kind, to, outcome string
	var ended *time.Time
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := w.db.SQL.QueryRowContext(context.Background(), w.db.Rebind(`SELECT kind, to_number, outcome, ended_at FROM call_transfers WHERE call_id = ? AND brand_id = ?`),
			callID, w.brand).Scan(&kind, &to, &outcome, &ended)
		if err != nil {
			t.Fatal(err)
		}
		if ended != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if kind != "conference" || to != guestE164 || outcome != "completed" || ended == nil {
		t.Errorf("call_transfers row: %s %s %s ended %v", kind, to, outcome, ended)
	}
}

// hears asserts phone heard each of tones for at least 2 s of the call.
func hears(t *testing.T, who string, phone *telephonytest.Phone, tones ...float64) {
	t.Helper()
	s := phone.Heard(t)
	for _, f := range tones {
		if _, total := toneSpan(s, f); total < 2*time.Second {
			t.Errorf("%s heard %v Hz for %v only", who, f, total)
		}
	}
}
