package transfer

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/routing"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// The announcement's fragments as the brand recorded them: each a tone of its own, so what
// the queued customer heard can be read off their phone's recording.
var queueTones = []telephonytest.Tone{
	{Label: routing.FragYouAre, Hz: 1300}, {Label: routing.FragNumber(1), Hz: 1700}, {Label: routing.FragInQueue, Hz: 2100},
	{Label: routing.FragWaitAbout, Hz: 2500}, {Label: routing.FragMinutes(1), Hz: 2900},
}

// announce gives w's center the hotline's router and queue wait as cmd/wismo wires them:
// routing by language and skill, and the place in the queue said between the music.
func (w *world) announce() {
	w.t.Helper()
	dir := t2dir(w.t, w.brand)
	prompts, err := ivr.New(ivr.Config{Dir: dir, Log: storetest.Logger(w.t)})
	if err != nil {
		w.t.Fatal(err)
	}
	router := routing.NewRouter(routing.NewService(w.db), w.cases, storetest.Logger(w.t))
	w.center.UseRouter(router)
	w.center.UseQueueWait((&ivr.QueueOffer{Eng: w.eng, Prompts: prompts,
		Announce: (&routing.Announcer{Router: router, Prompts: prompts}).Announce}).Wait)
}

// t2dir writes the fragments of queueTones (English, 600 ms each) as brand's prompts.
func t2dir(t *testing.T, brand int64) string {
	dir := t.TempDir()
	bdir := filepath.Join(dir, strconv.FormatInt(brand, 10))
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range queueTones {
		s := make([]int16, 4800)
		for i := range s {
			s[i] = int16(8000 * math.Sin(2*math.Pi*f.Hz*float64(i)/8000))
		}
		if err := os.WriteFile(filepath.Join(bdir, f.Label+".en.wav"), ivr.WAV(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// transferRow polls call callID's last transfer until it has an outcome.
func (w *world) transferRow(callID int64) Transfer {
	w.t.Helper()
	var got Transfer
	w.eventually(30*time.Second, "the transfer ended", func() bool {
		list, err := w.svc.List(context.Background(), access.Brands(w.brand), callID)
		if err != nil || len(list) == 0 {
			return false
		}
		got = list[len(list)-1]
		return got.Outcome != ""
	})
	return got
}

// TestBlindTransferQueuesWhenNobodyIsFree: the customer (baresip, 1000 Hz) talks to agent A
// (600 Hz); the queue's only other agent B (800 Hz) is paused. A transfers blind to the
// queue: A is in wrap-up at once, and the customer waits in the queue as a hotline caller
// does, hearing the music and their place ("you are number 1 in the queue"), not silence.
// B becomes available: B's phone rings and answers, and the customer and B hear each other.
// The transfer row names the queue and B (completed); the call has the customer's, A's and
// B's legs and one recording (right channel A, then B).
func TestBlindTransferQueuesWhenNobodyIsFree(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	w.announce()
	ctx := context.Background()
	a, _ := w.agent("agenta", w.brand, agentATone)
	b, phB := w.agent("agentb", w.brand, agentBTone)
	if err := w.center.Agents.SetState(ctx, b.ID, callcenter.Paused); err != nil {
		t.Fatal(err)
	}
	customer := w.call(a)
	time.Sleep(2 * time.Second)
	started := time.Now()
	tr, err := w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{QueueID: w.queue}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.State != StateQueued || tr.ToQueueID != w.queue || tr.ToAgentID != 0 {
		t.Fatalf("started: %+v, want queued in queue %d", tr, w.queue)
	}
	w.eventually(3*time.Second, "A is in wrap-up at once", func() bool {
		ag, err := w.center.Agents.Get(ctx, a.ID)
		return err == nil && ag.State == callcenter.WrapUp
	})
	if _, err := w.svc.Current(a); !errors.Is(err, ErrNoTransfer) {
		t.Errorf("A's current transfer while the customer waits: %v, want none (A is free)", err)
	}
	if w.center.Live(a.ID) != nil {
		t.Errorf("A still talks in the call the customer waits in")
	}
	time.Sleep(8 * time.Second) // the customer waits: the music and the announcement
	list, err := w.svc.List(ctx, access.Brands(w.brand), tr.CallID)
	if err != nil || len(list) != 1 || list[0].Outcome != "" || list[0].Kind != string(Blind) || list[0].ToQueueID != w.queue {
		t.Fatalf("transfer row while queued: %+v %v", list, err)
	}
	queuedUntil := time.Now()
	if err := w.center.Agents.SetState(ctx, b.ID, callcenter.Available); err != nil {
		t.Fatal(err)
	}
	got := w.transferRow(tr.CallID)
	completed := time.Now()
	if got.Outcome != Completed || got.ToAgentID != b.ID || got.FromAgentID != a.ID || got.ToQueueID != w.queue || got.EndedAt == nil {
		t.Fatalf("transfer row: %+v", got)
	}
	time.Sleep(4 * time.Second)
	hungUp := time.Now()
	c := w.ended(customer)

	if c.AgentID != b.ID || c.Outcome != callcenter.Answered || c.HangupSide != callcenter.LegCustomer {
		t.Fatalf("call: agent %d (want B %d), outcome %s, hung up by %s", c.AgentID, b.ID, c.Outcome, c.HangupSide)
	}
	if len(c.Legs) != 3 || c.Legs[0].Kind != callcenter.LegCustomer || c.Legs[1].AgentID != a.ID || c.Legs[2].AgentID != b.ID ||
		c.Legs[1].EndedAt == nil || c.Legs[1].HangupSide != callcenter.LegAgent || c.Legs[1].EndedAt.After(queuedUntil) ||
		c.Legs[2].AnsweredAt == nil || c.Legs[2].AnsweredAt.Before(queuedUntil) || c.Legs[0].Outcome != callcenter.Answered {
		t.Fatalf("legs: %+v", c.Legs)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if ag, _ := w.center.Agents.Get(ctx, id); ag.State != callcenter.WrapUp {
			t.Errorf("agent %d is %s after the call, want wrap_up", id, ag.State)
		}
	}

	margin := 700 * time.Millisecond
	heard := customer.Heard(t)
	waiting := window(heard, hungUp, started.Add(margin), queuedUntil)
	if rms := media.RMS(waiting); rms < 100 {
		t.Errorf("in the queue the customer heard silence (RMS %.0f), want the queue's music", rms)
	}
	for _, hz := range []float64{agentATone, agentBTone} {
		if share := media.ToneShare(waiting, 8000, hz); share > 0.1 {
			t.Errorf("in the queue the customer heard %v Hz (share %.2f), want the queue only", hz, share)
		}
	}
	labels := append([]telephonytest.Tone{{Label: "A", Hz: agentATone}, {Label: "B", Hz: agentBTone}}, queueTones...)
	order := telephonytest.HeardInOrder(heard, labels...)
	if want := []string{"A", routing.FragYouAre, routing.FragNumber(1), routing.FragInQueue, "B"}; !telephonytest.InOrder(order, want) {
		t.Errorf("the customer heard %v, want %v in this order (A, the place in the queue, B)", order, want)
	}
	hears(t, "the customer after B answered", window(heard, hungUp, completed.Add(margin), hungUp.Add(-margin)), agentBTone, agentATone)
	hears(t, "B", window(phB.Heard(t), hungUp, completed.Add(margin), hungUp.Add(-margin)), customerTone, agentATone)

	ch := w.recording(c)
	end := *c.EndedAt
	hears(t, "recording right before", window(ch[1], end, started.Add(-2*time.Second), started.Add(-margin)), agentATone, agentBTone)
	hears(t, "recording left after", window(ch[0], end, completed.Add(margin), hungUp.Add(-margin)), customerTone)
	hears(t, "recording right after", window(ch[1], end, completed.Add(margin), hungUp.Add(-margin)), agentBTone, agentATone)
}

// TestQueueTransferWithNobodyFree: with the queue's only other agent paused, an attended
// transfer to the queue is a 409 that says nobody is free to consult, and A keeps the call;
// a blind one queues the customer, who hangs up there: the call ends abandoned by the
// customer (as a hotline caller who hangs up in the queue), the transfer cancelled, and
// nobody else was rung.
func TestQueueTransferWithNobodyFree(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	a, _ := w.agent("agenta", w.brand, agentATone)
	b, _ := w.agent("agentb", w.brand, agentBTone)
	if err := w.center.Agents.SetState(ctx, b.ID, callcenter.Paused); err != nil {
		t.Fatal(err)
	}
	customer := w.call(a)
	time.Sleep(time.Second)

	_, err := w.svc.Start(ctx, a, Request{Kind: Attended, Target: Target{QueueID: w.queue}})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("attended transfer to a queue with nobody free: %v, want ErrBusy", err)
	}
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { return answer(c, err) })
	res, herr := app.Test(httptest.NewRequest("GET", "/", nil))
	if herr != nil {
		t.Fatal(herr)
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != fiber.StatusConflict || !strings.Contains(string(raw), "nobody in the queue is free to consult") {
		t.Fatalf("attended refusal answered %d %s, want 409 saying nobody is free to consult", res.StatusCode, raw)
	}
	if w.center.Live(a.ID) == nil {
		t.Fatal("A lost the call after the refused transfer")
	}
	if ag, _ := w.center.Agents.Get(ctx, a.ID); ag.State != callcenter.OnCall {
		t.Fatalf("A is %s after the refused transfer, want on_call", ag.State)
	}

	tr, err := w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{QueueID: w.queue}})
	if err != nil || tr.State != StateQueued {
		t.Fatalf("blind transfer: %+v %v, want queued", tr, err)
	}
	w.eventually(3*time.Second, "A is in wrap-up", func() bool {
		ag, err := w.center.Agents.Get(ctx, a.ID)
		return err == nil && ag.State == callcenter.WrapUp
	})
	time.Sleep(3 * time.Second)
	c := w.ended(customer)
	if c.Outcome != callcenter.Abandoned || c.HangupSide != callcenter.LegCustomer || c.AgentID != a.ID {
		t.Fatalf("call: outcome %s hung up by %s agent %d, want abandoned by the customer, A's", c.Outcome, c.HangupSide, c.AgentID)
	}
	if len(c.Legs) != 2 || c.Legs[0].Outcome != callcenter.Abandoned || c.Legs[0].HangupSide != callcenter.LegCustomer ||
		c.Legs[1].AgentID != a.ID || c.Legs[1].HangupSide != callcenter.LegAgent || c.Legs[1].EndedAt.After(*c.Legs[0].EndedAt) {
		t.Fatalf("legs: %+v", c.Legs)
	}
	if got := w.transferRow(c.ID); got.Outcome != Cancelled || got.Kind != string(Blind) || got.ToQueueID != w.queue || got.ToAgentID != 0 {
		t.Fatalf("transfer row: %+v, want cancelled", got)
	}
	if ag, _ := w.center.Agents.Get(ctx, a.ID); ag.State != callcenter.WrapUp {
		t.Errorf("A is %s after the call, want wrap_up", ag.State)
	}
	if ag, _ := w.center.Agents.Get(ctx, b.ID); ag.State != callcenter.Paused {
		t.Errorf("B is %s, want paused still", ag.State)
	}
}

// TestQueuedTransferAtMaxWait: a blind transfer to a queue with nobody free and a 3 s maximum
// wait: as the hotline does at its maximum wait, the customer hears the closed message, a
// callback is planned (reason max_wait) and wismo hangs up; the call ends abandoned by the
// system (timed out in the queue) and the transfer failed.
func TestQueuedTransferAtMaxWait(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, telephony.Trunk{})
	ctx := context.Background()
	short, err := w.center.AddQueue(ctx, callcenter.Queue{Name: "returns", BrandID: w.brand, Ring: 8 * time.Second, MaxWait: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := w.agent("agenta", w.brand, agentATone)
	w.call(a)
	time.Sleep(time.Second)
	tr, err := w.svc.Start(ctx, a, Request{Kind: Blind, Target: Target{QueueID: short.ID}})
	if err != nil || tr.State != StateQueued {
		t.Fatalf("blind transfer: %+v %v, want queued", tr, err)
	}
	got := w.transferRow(tr.CallID)
	if got.Outcome != Failed || got.ToQueueID != short.ID || got.ToAgentID != 0 {
		t.Fatalf("transfer row: %+v, want failed", got)
	}
	var c callcenter.Call
	w.eventually(15*time.Second, "wismo ended the call", func() bool {
		c, err = w.center.Calls.Get(ctx, access.Operator(), tr.CallID)
		return err == nil && c.EndedAt != nil
	})
	if c.Outcome != callcenter.Abandoned || c.HangupSide != callcenter.SideSystem || c.Legs[0].Outcome != callcenter.Abandoned {
		t.Fatalf("call: outcome %s hung up by %s, customer leg %s; want abandoned by the system", c.Outcome, c.HangupSide, c.Legs[0].Outcome)
	}
	var reason string
	if err := w.db.SQL.QueryRow(w.db.Rebind(`SELECT reason FROM callback_requests WHERE call_id = ?`), c.ID).Scan(&reason); err != nil || reason != "max_wait" {
		t.Fatalf("callback request: %q %v, want max_wait", reason, err)
	}
}
