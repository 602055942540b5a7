package ivr

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
	"github.com/wismo/wismo/trackwords"
)

// selfWorld is brand A's hotline (no agent, a short maximum wait) with self-service, and the
// caller's parcel after a failed delivery attempt (so other days can be chosen).
type selfWorld struct {
	*casestest.Env
	center *callcenter.Center
	eng    *telephony.Endpoint
	self   *SelfService
	days   *deliverydays.Service
	d      *dialer.Service
}

// Tones the brand's recorded prompts are made of in these tests, so the audio the caller
// heard says which prompt played when (the status between them is speech).
const (
	toneGreeting = 500.0
	toneKeyIn    = 800.0
	toneMenu     = 1300.0
)

func newSelfWorld(t *testing.T) *selfWorld {
	t.Helper()
	e := casestest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(item)) // the recipient's phone is the caller's
	at := time.Date(2026, 11, 12, 6, 0, 0, 0, time.UTC)
	for _, c := range []string{"EMA", "EMC", "EMD", "EMG", "EDG", "EMH"} {
		ev := trackingtest.Event(item, c, at.Format(time.RFC3339))
		if c == "EMH" {
			ev.Reason, ev.Action = "ABSENT", "REDELIVERY"
		}
		if res := e.Events(e.ScopeA(), ev); res[0].Status != tracking.StatusAccepted {
			t.Fatalf("event %s: %+v", c, res[0])
		}
		at = at.Add(24 * time.Hour)
	}
	log := storetest.Logger(t)
	w := &selfWorld{Env: e, days: deliverydays.New(e.DB, e.Cases, deliverydays.WithClock(func() time.Time { return e.Now }))}
	agents := callcenter.NewAgents(e.DB, "wismo", e.Access)
	w.center = callcenter.NewCenter(callcenter.Config{}, e.DB, agents, recordings.NewService(e.DB, t.TempDir(), log), e.Tracking, log, nil)
	p := telephonytest.FreePort(t, "udp") &^ 1
	var err error
	w.eng, err = telephony.New(context.Background(), telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200, Realm: "wismo"},
		log, agents, w.center)
	if err != nil {
		t.Fatal(err)
	}
	w.center.Attach(context.Background(), w.eng)
	sctx, stop := context.WithCancel(context.Background())
	go w.eng.Serve(sctx)
	t.Cleanup(func() { stop(); w.eng.Close() })
	dir := t.TempDir()
	for name, f := range map[string]float64{PromptHotlineGreeting: toneGreeting, "selfservice.key_in": toneKeyIn, PromptHotlineMenu: toneMenu} {
		for _, lg := range []string{"en", "ru"} {
			writeTone(t, filepath.Join(dir, strconv.FormatInt(e.BrandA, 10), name+"."+lg+".wav"), f)
		}
	}
	prompts, _ := New(Config{Dir: dir, Log: log})
	if w.d, err = dialer.New(e.DB, log, dialer.Options{Now: func() time.Time { return e.Now }}); err != nil {
		t.Fatal(err)
	}
	w.self = &SelfService{Eng: w.eng, Prompts: prompts, Parcels: e.Tracking, Settings: NewSettings(e.DB), Days: w.days, DB: e.DB,
		SMS: w.d, PublicURL: "https://track.example", Log: log, Collect: Collect{FirstDigit: 6 * time.Second}, Count: NewSelfServiceCounter()}
	w.center.UseSelfService(w.self.Serve)
	if _, err := w.center.AddQueue(sctx, callcenter.Queue{Name: "main", BrandID: e.BrandA, Ring: 5 * time.Second, MaxWait: 3 * time.Second}, hotline); err != nil {
		t.Fatal(err)
	}
	w.warm(sctx)
	return w
}

// heavySelfWorld is newSelfWorld for a test with a real caller (baresip; one pass) and the
// context of its call.
func heavySelfWorld(t *testing.T) (*selfWorld, context.Context) {
	storetest.OnePass(t)
	telephonytest.Require(t, "baresip", "baresip-core")
	w := newSelfWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return w, ctx
}

