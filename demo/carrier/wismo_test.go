package carrier

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
)

// The test's parties: what the agent's phone says, the hotline, and a demo customer.
const (
	agentTone = 600.0
	hotline   = "+78005550100"
	customer  = "+79131234563" // a person (last digit 3), Russian
)

// world is wismo's call center (database, call control, SIP endpoint) whose trunk is the demo
// carrier, and one agent on a baresip phone.
type world struct {
	t       *testing.T
	acc     *access.Service
	cases   *tracking.Service
	center  *callcenter.Center
	eng     *telephony.Endpoint
	recs    *recordings.Service
	car     *Carrier
	brand   int64
	agentID int64
	agent   *telephonytest.Phone
	// hotlineOn lets the carrier's demo customers call (Hotline.Ready asks it first).
	hotlineOn atomic.Bool
	stop      context.CancelFunc // stops the carrier
	stopped   chan error         // Run's result
}

func newWorld(t *testing.T, timing Timing) *world {
	t.Helper()
	telephonytest.Require(t, "baresip", "baresip-core")
	db, log := storetest.Open(t), storetest.Logger(t)
	ctx := context.Background()
	w := &world{t: t, acc: access.NewService(db), cases: tracking.NewService(db, log, nil), stopped: make(chan error, 1)}
	b, _, err := w.acc.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	w.brand = b.ID
	w.car, err = New(Config{Addr: "127.0.0.1:0", Timing: timing}, log)
	if err != nil {
		t.Fatal(err)
	}
	w.recs = recordings.NewService(db, t.TempDir(), log)
	agents := callcenter.NewAgents(db, "wismo", w.acc)
	w.center = callcenter.NewCenter(callcenter.Config{CustomerRing: 10 * time.Second}, db, agents, w.recs, w.cases, log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	w.eng, err = telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200,
		Trunk: telephony.Trunk{URI: w.car.URI(), CallerID: "+74950000000"}, NoRTPTimeout: 5 * time.Second}, log, agents, w.center)
	if err != nil {
		t.Fatal(err)
	}
	w.center.Attach(ctx, w.eng)
	sctx, stopSIP := context.WithCancel(ctx)
	go w.eng.Serve(sctx)
	t.Cleanup(func() { stopSIP(); w.eng.Close() })
	if _, err := w.center.AddQueue(ctx, callcenter.Queue{Name: "demo hotline", Ring: 10 * time.Second, MaxWait: time.Minute}, hotline); err != nil {
		t.Fatal(err)
	}
	cctx, stop := context.WithCancel(ctx)
	w.stop = stop
	go func() {
		w.stopped <- w.car.Run(cctx, &Hotline{Every: time.Second, Target: "sip:" + hotline + "@" + w.eng.Addr(),
			Callers: func(context.Context) ([]string, error) { return []string{customer}, nil },
			Ready: func(ctx context.Context) (bool, error) {
				if !w.hotlineOn.Load() {
					return false, nil
				}
				return w.center.Reachable(ctx)
			}})
	}()
	t.Cleanup(func() { stop(); <-w.stopped })
	w.agentID, w.agent = w.newAgent("agent1")
	return w
}

// newAgent creates an agent user of the brand whose baresip registers with wismo and says
// agentTone.
func (w *world) newAgent(name string) (int64, *telephonytest.Phone) {
	w.t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{w.brand})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.center.Agents.SetSIPSecret(ctx, u.ID, name, "sip-secret-"+name); err != nil {
		w.t.Fatal(err)
	}
	ph := telephonytest.StartPhone(w.t, telephonytest.PhoneOptions{User: name, Tone: agentTone, Registrar: w.eng.Addr(), Password: "sip-secret-" + name})
	telephonytest.WaitRegistered(w.t, w.eng.Registrar(), name, ph)
	return u.ID, ph
}

