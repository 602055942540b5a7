package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestDemoCarrierOnlyInDemoMode: the demo carrier starts, and takes the trunk's place, in
// demo mode without a trunk only; outside demo mode, or with a real trunk, nothing listens
// and the trunk is left alone.
func TestDemoCarrierOnlyInDemoMode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		demo   bool
		trunk  string
		starts bool
	}{
		{"not demo mode", false, "", false},
		{"not demo mode, a trunk", false, "sip:trunk.example:5060", false},
		{"demo mode with a real trunk", true, "sip:trunk.example:5060", false},
		{"demo mode without a trunk", true, "", true},
	} {
		cfg, err := parse(t, "-demo="+fmt.Sprint(tc.demo), "-trunk-uri", tc.trunk)
		if err != nil {
			t.Fatal(err)
		}
		a := &app{cfg: cfg, log: storetest.Logger(t)}
		d, err := a.openDemoCarrier()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		switch {
		case !tc.starts && (d != nil || cfg.TrunkURI != tc.trunk):
			t.Errorf("%s: a demo carrier started (trunk %q)", tc.name, cfg.TrunkURI)
		case tc.starts && (d == nil || cfg.TrunkURI != d.car.URI() || !strings.HasPrefix(cfg.TrunkURI, "sip:127.0.0.1:")):
			t.Errorf("%s: no demo carrier on loopback as the trunk (trunk %q)", tc.name, cfg.TrunkURI)
		}
		d.stop() // nil-safe; releases a carrier that never ran
	}
}

// TestDemoHotlineOnce: the demo hotline's queue is created on the first start and found on
// the next (on both databases: a unique violation reads differently on each).
func TestDemoHotlineOnce(t *testing.T) {
	db := storetest.Open(t)
	center := callcenter.NewCenter(callcenter.Config{}, db, callcenter.NewAgents(db, "wismo", access.NewService(db)), nil, nil, storetest.Logger(t), nil)
	for start := 1; start <= 2; start++ {
		if err := ensureDemoHotline(context.Background(), center); err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
	}
	var n int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM hotline_numbers WHERE number = '` + demoHotline + `'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("demo hotline numbers: %d %v", n, err)
	}
}

// TestDemoCarrierConfig: the settings name their field when wrong.
func TestDemoCarrierConfig(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"-demo-carrier-addr", "0.0.0.0:5090"}, "WISMO_DEMO_CARRIER_ADDR"},
		{[]string{"-demo-carrier-addr", "localhost"}, "WISMO_DEMO_CARRIER_ADDR"},
		{[]string{"-demo-calls", "sometimes"}, "WISMO_DEMO_CALLS"},
		{[]string{"-demo-calls", "1s"}, "WISMO_DEMO_CALLS"},
	} {
		if _, err := parse(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.field)
		}
	}
	for _, v := range []string{"off", "2m", "every 30s"} {
		if _, err := parse(t, "-demo-calls", v); err != nil {
			t.Errorf("WISMO_DEMO_CALLS=%s refused: %v", v, err)
		}
	}
}

// demoCall is a call of GET /api/v1/calls.
type demoCall struct {
	ID          int64      `json:"id"`
	Direction   string     `json:"direction"`
	AgentID     int64      `json:"agent_id"`
	ParcelID    string     `json:"parcel_id"`
	From        string     `json:"from"`
	To          string     `json:"to"`
	AnsweredAt  *time.Time `json:"answered_at"`
	EndedAt     *time.Time `json:"ended_at"`
	Outcome     string     `json:"outcome"`
	RecordingID int64      `json:"recording_id"`
	Legs        []struct {
		Kind       string     `json:"kind"`
		AnsweredAt *time.Time `json:"answered_at"`
	} `json:"legs"`
}

// agentAnswered reports whether an agent's leg of the call has been answered (the call's own
// row is written at its end).
func (c demoCall) agentAnswered() bool { return c.legAnswered("agent") }

// legAnswered reports whether a leg of kind has been answered.
func (c demoCall) legAnswered(kind string) bool {
	for _, l := range c.Legs {
		if l.Kind == kind && l.AnsweredAt != nil {
			return true
		}
	}
	return false
}

// waitCall polls the agent's call list until pick finds a call, and returns it.
func (a *agentClient) waitCall(within time.Duration, query string, pick func(demoCall) bool) demoCall {
	a.t.Helper()
	var body []byte
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var calls struct{ Calls []demoCall }
		_, body = a.do("GET", "/api/v1/calls"+query, nil)
		json.Unmarshal(body, &calls)
		for _, c := range calls.Calls {
			if pick(c) {
				return c
			}
		}
	}
	a.t.Fatalf("no such call in %v: %s", within, body)
	return demoCall{}
}

// login logs the demo agent in and gives their phone a SIP account.
func demoAgent(t *testing.T, s *server) *agentClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &agentClient{t: t, base: "http://" + s.addr, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	code, body := a.do("POST", "/api/v1/session", map[string]string{"email": "agent@demo.wismo", "password": demo.Password})
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if json.Unmarshal(body, &sess); code != 200 || sess.CSRF == "" {
		t.Fatalf("demo agent login: %d %s", code, body)
	}
	a.csrf = sess.CSRF
	if code, body := a.do("PUT", "/api/v1/agent/sip", map[string]string{"username": "agent9", "secret": "phone-secret-9"}); code != 204 {
		t.Fatalf("set SIP secret: %d %s", code, body)
	}
	return a
}