// warm synthesises what the caller will hear beforehand, so the keys the test sends on a
// timetable meet the question (a busy hotline has these in its cache too).
func (w *selfWorld) warm(ctx context.Context) {
	p, err := w.Tracking.Parcel(ctx, access.Brands(w.BrandA), item)
	if err != nil {
		w.T.Fatal(err)
	}
	for _, lg := range []string{"en", "ru"} {
		loc := i18n.New(i18n.Lang(lg), time.UTC)
		w.self.status(ctx, w.BrandA, lg, loc, p)
		days, _ := w.days.Days(ctx, w.BrandA, item)
		var options []deliverydays.Day
		for _, d := range days {
			if !d.Planned && len(options) < 9 {
				options = append(options, d)
			}
		}
		w.self.Prompts.Audio(ctx, w.BrandA, "selfservice.days", lg, dayOptions(loc, options))
		w.self.Prompts.Audio(ctx, w.BrandA, "selfservice.sms", lg, loc.T("ivr.self.sms_sent"))
		w.self.Prompts.Audio(ctx, w.BrandA, "selfservice.throttled", lg, loc.T("ivr.self.throttled"))
	}
}

// waitHeard waits until the phone has heard the prompt labelled label (heardInOrder) in its
// recording so far, so a key is sent when the question it answers has played however loaded
// the machine is.
func waitHeard(ctx context.Context, phone *telephonytest.Phone, label string) {
	for ctx.Err() == nil {
		if slices.Contains(heardInOrder(phone.HeardSoFar()), label) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// statusLen is how long the status of the parcel plays in lg (from the cache: warm made it).
func (w *selfWorld) statusLen(lg string) time.Duration {
	p, err := w.Tracking.Parcel(context.Background(), access.Brands(w.BrandA), item)
	if err != nil {
		w.T.Fatal(err)
	}
	if lg == "" { // the recipient's, as a matched caller hears it
		lg = callerLang(customer)
		if p.Recipient.Language != "" {
			lg = string(trackwords.LangOf(p.Recipient.Language))
		}
	}
	a := w.self.status(context.Background(), w.BrandA, lg, i18n.New(i18n.Lang(lg), time.UTC), p)
	return time.Duration(len(a)) * time.Second / 8000
}

// writeTone writes a recorded prompt: a second of freq Hz.
func writeTone(t *testing.T, path string, freq float64) {
	s := make([]int16, 8000)
	for i := range s {
		s[i] = int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/8000))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, WAV(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// heardInOrder reads what the caller heard as the prompts' tones and speech ("greeting",
// "key_in", "menu", "speech"), in order.
func heardInOrder(samples []int16) []string {
	return telephonytest.HeardInOrder(samples, telephonytest.Tone{Label: "greeting", Hz: toneGreeting},
		telephonytest.Tone{Label: "key_in", Hz: toneKeyIn}, telephonytest.Tone{Label: "menu", Hz: toneMenu})
}

// call dials the hotline from the customer's phone (baresip), sends keys once the call is
// up (each after its pause) and returns the hotline call row once it ended. A key "@label"
// waits until the phone heard that prompt (waitHeard), "until over K" presses K once voice
// came after the last key and then each second until the call is over (pressUntilOver).
func (w *selfWorld) call(ctx context.Context, keys []string, pauses []time.Duration) (callcenter.Call, string) {
	c, ivr, _ := w.callFrom(ctx, customer, keys, pauses)
	return c, ivr
}

func (w *selfWorld) callFrom(ctx context.Context, from string, keys []string, pauses []time.Duration) (callcenter.Call, string, *telephonytest.Phone) {
	t := w.T
	caller := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: from, Tone: 1000})
	if _, err := caller.Command("dial", "sip:"+hotline+"@"+w.eng.Addr()); err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 0; i < 100 && ctx.Err() == nil; i++ {
			time.Sleep(200 * time.Millisecond)
			if out, _ := caller.Command("listcalls", ""); strings.Contains(strings.ToUpper(out), "ESTABLISHED") {
				at := 0 // the recording's length at the last key
				for i, k := range keys {
					time.Sleep(pauses[i])
					switch {
					case k == "hangup":
						caller.Command("hangup", "")
					case strings.HasPrefix(k, "@"):
						waitHeard(ctx, caller, k[1:])
					case strings.HasPrefix(k, "until over "):
						pressUntilOver(ctx, t, caller, at, strings.TrimPrefix(k, "until over "))
					default:
						at = len(caller.HeardSoFar())
						caller.Command("sndcode", k)
					}
				}
				return
			}
		}
	}()
	call, ivr := w.ended(ctx, caller.Output)
	return call, ivr, caller
}