// available makes the agent available again (after the wrap-up of the last call).
func (w *world) available() {
	w.t.Helper()
	if err := w.center.Agents.SetState(context.Background(), w.agentID, callcenter.Available); err != nil {
		w.t.Fatal(err)
	}
}

// preview has the agent call number through the carrier and returns the logged call.
func (w *world) preview(number string) callcenter.Call {
	w.t.Helper()
	w.available()
	c, err := w.center.Preview(context.Background(), callcenter.OutboundRequest{AgentID: w.agentID, BrandID: w.brand, To: number})
	if err != nil {
		w.t.Fatalf("preview call to %s: %v", number, err)
	}
	return c
}

// channels returns the recording of call c: the customer's channel and the agent's.
func (w *world) channels(c callcenter.Call) (customer, agent []int16) {
	w.t.Helper()
	if c.RecordingID == 0 {
		w.t.Fatalf("call %d has no recording: %+v", c.ID, c)
	}
	rec, err := w.recs.Get(context.Background(), access.Operator(), c.RecordingID)
	if err != nil {
		w.t.Fatal(err)
	}
	_, ch, err := media.ReadWAV(rec.Path)
	if err != nil {
		w.t.Fatal(err)
	}
	return ch[0], ch[1]
}

// heardClip reports whether samples hold a loud 20 ms frame of clip sample for sample: what
// the carrier sent, relayed and recorded by wismo untouched (PCMU end to end).
func heardClip(samples []int16, clip []byte) bool {
	pcm := decode(clip)
	for f := 0; f+frameBytes <= len(pcm); f += frameBytes {
		frame := pcm[f : f+frameBytes]
		if media.RMS(frame) < 2000 {
			continue
		}
	search:
		for p := 0; p+frameBytes <= len(samples); p++ {
			for i, s := range frame {
				if samples[p+i] != s {
					continue search
				}
			}
			return true
		}
	}
	return false
}

// beepIn reports whether some 200 ms of samples are the voicemail's beep.
func beepIn(samples []int16) bool {
	for p := 0; p+1600 <= len(samples); p += 400 {
		if media.ToneShare(samples[p:p+1600], 8000, beepHz) > 0.8 {
			return true
		}
	}
	return false
}