// available makes the agent available, once their phone has registered.
func (a *agentClient) available() {
	a.t.Helper()
	if code, body := a.do("PUT", "/api/v1/agent/state", map[string]string{"state": "available"}); code != 204 {
		a.t.Fatalf("available: %d %s", code, body)
	}
}

// stopServe sends SIGINT and waits for a clean exit.
func stopServe(t *testing.T, s *server) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGINT)
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("wismo did not stop:\n%s", s.logs)
	}
}

// TestServeDemoCarrier runs `wismo serve -demo` as `make run` does: the agent's preview calls
// go to the demo carrier, whose person answers (the recording's customer channel carries its
// voice) or is busy by the number's last digit; with WISMO_DEMO_CALLS on, a demo customer
// calls the demo hotline from a demo parcel's number and reaches the available agent. The
// carrier stops with the node.
func TestServeDemoCarrier(t *testing.T) {
	storetest.OnePass(t)
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	telephonytest.Require(t, "baresip", "baresip-core")
	bin := buildWismo(t)
	sipAddr := fmt.Sprintf("127.0.0.1:%d", telephonytest.FreeSIPPort(t))
	rtp := telephonytest.FreePort(t, "udp") &^ 1
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + storetest.URL(t), "WISMO_LOG_LEVEL=info",
		"WISMO_SIP_ADDR=" + sipAddr, fmt.Sprintf("WISMO_RTP_PORTS=%d-%d", rtp, rtp+100), "WISMO_DEMO_PARCELS=60"}
	s := startServe(t, bin, append(env, "WISMO_DEMO_CALLS=off"), "-demo")
	if !strings.Contains(s.logs.String(), "demo carrier: calls to phone numbers go to sip:127.0.0.1:") {
		t.Fatalf("no demo carrier in the banner:\n%s", s.logs)
	}
	a := demoAgent(t, s)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent9", Tone: 600, Registrar: sipAddr, Password: "phone-secret-9"})
	a.available()
	preview := func(to string) {
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			code, body := a.do("POST", "/api/v1/agent/calls", map[string]any{"to": to, "brand_id": 1})
			if code == 202 {
				return
			}
			if time.Now().After(deadline) { // the phone may still be registering
				t.Fatalf("preview call to %s: %d %s\n%s", to, code, body, phone.Output())
			}
		}
	}
	preview("+79130000003") // a person
	a.waitCall(40*time.Second, "?direction=outbound", func(c demoCall) bool { return c.To == "+79130000003" && c.legAnswered("customer") })
	time.Sleep(6 * time.Second) // past the person's hello, counted from their answer
	phone.Command("hangup", "")
	c := a.waitCall(40*time.Second, "?direction=outbound", func(c demoCall) bool { return c.To == "+79130000003" && c.EndedAt != nil })
	if c.Outcome != "answered" || c.RecordingID == 0 {
		t.Fatalf("call to the demo person: %+v", c)
	}
	res, err := a.http.Get(fmt.Sprintf("%s/api/v1/recordings/%d/audio", a.base, c.RecordingID))
	if err != nil {
		t.Fatal(err)
	}
	wav, _ := io.ReadAll(res.Body)
	res.Body.Close()
	_, ch, err := media.ParseWAV("recording", wav)
	if err != nil {
		t.Fatalf("recording %d: %v (HTTP %d)", c.RecordingID, err, res.StatusCode)
	}
	if rms, tone := media.RMS(ch[0]), media.ToneShare(ch[0], 8000, 600); rms < 300 || tone > 0.2 {
		t.Errorf("the customer's channel: RMS %.0f (a voice is louder than 300), agent's tone share %.2f", rms, tone)
	}
	if tone := media.ToneShare(ch[1][len(ch[1])/2:], 8000, 600); tone < 0.4 {
		t.Errorf("the agent's channel: 600 Hz share %.2f", tone)
	}
	a.available()
	preview("+79130000000") // busy
	if c := a.waitCall(20*time.Second, "?direction=outbound", func(c demoCall) bool { return c.To == "+79130000000" && c.EndedAt != nil }); c.Outcome != "busy" {
		t.Fatalf("call to the demo busy number: %+v", c)
	}
	stopServe(t, s)
	if !strings.Contains(s.logs.String(), "demo carrier stopped") {
		t.Errorf("the demo carrier did not stop with the node:\n%s", s.logs)
	}

	// Again with the demo calls on: the hotline queue exists from the first start.
	phone.Kill()
	s = startServe(t, bin, append(env, "WISMO_DEMO_CALLS=10s"), "-demo")
	a = demoAgent(t, s)
	phone = telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent9", Tone: 600, Registrar: sipAddr, Password: "phone-secret-9"})
	a.available()
	// The demo's history holds ended hotline calls (self-served ones among them): follow the live
	// one by its id, never "any ended inbound call".
	c = a.waitCall(60*time.Second, "?direction=inbound", func(c demoCall) bool { return c.EndedAt == nil && c.agentAnswered() })
	phone.Command("hangup", "")
	if c.To != demoHotline || !strings.HasPrefix(c.From, "+") || c.ParcelID == "" {
		t.Fatalf("demo hotline call: %+v", c)
	}
	live := c.ID
	c = a.waitCall(20*time.Second, "?direction=inbound", func(c demoCall) bool { return c.ID == live && c.EndedAt != nil })
	if c.Outcome != "answered" || c.AgentID == 0 {
		t.Fatalf("demo hotline call: %+v", c)
	}
	stopServe(t, s)
}
