package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// agentClient is a logged-in agent talking to wismo's API with a session cookie.
type agentClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (a *agentClient) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, a.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", a.csrf)
	res, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// TestServeDrainsCalls runs `wismo serve` with a trunk (a baresip customer): an agent logs
// in, sets a SIP secret, registers a baresip phone, becomes available and asks for a preview
// call. SIGTERM arrives mid-call: wismo keeps the call up, and exits only after the customer
// hangs up, with the call logged.
func TestServeDrainsCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	telephonytest.Require(t, "baresip", "baresip-core")
	bin := buildWismo(t)
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "+79131234567", Tone: 1000})
	sipAddr := fmt.Sprintf("127.0.0.1:%d", telephonytest.FreeSIPPort(t))
	rtp := telephonytest.FreePort(t, "udp") &^ 1
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + storetest.URL(t), "WISMO_LOG_LEVEL=info",
		"WISMO_SIP_ADDR=" + sipAddr, fmt.Sprintf("WISMO_RTP_PORTS=%d-%d", rtp, rtp+100),
		fmt.Sprintf("WISMO_TRUNK_URI=sip:127.0.0.1:%d", customer.SIPPort)}
	out, err := exec.Command(bin, append([]string{"brand", "add", "--name", "Drain Shop"}, envFlags(env)...)...).Output()
	if err != nil {
		t.Fatalf("brand add: %v", err)
	}
	var brand struct{ ID int64 }
	json.Unmarshal(out, &brand)
	add := exec.Command(bin, append([]string{"user", "add", "--email", "agent@drain.test", "--role", "agent", "--brand", fmt.Sprint(brand.ID)}, envFlags(env)...)...)
	add.Stdin = strings.NewReader("a long password 1\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	s := startServe(t, bin, env)
	jar, _ := cookiejar.New(nil)
	a := &agentClient{t: t, base: "http://" + s.addr, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	code, body := a.do("POST", "/api/v1/session", map[string]string{"email": "agent@drain.test", "password": "a long password 1"})
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if json.Unmarshal(body, &sess); code != 200 || sess.CSRF == "" {
		t.Fatalf("login: %d %s", code, body)
	}
	a.csrf = sess.CSRF
	if code, body := a.do("PUT", "/api/v1/agent/sip", map[string]string{"username": "agent9", "secret": "phone-secret-9"}); code != 204 {
		t.Fatalf("set SIP secret: %d %s", code, body)
	}
	agent := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent9", Tone: 600, Registrar: sipAddr, Password: "phone-secret-9"})
	if code, body := a.do("PUT", "/api/v1/agent/state", map[string]string{"state": "available"}); code != 204 {
		t.Fatalf("available: %d %s", code, body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body := a.do("POST", "/api/v1/agent/calls", map[string]any{"to": "+79131234567", "brand_id": brand.ID})
		if code == 202 {
			break
		}
		if time.Now().After(deadline) { // the phone may still be registering
			t.Fatalf("preview call: %d %s\n%s", code, body, agent.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	var calls struct {
		Calls []struct {
			AnsweredAt  *time.Time `json:"answered_at"`
			EndedAt     *time.Time `json:"ended_at"`
			Outcome     string
			HangupSide  string `json:"hangup_side"`
			RecordingID int64  `json:"recording_id"`
		}
	}
	for deadline = time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, body := a.do("GET", "/api/v1/calls", nil)
		json.Unmarshal(body, &calls)
		if len(calls.Calls) == 1 && calls.Calls[0].AnsweredAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the customer never answered: %s\n%s", body, s.logs)
		}
	}
	time.Sleep(time.Second)
	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("wismo exited with a call up: %v\n%s", err, s.logs)
	case <-time.After(2 * time.Second):
	}
	customer.Command("hangup", "")
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, s.logs)
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("wismo did not exit after the call ended:\n%s", s.logs)
	}
	if !strings.Contains(s.logs.String(), "draining calls") {
		t.Errorf("no drain logged:\n%s", s.logs)
	}
	// The call was logged to the end before exit: read it back from a fresh start.
	s2 := startServe(t, bin, env)
	a.base = "http://" + s2.addr
	_, body = a.do("GET", "/api/v1/calls", nil)
	json.Unmarshal(body, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0].Outcome != "answered" || calls.Calls[0].HangupSide != "customer" || calls.Calls[0].RecordingID == 0 {
		t.Fatalf("call after restart: %s", body)
	}
	s2.cmd.Process.Kill()
	s2.cmd.Wait()
}