// ended waits for the hotline call to end and returns its row with "answer keys" (out: the
// caller's log, for the failure message).
func (w *selfWorld) ended(ctx context.Context, out func() string) (callcenter.Call, string) {
	t := w.T
	for {
		calls, err := w.center.Calls.List(ctx, access.Brands(w.BrandA), callcenter.CallFilter{Direction: callcenter.Inbound})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 1 && calls[0].EndedAt != nil {
			w.center.Wait()
			var answer, got string
			if err := w.DB.SQL.QueryRowContext(ctx, w.DB.Rebind(`SELECT COALESCE(ivr_answer, ''), COALESCE(ivr_keys, '') FROM calls WHERE id = ? AND brand_id = ?`),
				calls[0].ID, w.BrandA).Scan(&answer, &got); err != nil {
				t.Fatal(err)
			}
			return calls[0], answer + " " + got
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the hotline call did not end: %+v\n%s", calls, out())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestHotlineSelfServiceKey0GoesToTheQueue (issue 19.1): a caller whose number is the
// parcel's recipient's hears, without keying anything, the brand's greeting, the status
// (speech) and the menu, in this order (measured on the audio the phone heard: the recorded
// prompts are tones); presses 0: they wait in the queue as today (no agent: after the maximum
// wait the closed message and a callback request, reason max_wait); the call row says status,
// keys 0, self_service queue; no delivery-day choice; not deflected.
func TestHotlineSelfServiceKey0GoesToTheQueue(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	call, ivr, phone := w.callFrom(ctx, customer, []string{"@menu", "0"}, []time.Duration{0, 300 * time.Millisecond})
	if heard := heardInOrder(phone.Heard(t)); !telephonytest.InOrder(heard, []string{"greeting", "speech", "menu"}) {
		t.Errorf("the caller heard %v, want the greeting, the status (speech) and the menu in this order", heard)
	}
	if out, disp, self := w.row(ctx, call.ID); out != string(callcenter.Abandoned) || disp != "" || self != OutcomeQueue {
		t.Errorf("call row outcome %q disposition %q self_service %q, want abandoned (in the queue), none, queue", out, disp, self)
	}
	if n := w.count(OutcomeQueue); n != 1 {
		t.Errorf("queue %v, want 1", n)
	}
	if ivr != AnswerStatus+" 0" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerStatus+" 0")
	}
	if reason, err := w.queued(ctx, call.ID); err != nil || reason != "max_wait" {
		t.Fatalf("after 0 the caller did not wait in the queue to its maximum wait: request %q %v", reason, err)
	}
	// The wait starts when the caller entered the queue (calls.queued_at, 00042), after the
	// greeting, the status and the menu, not when the hotline answered.
	if call.QueuedAt == nil || call.AnsweredAt == nil || !call.QueuedAt.After(call.AnsweredAt.Add(time.Second)) || call.QueuedAt.After(*call.EndedAt) {
		t.Errorf("queued_at %v, want after the menu (answered %v) and before the end %v", call.QueuedAt, call.AnsweredAt, call.EndedAt)
	}
	if ch, err := w.days.Latest(ctx, w.BrandA, item); err != nil || ch != nil {
		t.Fatalf("a delivery-day choice after 0: %+v %v", ch, err)
	}
	if n := w.count(OutcomeDeflected); n != 0 {
		t.Fatalf("deflected %v, want 0: the caller went on to the queue", n)
	}
}

// queued is the reason of the call's callback request: max_wait for a caller who waited in
// the queue (no agent) to its maximum wait.
func (w *selfWorld) queued(ctx context.Context, call int64) (reason string, err error) {
	err = w.DB.SQL.QueryRowContext(ctx, w.DB.Rebind(`SELECT reason FROM callback_requests WHERE call_id = ? AND brand_id = ?`),
		call, w.BrandA).Scan(&reason)
	return
}

// row reads the call row's outcome, disposition and self_service.
func (w *selfWorld) row(ctx context.Context, id int64) (outcome, disposition, self string) {
	if err := w.DB.SQL.QueryRowContext(ctx, w.DB.Rebind(`SELECT outcome, disposition, self_service FROM calls WHERE id = ? AND brand_id = ?`),
		id, w.BrandA).Scan(&outcome, &disposition, &self); err != nil {
		w.T.Fatal(err)
	}
	return
}

// TestHotlineSelfServiceKey2ChoosesADay (issue 19.1): the caller presses 2, hears the other
// days and presses 1: the first other day is the parcel's choice, made by phone in that call
// (a delivery_change case); wismo says so and hangs up; the call row says day:<date>, keys
// 21; it counts as deflected: outcome answered, disposition self_service, no agent (not
// abandoned).
func TestHotlineSelfServiceKey2ChoosesADay(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	days, err := w.days.Days(ctx, w.BrandA, item)
	if err != nil || len(days) < 2 {
		t.Fatalf("days %+v %v", days, err)
	}
	var want string
	for _, d := range days {
		if !d.Planned {
			want = d.Date
			break
		}
	}
	call, ivr := w.call(ctx, []string{"@greeting", "2", "until over 1"}, []time.Duration{0, 1500 * time.Millisecond, 0})
	if ivr != AnswerDay+want+" 21" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerDay+want+" 21")
	}
	ch, err := w.days.Latest(ctx, w.BrandA, item)
	if err != nil || ch == nil || ch.Date != want || ch.Via != deliverydays.ViaPhone || ch.CallID != call.ID || ch.CaseNumber == "" {
		t.Fatalf("parcel choice %+v %v: want %s by phone in call %d with a delivery_change case", ch, err, want, call.ID)
	}
	if call.HangupSide != callcenter.SideSystem || call.AgentID != 0 {
		t.Errorf("the call was not ended by wismo without an agent: %+v", call)
	}
	if out, disp, self := w.row(ctx, call.ID); out != string(callcenter.Answered) || disp != DispositionSelfService || self != OutcomeDeflected {
		t.Errorf("call row outcome %q disposition %q self_service %q, want answered, self_service, deflected", out, disp, self)
	}
	if call.QueuedAt != nil {
		t.Errorf("a deflected caller never queued has queued_at %v", call.QueuedAt)
	}
	if n := w.count(OutcomeDeflected); n != 1 {
		t.Fatalf("deflected %v, want 1", n)
	}
}