// TestCarrierWithWismo: wismo's call center with the demo carrier as its trunk and a baresip
// agent. Preview calls to the carrier's numbers end as the README's rule says, with the
// carrier's voices recorded in the customer's channel; the carrier's demo customer calls the
// hotline from a parcel's number and reaches the agent, and hangs up by itself; stopping the
// carrier hangs up its calls and frees its socket.
func TestCarrierWithWismo(t *testing.T) {
	storetest.OnePass(t)
	w := newWorld(t, Timing{PersonRing: 500 * time.Millisecond, PersonTalk: time.Minute, VoicemailRing: 500 * time.Millisecond,
		VoicemailListen: time.Second, NoAnswerRing: time.Second, HotlineCall: 12 * time.Second})
	ru := w.car.voices["ru"]

	t.Run("a person answers and talks", func(t *testing.T) {
		go func() {
			time.Sleep(9 * time.Second) // past the person's hello, then the agent hangs up
			w.agent.Command("hangup", "")
		}()
		c := w.preview(customer)
		if c.Outcome != callcenter.Answered || c.HangupSide != callcenter.LegAgent || c.SIPStatus != 200 {
			t.Fatalf("call: %+v", c)
		}
		left, right := w.channels(c)
		if !heardClip(left, ru.personHello) {
			t.Errorf("the customer's channel lacks the person's Russian hello (RMS %.0f)", media.RMS(left))
		}
		if s := media.ToneShare(right[len(right)/2:], 8000, agentTone); s < 0.4 {
			t.Errorf("the agent's channel: %v Hz share %.2f", agentTone, s)
		}
	})
	t.Run("voicemail: a greeting, a beep, then the machine hangs up", func(t *testing.T) {
		c := w.preview("+79131234562")
		if c.Outcome != callcenter.Answered || c.HangupSide != callcenter.LegCustomer {
			t.Fatalf("call: %+v", c)
		}
		left, _ := w.channels(c)
		if !heardClip(left, ru.voicemail) || !beepIn(left) {
			t.Errorf("the customer's channel lacks the voicemail greeting or its beep")
		}
	})
	t.Run("busy", func(t *testing.T) {
		if c := w.preview("+79131234560"); c.Outcome != callcenter.Busy || c.SIPStatus != 486 {
			t.Fatalf("call: %+v", c)
		}
	})
	t.Run("no answer", func(t *testing.T) {
		if c := w.preview("+79131234561"); c.Outcome != callcenter.NoAnswer || c.SIPStatus != 480 {
			t.Fatalf("call: %+v", c)
		}
	})
	t.Run("a demo customer calls the hotline", func(t *testing.T) {
		w.center.SetBrand(context.Background(), w.brand, callcenter.BrandSettings{RecordingNotice: true, Open: "00:00", Close: "24:00", TimeZone: "UTC"})
		if res, err := w.cases.UpsertParcels(context.Background(), access.Brands(w.brand), []tracking.ParcelItem{{Input: tracking.ParcelInput{
			ID: "RB123456785GB", ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "RU",
			Recipient: tracking.RecipientInput{Name: "Иван Петров", Phone: customer, Region: "RU-NVS"}}}}); err != nil || res[0].Status != tracking.StatusAccepted {
			t.Fatalf("parcel: %+v %v", res, err)
		}
		w.available()
		w.hotlineOn.Store(true)
		c := w.inbound(45 * time.Second)
		w.hotlineOn.Store(false)
		if c.Outcome != callcenter.Answered || c.AgentID != w.agentID || c.From != customer || c.To != hotline ||
			c.ParcelID != "RB123456785GB" || c.BrandID != w.brand || c.HangupSide != callcenter.LegCustomer {
			t.Fatalf("hotline call: %+v", c)
		}
		left, _ := w.channels(c)
		if !heardClip(left, ru.callerComplaint) && !heardClip(left, ru.callerBye) {
			t.Errorf("the customer's channel lacks the demo customer's words (RMS %.0f)", media.RMS(left))
		}
	})
	t.Run("stopping the carrier hangs up its calls", func(t *testing.T) {
		ended := make(chan callcenter.Call, 1)
		go func() { ended <- w.preview("+79131234569") }()
		w.waitAnswered(15 * time.Second)
		w.stop()
		select {
		case err := <-w.stopped:
			w.stopped <- err // for the cleanup
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the carrier did not stop")
		}
		c := <-ended
		if c.Outcome != callcenter.Answered || c.HangupSide != callcenter.LegCustomer || c.EndedAt.Sub(*c.AnsweredAt) >= time.Minute {
			t.Fatalf("call cut by the carrier's stop: %+v", c)
		}
		l, err := net.ListenPacket("udp4", w.car.Addr())
		if err != nil {
			t.Fatalf("the carrier's socket is still bound: %v", err)
		}
		l.Close()
	})
}

// inbound waits for the first hotline call to end and returns it.
func (w *world) inbound(within time.Duration) callcenter.Call {
	w.t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(200 * time.Millisecond) {
		calls, err := w.center.Calls.List(context.Background(), access.Operator(), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(calls) > 0 && calls[len(calls)-1].EndedAt != nil {
			return calls[len(calls)-1]
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no finished hotline call in %v: %+v", within, calls)
		}
	}
}

// waitAnswered waits until an outbound call is up.
func (w *world) waitAnswered(within time.Duration) {
	w.t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(100 * time.Millisecond) {
		calls, err := w.center.Calls.List(context.Background(), access.Operator(), callcenter.CallFilter{Direction: callcenter.Outbound})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, c := range calls {
			if c.AnsweredAt != nil && c.EndedAt == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no call answered in %v", within)
		}
	}
}
