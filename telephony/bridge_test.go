package telephony_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func startEndpoint(t testing.TB, cfg telephony.Config, creds telephony.Credentials, in telephony.InboundHandler) *telephony.Endpoint {
	t.Helper()
	cfg.ListenAddr = "127.0.0.1:0"
	if cfg.RTPPortMin == 0 {
		p := telephonytest.FreePort(t, "udp") &^ 1
		cfg.RTPPortMin, cfg.RTPPortMax = p, p+200
	}
	e, err := telephony.New(context.Background(), cfg, testLogger(t), creds, in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go e.Serve(ctx)
	t.Cleanup(func() { cancel(); e.Close() })
	return e
}

// refusedReinvite matches a 488 status in baresip's log, not the digits 488 inside a port
// or a bit rate ("receiving from 127.0.0.1:48840", "audio=48872/...").
var refusedReinvite = regexp.MustCompile(`(^|[^0-9:=/.])488 [A-Za-z]`)

// TestBridgeTwoBaresips dials two real phones (customer 1 kHz, agent 600 Hz, different
// codecs so the relay transcodes), bridges and records them, and checks every ear.
func TestBridgeTwoBaresips(t *testing.T) {
	customer := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "customer", Tone: 1000, Codec: "PCMU"})
	agent := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent", Tone: 600, Codec: "PCMA"})
	e := startEndpoint(t, telephony.Config{}, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	a, err := e.Dial(ctx, telephony.DialRequest{To: agent.URI(), RingTimeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatalf("dial agent: %v\n%s", err, agent.Output())
	}
	c, err := e.Dial(ctx, telephony.DialRequest{To: customer.URI(), RingTimeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatalf("dial customer: %v\n%s", err, customer.Output())
	}
	if c.Codec() != media.PayloadPCMU || a.Codec() != media.PayloadPCMA {
		t.Fatalf("codecs: customer %d agent %d", c.Codec(), a.Codec())
	}
	path := filepath.Join(t.TempDir(), "call.wav")
	w, err := media.CreateWAV(path, recordings.Rate, 2)
	if err != nil {
		t.Fatal(err)
	}
	rec := recordings.NewRecorder(w, time.Now())
	bctx, stop := context.WithTimeout(ctx, 4*time.Second)
	go func() {
		// RFC 4733 DTMF from the customer reaches the agent's phone; a re-INVITE (hold and
		// resume, RFC 3264 §8.4) is answered and the call goes on.
		time.Sleep(time.Second)
		customer.Command("sndcode", "5")
		time.Sleep(300 * time.Millisecond)
		customer.Command("hold", "")
		time.Sleep(300 * time.Millisecond)
		customer.Command("resume", "")
	}()
	first := e.Bridge(bctx, c, a, rec)
	stop()
	if !strings.Contains(agent.Output(), "received event: '5'") {
		t.Errorf("the agent's phone got no DTMF 5:\n%s", agent.Output())
	}
	if refusedReinvite.MatchString(customer.Output()) {
		t.Errorf("the hold re-INVITE was refused:\n%s", customer.Output())
	}
	if first != nil {
		t.Fatalf("leg %s ended by %s during the bridge", first.CallID, first.EndedBy())
	}
	if e.Active() != 2 {
		t.Fatalf("active = %d", e.Active())
	}
	c.Hangup(context.WithoutCancel(ctx), "")
	a.Hangup(context.WithoutCancel(ctx), "")
	if c.EndedBy() != telephony.EndedLocal {
		t.Fatalf("customer leg ended by %q", c.EndedBy())
	}
	if _, err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	_, ch, err := media.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch[0]) < 8000 {
		t.Fatalf("recording is %d frames", len(ch[0]))
	}
	if s := media.ToneShare(ch[0][4000:], 8000, 1000); s < 0.5 {
		t.Errorf("left channel (customer) 1 kHz share %.2f", s)
	}
	if s := media.ToneShare(ch[1][4000:], 8000, 600); s < 0.5 {
		t.Errorf("right channel (agent) 600 Hz share %.2f", s)
	}
	if s := media.ToneShare(agent.Heard(t), 8000, 1000); s < 0.3 {
		t.Errorf("the agent's phone heard 1 kHz share %.2f", s)
	}
	if s := media.ToneShare(customer.Heard(t), 8000, 600); s < 0.3 {
		t.Errorf("the customer's phone heard 600 Hz share %.2f", s)
	}
	deadline := time.Now().Add(2 * time.Second)
	for e.Active() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if e.Active() != 0 {
		t.Fatalf("active after hangup = %d", e.Active())
	}
}