// count reads wismo_hotline_selfservice_total{outcome}.
func (w *selfWorld) count(outcome string) float64 {
	var m dto.Metric
	if err := w.self.Count.WithLabelValues(outcome).Write(&m); err != nil {
		w.T.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// TestSelfServiceStatusSaysWhatTheTrackingPageSays: the status sentence is the brand, the
// tracking page's customer words of the latest event (trackwords) with its place, and the
// expected day, in the caller's language; never the recipient's name or address.
func TestSelfServiceStatusSaysWhatTheTrackingPageSays(t *testing.T) {
	e := casestest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(item))
	at := time.Date(2026, 11, 12, 6, 0, 0, 0, time.UTC)
	for _, c := range []string{"EMA", "EMC", "EMD", "EMG", "EDG", "EMH"} {
		ev := trackingtest.Event(item, c, at.Format(time.RFC3339))
		if c == "EMH" {
			ev.Reason, ev.Action = "ABSENT", "REDELIVERY"
		}
		e.Events(e.ScopeA(), ev)
		at = at.Add(24 * time.Hour)
	}
	ctx := context.Background()
	p, err := e.Tracking.Parcel(ctx, access.Brands(e.BrandA), item)
	if err != nil {
		t.Fatal(err)
	}
	s := &SelfService{Settings: NewSettings(e.DB)}
	brand, _ := s.Settings.BrandName(ctx, e.BrandA)
	for _, lg := range []string{"en", "ru"} {
		loc := i18n.New(i18n.Lang(lg), time.UTC)
		var texts []string
		for _, f := range s.statusFragments(ctx, e.BrandA, lg, loc, p) {
			texts = append(texts, f.text)
		}
		all := strings.Join(texts, " ")
		words := trackwords.For(lg, nil).Latest(p).Label
		if !strings.Contains(all, brand) || !strings.Contains(all, words) || !strings.Contains(all, "London") {
			t.Errorf("%s: %q: want the brand %q, the status %q and the place", lg, all, brand, words)
		}
		if d := firstOf(p.ExpectedDate, p.PromisedDate); d != "" && !strings.Contains(all, s.when(loc, p, day(d))) {
			t.Errorf("%s: %q: want the expected day %s", lg, all, d)
		}
		for _, private := range []string{p.Recipient.Name, "Петров", "Ленина", item} {
			if private != "" && strings.Contains(all, private) {
				t.Errorf("%s: %q says %q, which the public tracking page does not", lg, all, private)
			}
		}
	}
}

// TestSelfServiceStatusSharesTheCache: a second caller whose parcel is at the same stage in
// the same place costs no synthesis (the fragments are cached), only a new day would.
func TestSelfServiceStatusSharesTheCache(t *testing.T) {
	e := casestest.New(t)
	prompts, _ := New(Config{Dir: t.TempDir(), Log: storetest.Logger(t)})
	if !prompts.CanSynthesize() {
		t.Skip("no espeak-ng or sox")
	}
	ctx := context.Background()
	s := &SelfService{Settings: NewSettings(e.DB), Prompts: prompts}
	loc := i18n.New(i18n.EN, time.UTC)
	var views []tracking.ParcelView
	for _, id := range []string{item, "RB123456799GB"} {
		e.Upsert(e.ScopeA(), trackingtest.Parcel(id))
		e.Events(e.ScopeA(), trackingtest.Event(id, "EMG", "2026-11-12T06:00:00Z"))
		p, err := e.Tracking.Parcel(ctx, access.Brands(e.BrandA), id)
		if err != nil {
			t.Fatal(err)
		}
		views = append(views, p)
	}
	s.status(ctx, e.BrandA, "en", loc, views[0])
	first := prompts.Runs()
	if first == 0 {
		t.Fatal("no synthesis for the first caller")
	}
	s.status(ctx, e.BrandA, "en", loc, views[1])
	if n := prompts.Runs(); n != first {
		t.Fatalf("the second caller with the same status cost %d more synthesiser runs, want 0", n-first)
	}
}

// TestHotlineSelfServiceKeyedTrackingNumber (issue 19.1): a caller whose number matches no
// parcel keys in the tracking number's nine digits and #: they hear the parcel's status, but
// 2 changes nothing (their number is not the recipient's) and goes to the queue; the call
// row says status with the keys as pressed.
func TestHotlineSelfServiceKeyedTrackingNumber(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	keys := keyed("123456785#2")
	_, ivr, _ := w.callFrom(ctx, "+79130000001", keys, keyedPauses(keys))
	if ivr != AnswerStatus+" 123456785#2" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerStatus+" 123456785#2")
	}
	if ch, err := w.days.Latest(ctx, w.BrandA, item); err != nil || ch != nil {
		t.Fatalf("a delivery-day choice by a caller who is not the recipient: %+v %v", ch, err)
	}
	if n := w.smsPlanned(ctx); n != 0 {
		t.Fatalf("%d SMS planned for a caller who is not the recipient", n)
	}
}

