package transfer

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
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
	agentATone   = 600.0
	agentBTone   = 800.0
	customerE164 = "+79131234567"
	hotline      = "+74951112233"
)

// world is a database, a SIP endpoint with call control and transfers, and a brand with a
// hotline queue.
type world struct {
	t      *testing.T
	db     *store.DB
	acc    *access.Service
	center *callcenter.Center
	eng    *telephony.Endpoint
	recs   *recordings.Service
	cases  *tracking.Service
	svc    *Service
	brand  int64
	queue  int64
}

func newWorld(t *testing.T, trunk telephony.Trunk) *world {
	t.Helper()
	telephonytest.Require(t, "baresip", "baresip-core")
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	w := &world{t: t, db: db, acc: access.NewService(db), cases: tracking.NewService(db, log, nil)}
	b, _, err := w.acc.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	w.brand = b.ID
	w.recs = recordings.NewService(db, t.TempDir(), log)
	agents := callcenter.NewAgents(db, "wismo", w.acc)
	w.center = callcenter.NewCenter(callcenter.Config{AgentRing: 10 * time.Second}, db, agents, w.recs, w.cases, log, nil)
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
	q, err := w.center.AddQueue(ctx, callcenter.Queue{Name: "every shop", BrandID: w.brand, Ring: 8 * time.Second, MaxWait: 60 * time.Second}, hotline)
	if err != nil {
		t.Fatal(err)
	}
	w.queue = q.ID
	w.svc = New(db, w.center, log, 5*time.Second)
	return w
}

// agent creates an agent of brand with a SIP phone (baresip, auto-answer) saying tone, and
// makes the agent available.
func (w *world) agent(name string, brand int64, tone float64) (*access.User, *telephonytest.Phone) {
	w.t.Helper()
	return w.agentPhone(name, brand, telephonytest.PhoneOptions{Tone: tone})
}

// agentPhone is agent with the phone's options given (Manual: it rings, never answers).
func (w *world) agentPhone(name string, brand int64, o telephonytest.PhoneOptions) (*access.User, *telephonytest.Phone) {
	w.t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{brand})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.center.Agents.SetSIPSecret(ctx, u.ID, name, "sip-secret-"+name); err != nil {
		w.t.Fatal(err)
	}
	o.User, o.Registrar, o.Password = name, w.eng.Addr(), "sip-secret-"+name
	ph := telephonytest.StartPhone(w.t, o)
	w.eventually(10*time.Second, "agent phone "+name+" registered", func() bool { _, ok := w.eng.Registrar().Locate(name); return ok })
	if err := w.center.Agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
		w.t.Fatal(err)
	}
	return &access.User{ID: u.ID, Email: u.Email, Role: access.RoleAgent, BrandIDs: []int64{brand}}, ph
}

// eventually polls cond every 50 ms until it holds or within passes.
func (w *world) eventually(within time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// customerDials has the customer's phone dial the hotline.
func (w *world) customerDials() *telephonytest.Phone {
	w.t.Helper()
	customer := telephonytest.StartPhone(w.t, telephonytest.PhoneOptions{User: customerE164, Tone: customerTone})
	if out, err := customer.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		w.t.Fatalf("dial: %v %s", err, out)
	}
	return customer
}

// call has the customer dial the hotline and waits until agent a talks to them.
func (w *world) call(a *access.User) *telephonytest.Phone {
	w.t.Helper()
	customer := w.customerDials()
	w.eventually(20*time.Second, "agent talks to the customer", func() bool { return w.center.Live(a.ID) != nil })
	return customer
}

// ended hangs up the customer and waits for the call to be logged as ended.
func (w *world) ended(customer *telephonytest.Phone) callcenter.Call {
	w.t.Helper()
	if _, err := customer.Command("hangup", ""); err != nil {
		w.t.Fatal(err)
	}
	var c callcenter.Call
	w.eventually(15*time.Second, "the call ended", func() bool {
		calls, err := w.center.Calls.List(context.Background(), access.Operator(), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil || len(calls) != 1 || calls[0].EndedAt == nil {
			return false
		}
		c, err = w.center.Calls.Get(context.Background(), access.Operator(), calls[0].ID)
		return err == nil
	})
	return c
}

// done waits for the transfer agent a started to end and returns its row.
func (w *world) done(a *access.User, callID int64) Transfer {
	w.t.Helper()
	w.eventually(20*time.Second, "the transfer ended", func() bool { _, err := w.svc.Current(a); return err == ErrNoTransfer })
	list, err := w.svc.List(context.Background(), access.Brands(w.brand), callID)
	if err != nil || len(list) == 0 {
		w.t.Fatalf("transfers of call %d: %v %v", callID, list, err)
	}
	return list[len(list)-1]
}

// window is the part of audio s (8 kHz, ending at end) between from and to.
func window(s []int16, end, from, to time.Time) []int16 {
	n := len(s)
	i := max(0, n-int(end.Sub(from).Seconds()*8000))
	j := max(i, n-int(end.Sub(to).Seconds()*8000))
	return s[i:min(j, n)]
}

// hears asserts audio s carries tone (share at least 0.4) and not the others listed.
func hears(t *testing.T, who string, s []int16, tone float64, not ...float64) {
	t.Helper()
	if len(s) < 4000 {
		t.Errorf("%s: only %d samples to judge", who, len(s))
		return
	}
	if share := media.ToneShare(s, 8000, tone); share < 0.4 {
		t.Errorf("%s: %v Hz share %.2f, want it heard", who, tone, share)
	}
	for _, hz := range not {
		if share := media.ToneShare(s, 8000, hz); share > 0.1 {
			t.Errorf("%s: %v Hz share %.2f, want it not heard", who, hz, share)
		}
	}
}

// recording is call c's one recording, its channels and end.
func (w *world) recording(c callcenter.Call) [][]int16 {
	w.t.Helper()
	var n int
	if err := w.db.SQL.QueryRow(w.db.Rebind(`SELECT COUNT(*) FROM recordings WHERE call_id = ?`), c.ID).Scan(&n); err != nil || n != 1 {
		w.t.Fatalf("call %d has %d recordings (%v), want one", c.ID, n, err)
	}
	rec, err := w.recs.Get(context.Background(), access.Brands(w.brand), c.RecordingID)
	if err != nil {
		w.t.Fatalf("recording of call %d: %v", c.ID, err)
	}
	_, ch, err := media.ReadWAV(rec.Path)
	if err != nil {
		w.t.Fatal(err)
	}
	return ch
}
