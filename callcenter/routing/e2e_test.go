package routing

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const (
	hotline  = "+74951112233"
	customer = "+79131234567" // the recipient's phone of trackingtest.Parcel: a Russian speaker in Novosibirsk
	parcelID = "RB123456785GB"
)

// The recorded fragments of the announcement: each a tone of its own, so the order the caller
// heard them in can be read off the caller's own recording.
var fragmentTones = []struct {
	name string
	hz   float64
}{{FragYouAre, 1300}, {FragNumber(1), 1700}, {FragInQueue, 2100}, {FragWaitAbout, 2500}, {FragMinutes(1), 2900}}

// hotlineFloor is a SIP endpoint with call control, the router and the announcer, brand A's
// Russian-speaking recipient and queue.
type hotlineFloor struct {
	t      *testing.T
	e      *trackingtest.Env
	center *callcenter.Center
	eng    *telephony.Endpoint
	svc    *Service
	queue  callcenter.Queue
}

func newHotlineFloor(t *testing.T, trunk telephony.Trunk) *hotlineFloor {
	t.Helper()
	telephonytest.Require(t, "baresip", "baresip-core")
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(parcelID))
	log := storetest.Logger(t)
	ctx := context.Background()
	agents := callcenter.NewAgents(e.DB, "wismo", e.Access)
	center := callcenter.NewCenter(callcenter.Config{}, e.DB, agents, recordings.NewService(e.DB, t.TempDir(), log), e.Tracking, log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200, Realm: "wismo",
		NoRTPTimeout: 5 * time.Second, Trunk: trunk}, log, agents, center)
	if err != nil {
		t.Fatal(err)
	}
	center.Attach(ctx, eng)
	sctx, stop := context.WithCancel(ctx)
	go eng.Serve(sctx)
	t.Cleanup(func() { stop(); eng.Close() })

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, strconv.FormatInt(e.BrandA, 10)), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range fragmentTones {
		wav := ivr.WAV(tone(f.hz, 600*time.Millisecond))
		if err := os.WriteFile(filepath.Join(dir, strconv.FormatInt(e.BrandA, 10), f.name+".ru.wav"), wav, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The queue's offer to be called back is recorded too: synthesising it on a loaded machine
	// can take the seconds the test gives the announcements.
	if err := os.WriteFile(filepath.Join(dir, strconv.FormatInt(e.BrandA, 10), "queue.press1.ru.wav"), ivr.WAV(tone(1000, time.Second)), 0o644); err != nil {
		t.Fatal(err)
	}
	prompts, err := ivr.New(ivr.Config{Dir: dir, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(e.DB)
	router := NewRouter(svc, e.Tracking, log)
	center.UseRouter(router)
	center.UseQueueWait((&ivr.QueueOffer{Eng: eng, Prompts: prompts, Announce: (&Announcer{Router: router, Prompts: prompts}).Announce}).Wait)
	q, err := center.AddQueue(ctx, callcenter.Queue{Name: "A support", BrandID: e.BrandA, Ring: 8 * time.Second, MaxWait: 90 * time.Second}, hotline)
	if err != nil {
		t.Fatal(err)
	}
	return &hotlineFloor{t: t, e: e, center: center, eng: eng, svc: svc, queue: q}
}

// agent makes an agent of brand A speaking langs, with a registered baresip that answers and
// says hz, available and idle since idleSince.
func (f *hotlineFloor) agent(name string, langs []string, hz float64, idleSince time.Time) int64 {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.e.Access.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{f.e.BrandA})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.center.Agents.SetSIPSecret(ctx, u.ID, name, "sip-secret-"+name); err != nil {
		f.t.Fatal(err)
	}
	ph := telephonytest.StartPhone(f.t, telephonytest.PhoneOptions{User: name, Registrar: f.eng.Addr(), Password: "sip-secret-" + name, Tone: hz})
	telephonytest.WaitRegistered(f.t, f.eng.Registrar(), name, ph)
	if _, err := f.svc.SetAgent(ctx, AgentRouting{UserID: u.ID, BrandID: f.e.BrandA, Languages: langs}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.center.Agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.e.DB.SQL.ExecContext(ctx, f.e.DB.Rebind(`UPDATE agent_states SET idle_since = ? WHERE user_id = ?`), idleSince, u.ID); err != nil {
		f.t.Fatal(err)
	}
	return u.ID
}

// call dials the hotline from the recipient's phone, hangs up after talk once an agent
// answered, and returns the logged call with its legs and the phone.
func (f *hotlineFloor) call(ctx context.Context, talk time.Duration) (callcenter.Call, *telephonytest.Phone) {
	f.t.Helper()
	before, _ := f.center.Calls.List(ctx, access.Brands(f.e.BrandA), callcenter.CallFilter{Direction: callcenter.Inbound})
	ph := telephonytest.StartPhone(f.t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	if out, err := ph.Command("dial", "sip:"+hotline+"@"+f.eng.Addr()); err != nil {
		f.t.Fatalf("dial: %v %s", err, out)
	}
	hungUp := false
	for {
		calls, err := f.center.Calls.List(ctx, access.Brands(f.e.BrandA), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(calls) > len(before) {
			c := calls[0]
			if c.EndedAt != nil {
				full, err := f.center.Calls.Get(ctx, access.Brands(f.e.BrandA), c.ID)
				if err != nil {
					f.t.Fatal(err)
				}
				return full, ph
			}
			if !hungUp && agentAnswered(ctx, f, c.ID) {
				hungUp = true
				go func() {
					time.Sleep(talk)
					ph.Command("hangup", "") //nolint:errcheck // the call's end is checked in the log
				}()
			}
		}
		select {
		case <-ctx.Done():
			f.t.Fatalf("the hotline call did not end: %+v\n%s", calls, ph.Output())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// agentAnswered reports whether an agent leg of call id has answered.
func agentAnswered(ctx context.Context, f *hotlineFloor, id int64) bool {
	var n int
	f.e.DB.SQL.QueryRowContext(ctx, f.e.DB.Rebind(`SELECT COUNT(*) FROM call_legs WHERE call_id = ? AND kind = 'agent' AND answered_at IS NOT NULL`), id).Scan(&n) //nolint:errcheck // 0 on error
	return n > 0
}

// TestRussianCallerReachesTheRussianAgentThenAnyoneAfterTheWait (issue 19 item 2, real peers:
// baresip callers and agents): the recipient speaks Russian (their parcel goes to Russia); the
// brand has an English-only agent idle for an hour and a Russian-speaking one idle for a minute.
// The first call rings the Russian speaker only. The second, with the Russian speaker busy
// (wrapping up), waits the queue's 22 s, hears its place and expected wait from the recorded
// fragments in order, every 15 s (twice), and then reaches the English agent.
func TestRussianCallerReachesTheRussianAgentThenAnyoneAfterTheWait(t *testing.T) {
	storetest.OnePass(t)
	f := newHotlineFloor(t, telephony.Trunk{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	if _, err := f.svc.SetQueue(ctx, QueueRouting{QueueID: f.queue.ID, Fallback: 22 * time.Second, Announce: 15 * time.Second}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	en := f.agent("english", []string{"en"}, 600, now.Add(-time.Hour))
	ru := f.agent("russian", []string{"ru", "en"}, 450, now.Add(-time.Minute))

	first, _ := f.call(ctx, 3*time.Second)
	if first.AgentID != ru || first.Outcome != callcenter.Answered || first.ParcelID != parcelID {
		t.Fatalf("first call: agent %d outcome %s parcel %q; want the Russian speaker %d (the English agent %d was idle longer)",
			first.AgentID, first.Outcome, first.ParcelID, ru, en)
	}
	for _, l := range first.Legs {
		if l.Kind == callcenter.LegAgent && l.AgentID != ru {
			t.Fatalf("the first call rang agent %d: %+v", l.AgentID, first.Legs)
		}
	}
	// The Russian speaker now wraps up (busy, still signed in): the next call waits for them.
	if a, _ := f.center.Agents.Get(ctx, ru); a.State != callcenter.WrapUp {
		t.Fatalf("the Russian agent is %s after the call, want wrap_up", a.State)
	}

	second, phone := f.call(ctx, 2*time.Second)
	if second.AgentID != en || second.Outcome != callcenter.Answered {
		t.Fatalf("second call: agent %d outcome %s; want the English agent %d after the wait", second.AgentID, second.Outcome, en)
	}
	var agentAt time.Time
	for _, l := range second.Legs {
		if l.Kind == callcenter.LegAgent && l.AnsweredAt != nil {
			agentAt = *l.AnsweredAt
		}
	}
	if second.AnsweredAt == nil || agentAt.Sub(*second.AnsweredAt) < 22*time.Second {
		t.Fatalf("the English agent answered %v after the caller was answered: want at least the queue's 22 s wait", agentAt.Sub(*second.AnsweredAt))
	}
	// What the caller heard: the fragments, in order ("Ваш номер" "1" "в очереди." "Ожидание — около" "1 минуты.").
	heard := tonesHeard(phone.Heard(t))
	want := make([]float64, len(fragmentTones))
	for i, ft := range fragmentTones {
		want[i] = ft.hz
	}
	if n := runs(heard, want); n < 2 {
		t.Fatalf("the caller heard the tones %v: the announcement's fragments %v in order %d times, want twice (every 15 s)", heard, want, n)
	}
}

// tone is a sine of hz for d at 8 kHz.
func tone(hz float64, d time.Duration) []int16 {
	out := make([]int16, int(d.Seconds()*8000))
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return out
}

// tonesHeard lists the fragment tones heard, one entry per run of 100 ms windows dominated by one.
func tonesHeard(s []int16) []float64 {
	var out []float64
	for i := 0; i+800 <= len(s); i += 800 {
		for _, ft := range fragmentTones {
			if media.ToneShare(s[i:i+800], 8000, ft.hz) > 0.5 {
				if len(out) == 0 || out[len(out)-1] != ft.hz {
					out = append(out, ft.hz)
				}
			}
		}
	}
	return out
}

// runs counts the times want appears in got as a contiguous run.
func runs(got, want []float64) int {
	n := 0
	for i := 0; i+len(want) <= len(got); i++ {
		if slices.Equal(got[i:i+len(want)], want) {
			n++
		}
	}
	return n
}

// TestProgressiveCallPrefersTheLanguageButNeverWaits: a progressive call to the Russian
// recipient (a baresip customer behind the trunk, baresip agents) reserves the Russian speaker,
// not the English agent idle an hour longer; with the Russian speaker wrapping up, the next
// call goes to the English agent at once (outbound customers wait for no language).
func TestProgressiveCallPrefersTheLanguageButNeverWaits(t *testing.T) {
	storetest.OnePass(t)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	f := newHotlineFloor(t, telephony.Trunk{URI: "sip:127.0.0.1:" + strconv.Itoa(phone.SIPPort)})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	now := time.Now().UTC()
	en := f.agent("english", []string{"en"}, 600, now.Add(-time.Hour))
	ru := f.agent("russian", []string{"ru"}, 450, now.Add(-time.Minute))
	place := func() callcenter.Call {
		t.Helper()
		go func() {
			time.Sleep(4 * time.Second)
			phone.Command("hangup", "") //nolint:errcheck // the call's end is checked in the log
		}()
		c, err := f.center.Progressive(ctx, callcenter.OutboundRequest{BrandID: f.e.BrandA, ParcelID: parcelID, To: customer, Language: "ru"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := place(); c.AgentID != ru || c.Outcome != callcenter.Answered {
		t.Fatalf("first call: agent %d outcome %s; want the Russian speaker %d (the English agent %d was idle longer)", c.AgentID, c.Outcome, ru, en)
	}
	// Had the router held it for the Russian speaker, Progressive would find no agent (ErrNoAgent).
	if c := place(); c.AgentID != en || c.Outcome != callcenter.Answered {
		t.Fatalf("second call with the Russian speaker wrapping up: agent %d outcome %s; want the English agent %d", c.AgentID, c.Outcome, en)
	}
}

// TestBlindTransferToQueueReachesTheRussianSpeaker (real peers): an English-only agent talks
// to the Russian recipient and sends them to the queue while two agents are free: the
// English-only one idle for an hour, a Russian speaker for a minute. The transfer goes to the
// Russian speaker, as a hotline caller of the queue would be offered (callcenter.Center.Ranked).
func TestBlindTransferToQueueReachesTheRussianSpeaker(t *testing.T) {
	storetest.OnePass(t)
	f := newHotlineFloor(t, telephony.Trunk{})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	now := time.Now().UTC()
	front := f.agent("front", []string{"en"}, 600, now.Add(-3*time.Hour))
	ph := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	if out, err := ph.Command("dial", "sip:"+hotline+"@"+f.eng.Addr()); err != nil {
		t.Fatalf("dial: %v %s", err, out)
	}
	for f.center.Live(front) == nil {
		select {
		case <-ctx.Done():
			t.Fatalf("the first agent never talked to the customer\n%s", ph.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
	en := f.agent("english", []string{"en"}, 700, now.Add(-time.Hour))
	ru := f.agent("russian", []string{"ru", "en"}, 450, now.Add(-time.Minute))
	svc := transfer.New(f.e.DB, f.center, storetest.Logger(t), 8*time.Second)
	tr, err := svc.Start(ctx, &access.User{ID: front, Email: "front@example.com", Role: access.RoleAgent, BrandIDs: []int64{f.e.BrandA}},
		transfer.Request{Kind: transfer.Blind, Target: transfer.Target{QueueID: f.queue.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.ToAgentID != ru {
		t.Fatalf("the transfer to the queue rings agent %d; want the Russian speaker %d (the English agent %d was idle longer)", tr.ToAgentID, ru, en)
	}
	for f.center.Live(ru) == nil {
		select {
		case <-ctx.Done():
			t.Fatalf("the Russian speaker never took the call\n%s", ph.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if _, err := ph.Command("hangup", ""); err != nil {
		t.Fatal(err)
	}
}