// TestHotlineSelfServiceKeyedNoSMS (issue 19.1): a caller whose number is not the
// recipient's keys the tracking number and then 3 (the SMS key): no SMS is planned (the link
// goes only to the recipient's number), the key goes to the queue.
func TestHotlineSelfServiceKeyedNoSMS(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	keys := keyed("123456785#3")
	call, ivr, _ := w.callFrom(ctx, "+79130000001", keys, keyedPauses(keys))
	if ivr != AnswerStatus+" 123456785#3" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerStatus+" 123456785#3")
	}
	if n := w.smsPlanned(ctx); n != 0 {
		t.Fatalf("%d SMS planned for a caller who is not the recipient", n)
	}
	if reason, err := w.queued(ctx, call.ID); err != nil || reason != "max_wait" {
		t.Fatalf("3 did not go to the queue: request %q %v", reason, err)
	}
}

// smsPlanned counts the SMS contacts planned for the parcel.
func (w *selfWorld) smsPlanned(ctx context.Context) int {
	cs, err := w.d.Contacts(ctx, access.Brands(w.BrandA), item)
	if err != nil {
		w.T.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		if c.Channel == dialer.SMS {
			n++
		}
	}
	return n
}

// keyedPauses are the pauses before each of keys, which keyed adds waits to: the digits
// after the question was heard, 400 ms apart; a menu key after the menu was heard.
func keyedPauses(keys []string) []time.Duration {
	pauses := []time.Duration{0}
	for range keys {
		pauses = append(pauses, 400*time.Millisecond)
	}
	return pauses
}

