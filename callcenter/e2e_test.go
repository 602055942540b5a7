package callcenter

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
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
	customerTone = 1000.0
	agentTone    = 600.0
	agent2Tone   = 450.0
	customerE164 = "+79131234567"
)

// world is a database, a SIP endpoint with call control, and brand one with its agents.
type world struct {
	t      *testing.T
	db     *store.DB
	acc    *access.Service
	cases  *tracking.Service
	center *Center
	eng    *telephony.Endpoint
	recs   *recordings.Service
	brand  int64
}

func newWorld(t *testing.T, trunk telephony.Trunk, cfg Config) *world {
	t.Helper()
	telephonytest.Require(t, "baresip", "baresip-core")
	db := storetest.Open(t)
	log := storetest.Logger(t)
	if os.Getenv("WISMO_TEST_SIP_DEBUG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx := context.Background()
	w := &world{t: t, db: db, acc: access.NewService(db), cases: tracking.NewService(db, log, nil)}
	b, _, err := w.acc.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	w.brand = b.ID
	w.recs = recordings.NewService(db, t.TempDir(), log)
	agents := NewAgents(db, "wismo", w.acc)
	w.center = NewCenter(cfg, db, agents, w.recs, w.cases, log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	w.eng, err = telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200, Trunk: trunk,
		Realm: "wismo", NoRTPTimeout: 3 * time.Second}, log, agents, w.center)
	if err != nil {
		t.Fatal(err)
	}
	w.center.Attach(ctx, w.eng)
	sctx, cancel := context.WithCancel(ctx)
	go w.eng.Serve(sctx)
	t.Cleanup(func() { cancel(); w.eng.Close() })
	return w
}

// agent creates an agent user of the brand with a SIP account, starts a baresip that
// registers with wismo and says tone, and makes the agent available.
func (w *world) agent(name string, tone float64) (int64, *telephonytest.Phone) {
	w.t.Helper()
	return w.agentPhone(name, telephonytest.PhoneOptions{Tone: tone})
}

// agentPhone is agent with the phone's options given (Manual: it rings, never answers).
func (w *world) agentPhone(name string, o telephonytest.PhoneOptions) (int64, *telephonytest.Phone) {
	w.t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.center.Agents.SetSIPSecret(ctx, u.ID, name, "sip-secret-"+name); err != nil {
		w.t.Fatal(err)
	}
	o.User, o.Registrar, o.Password = name, w.eng.Addr(), "sip-secret-"+name
	ph := telephonytest.StartPhone(w.t, o)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := w.eng.Registrar().Locate(name); ok {
			break
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("agent phone %s did not register in 10 s:\n%s", name, ph.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := w.center.Agents.SetState(ctx, u.ID, Available); err != nil {
		w.t.Fatal(err)
	}
	return u.ID, ph
}

// hangupAfter makes phone hang up after d (the customer hangs up first).
func hangupAfter(t *testing.T, ph *telephonytest.Phone, d time.Duration) {
	go func() {
		time.Sleep(d)
		if _, err := ph.Command("hangup", ""); err != nil {
			t.Logf("hangup: %v", err)
		}
	}()
}

// checkRecording asserts the recording's left channel carries the customer's tone and the
// right the agent's.
func (w *world) checkRecording(c Call, agentHz float64) {
	w.t.Helper()
	rec, err := w.recs.Get(context.Background(), access.Brands(w.brand), c.RecordingID)
	if err != nil {
		w.t.Fatalf("recording of call %d: %v", c.ID, err)
	}
	if rec.DurationMS < 1000 || rec.SizeBytes == 0 || len(rec.SHA256) != 64 {
		w.t.Fatalf("recording row: %+v", rec)
	}
	_, ch, err := media.ReadWAV(rec.Path)
	if err != nil {
		w.t.Fatal(err)
	}
	skip := min(len(ch[0])/4, 4000)
	if s := media.ToneShare(ch[0][skip:], 8000, customerTone); s < 0.4 {
		w.t.Errorf("left channel: customer's %v Hz share %.2f", customerTone, s)
	}
	if s := media.ToneShare(ch[1][skip:], 8000, agentHz); s < 0.4 {
		w.t.Errorf("right channel: agent's %v Hz share %.2f", agentHz, s)
	}
}

// heard asserts phone's own recording carries tone in its last second.
func heard(t *testing.T, ph *telephonytest.Phone, tone float64, who string) {
	t.Helper()
	s := ph.Heard(t)
	if len(s) > 8000 {
		s = s[len(s)-8000:]
	}
	if share := media.ToneShare(s, 8000, tone); share < 0.3 {
		t.Errorf("%s heard %v Hz share %.2f", who, tone, share)
	}
}

func checkTimes(t *testing.T, c Call) {
	t.Helper()
	if c.AnsweredAt == nil || c.EndedAt == nil || c.AnsweredAt.Before(c.StartedAt) || c.EndedAt.Before(*c.AnsweredAt) {
		t.Fatalf("call times: started %v answered %v ended %v", c.StartedAt, c.AnsweredAt, c.EndedAt)
	}
	if c.SIPCallID == "" {
		t.Fatal("no SIP Call-ID logged")
	}
}