// keyed is keys as callFrom sends them: the digits after the question, the menu key (a key
// after #) after the menu.
func keyed(digits string) []string {
	keys := []string{"@key_in"}
	for i, k := range strings.Split(digits, "") {
		if i > 0 && digits[i-1] == '#' {
			keys = append(keys, "@menu")
		}
		keys = append(keys, k)
	}
	return keys
}

// TestHotlineSelfServiceKeyedThenAgent (issue 19.1 acceptance): a caller (baresip, RFC 4733
// keys) whose number matches no parcel hears the greeting and the question, keys the tracking
// number's serial and check digit and #, hears the status and the menu (in this order, on the
// audio the phone heard), then presses 0 and reaches the queue (no agent: after the maximum
// wait a callback request, reason max_wait). The call row: status, the keys, self_service
// queue; the metric counts it as queue, not deflected.
func TestHotlineSelfServiceKeyedThenAgent(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	keys := keyed("123456785#0")
	call, ivr, phone := w.callFrom(ctx, "+79130000001", keys, keyedPauses(keys))
	if heard := heardInOrder(phone.Heard(t)); !telephonytest.InOrder(heard, []string{"greeting", "key_in", "speech", "menu"}) {
		t.Errorf("the caller heard %v, want the greeting, the question, the status (speech) and the menu in this order", heard)
	}
	if ivr != AnswerStatus+" 123456785#0" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerStatus+" 123456785#0")
	}
	if reason, err := w.queued(ctx, call.ID); err != nil || reason != "max_wait" {
		t.Fatalf("after 0 the caller did not wait in the queue: request %q %v", reason, err)
	}
	if _, _, self := w.row(ctx, call.ID); self != OutcomeQueue || w.count(OutcomeQueue) != 1 || w.count(OutcomeDeflected) != 0 {
		t.Fatalf("self_service %q, queue %v, deflected %v: want queue 1, deflected 0", self, w.count(OutcomeQueue), w.count(OutcomeDeflected))
	}
}

// TestHotlineSelfServiceSMSLink (issue 19.1): the recipient (matched by number) presses 3: an
// SMS with the tracking link is planned through the dialer to the calling number, once; the
// caller hangs up after the confirmation: resolved by self-service (answered, disposition
// self_service, self_service deflected; counted deflected), not abandoned.
func TestHotlineSelfServiceSMSLink(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	call, ivr := w.call(ctx, []string{"@greeting", "3", "hangup"}, []time.Duration{0, time.Second, 4 * time.Second})
	if ivr != AnswerSMS+" 3" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerSMS+" 3")
	}
	cs, err := w.d.Contacts(ctx, access.Brands(w.BrandA), item)
	if err != nil {
		t.Fatal(err)
	}
	var sms []dialer.Contact
	for _, c := range cs {
		if c.Channel == dialer.SMS {
			sms = append(sms, c)
		}
	}
	if len(sms) != 1 || sms[0].Recipient != customer || !strings.Contains(sms[0].Body, "https://track.example/track/"+item) {
		t.Fatalf("SMS planned %+v: want one to %s with the tracking link", sms, customer)
	}
	if out, disp, self := w.row(ctx, call.ID); out != string(callcenter.Answered) || disp != DispositionSelfService || self != OutcomeDeflected {
		t.Errorf("call row outcome %q disposition %q self_service %q, want answered, self_service, deflected", out, disp, self)
	}
	if n := w.count(OutcomeDeflected); n != 1 {
		t.Errorf("deflected %v, want 1", n)
	}
}

// TestHotlineSelfServiceGuessingIsThrottled (issue 19.1): a number that used up its lookups
// (MaxLookups an hour) keys a right tracking number: it hears "too many tracking numbers", no
// status, and waits in the queue; the call row says throttled.
func TestHotlineSelfServiceGuessingIsThrottled(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	const guesser = "+79130000002"
	for i := 0; i < MaxLookups; i++ { // earlier calls' guesses
		w.self.allow(guesser)
	}
	keys := keyed("123456785#")
	call, ivr, _ := w.callFrom(ctx, guesser, keys, keyedPauses(keys))
	if ivr != AnswerThrottled+" 123456785#" {
		t.Fatalf("call row answer and keys %q, want %q", ivr, AnswerThrottled+" 123456785#")
	}
	if reason, err := w.queued(ctx, call.ID); err != nil || reason != "max_wait" {
		t.Fatalf("a throttled caller did not wait in the queue: request %q %v", reason, err)
	}
	if _, _, self := w.row(ctx, call.ID); self != "" {
		t.Fatalf("self_service %q for a caller who heard no status", self)
	}
}

// TestKeyedLookupsAreThrottled: a caller's number gets MaxLookups lookups an hour.
func TestKeyedLookupsAreThrottled(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	s := &SelfService{Now: func() time.Time { return now }}
	for i := 0; i < MaxLookups; i++ {
		if !s.allow("+79130000001") {
			t.Fatalf("lookup %d refused", i+1)
		}
	}
	if s.allow("+79130000001") {
		t.Fatal("a lookup past the hour's allowance was allowed")
	}
	if !s.allow("+79130000002") {
		t.Fatal("another number was refused")
	}
	now = now.Add(lookupsPer)
	if !s.allow("+79130000001") {
		t.Fatal("refused an hour later")
	}
}

// TestKeyedLookupsAreThrottledForEveryone: GlobalLookups a minute over all numbers (many
// numbers guessing together), then the next minute again.
func TestKeyedLookupsAreThrottledForEveryone(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	s := &SelfService{Now: func() time.Time { return now }}
	for i := 0; i < GlobalLookups; i++ {
		if !s.allow("+7913" + strconv.Itoa(1000000+i)) {
			t.Fatalf("lookup %d refused", i+1)
		}
	}
	if s.allow("+79999999999") {
		t.Fatal("a lookup past everyone's allowance of the minute was allowed")
	}
	now = now.Add(time.Minute)
	if !s.allow("+79999999999") {
		t.Fatal("refused a minute later")
	}
}

// TestHotlineSelfServiceSIPpKeysRFC4733 (issue 19.1 acceptance): SIPp, another caller than
// baresip, dials the hotline from a number that matches no parcel and keys the tracking
// number's serial and check digit and # as RFC 4733 telephone-events from its shipped pcaps
// (ivr/testdata/hotline_dtmf_uac.xml); after the status and the menu it keys 0 and waits in
// the queue until wismo hangs up. The call row: status with the keys as SIPp sent them; the
// queue's callback request (max_wait); self_service queue.
func TestHotlineSelfServiceSIPpKeysRFC4733(t *testing.T) {
	w, ctx := heavySelfWorld(t)
	bin := telephonytest.Require(t, "sipp", "sip-tester")
	dir := t.TempDir()
	wait := w.statusLen("ru") + 3*time.Second // the status and the menu after the #
	logs := func() string {                   // SIPp's output and errors, from files: SIPp may still be writing
		o, _ := os.ReadFile(filepath.Join(dir, "out.log"))
		e, _ := os.ReadFile(filepath.Join(dir, "err.log"))
		return string(o) + string(e)
	}
	outFile, err := os.Create(filepath.Join(dir, "out.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	cmd := exec.CommandContext(ctx, bin, w.eng.Addr(), "-sf", "testdata/hotline_dtmf_uac.xml", "-s", hotline,
		"-i", "127.0.0.1", "-p", strconv.Itoa(telephonytest.FreeSIPPort(t)), "-mi", "127.0.0.1",
		"-mp", strconv.Itoa(telephonytest.FreePort(t, "udp")&^1), "-rtp_echo", "-d", strconv.Itoa(int(wait.Milliseconds())),
		"-m", "1", "-nostdin", "-timeout", "80s", "-trace_err", "-error_file", filepath.Join(dir, "err.log"))
	cmd.Stdout, cmd.Stderr = outFile, outFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { cmd.Process.Kill(); <-done }()
	call, ivr := w.ended(ctx, logs)
	if ivr != AnswerStatus+" 123456785#0" {
		t.Fatalf("call row answer and keys %q, want %q\n%s", ivr, AnswerStatus+" 123456785#0", logs())
	}
	if reason, err := w.queued(ctx, call.ID); err != nil || reason != "max_wait" {
		t.Fatalf("after 0 the caller did not wait in the queue: request %q %v", reason, err)
	}
	if _, _, self := w.row(ctx, call.ID); self != OutcomeQueue {
		t.Fatalf("self_service %q, want queue", self)
	}
}
