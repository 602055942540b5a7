package inbound_test

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/dialer/smpp/smpptest"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const (
	parcelID  = "RB123456785GB"
	phone     = "+79131234567"
	brandNum  = "+447700900123"
	brandMail = "help@shop-a.example"
)

type env struct {
	*casestest.Env
	dl *dialer.Service
	in *inbound.Service
}

// newEnv is the case tracker, a dialer (on opts' channels) and the inbound service, brand A
// with its number and address, and parcel RB123456785GB for +79131234567.
func newEnv(t *testing.T, opts dialer.Options) *env {
	e := &env{Env: casestest.New(t)}
	e.Now = time.Now().UTC().Truncate(time.Second)
	log := storetest.Logger(t)
	var in *inbound.Service
	opts.MO = func(ctx context.Context, d smpp.Deliver) error { return in.HandleSMPP(ctx, d) }
	opts.Prepare = func(ctx context.Context, m *dialer.Message) { in.Prepare(ctx, m) }
	if opts.Now == nil {
		opts.Now = func() time.Time { return e.Now }
	}
	var err error
	if e.dl, err = dialer.New(e.DB, log, opts); err != nil {
		t.Fatal(err)
	}
	e.Cases.AddTimelineSource(e.dl)
	in = inbound.New(e.DB, log, inbound.Options{Dialer: e.dl, Cases: e.Cases, SMSSecret: "s3cret", Now: func() time.Time { return e.Now }})
	e.in = in
	e.Upsert(e.ScopeA(), trackingtest.Parcel(parcelID))
	if _, err := in.SetSettings(context.Background(), e.ScopeA(), e.BrandA, inbound.Settings{SMSNumber: brandNum, MailAddress: brandMail,
		ReopenDays: 14, AckSubject: "We got your message", AckBody: "Your case number is {{case}}."}); err != nil {
		t.Fatal(err)
	}
	return e
}

// planSMS plans an SMS of brand A to the parcel's recipient, due now.
func (e *env) planSMS(ref, text string) {
	e.T.Helper()
	err := e.DB.WriteTx(context.Background(), func(tx store.Tx) error {
		return e.dl.Plan(context.Background(), tx, []dialer.Request{{BrandID: e.BrandA, ParcelID: parcelID, Channel: dialer.SMS, To: phone,
			TimeZone: "UTC", TriggerRef: ref, RuleID: 1, Body: text}})
	})
	if err != nil {
		e.T.Fatal(err)
	}
}

// messages are the inbound messages recorded so far, oldest first.
func (e *env) messages() []inbound.Message {
	e.T.Helper()
	rows, err := e.DB.SQL.Query(`SELECT outcome, body, COALESCE(case_id, 0) FROM inbound_messages ORDER BY id`)
	if err != nil {
		e.T.Fatal(err)
	}
	defer rows.Close()
	var out []inbound.Message
	for rows.Next() {
		var m inbound.Message
		if err := rows.Scan(&m.Outcome, &m.Body, &m.CaseID); err != nil {
			e.T.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (e *env) waitMessages(n int) []inbound.Message {
	e.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := e.messages(); len(ms) >= n {
			return ms
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("gave up waiting for %d inbound messages; have %+v", n, e.messages())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// customerLines are the case's timeline entries of what the customer wrote, in order.
func (e *env) customerLines(number string) []string {
	e.T.Helper()
	v, err := e.Cases.Detail(context.Background(), e.ScopeA(), number, 0)
	if err != nil {
		e.T.Fatal(err)
	}
	var out []string
	for _, en := range v.Timeline {
		if en.Kind == "message_in" {
			out = append(out, en.Summary)
		}
	}
	return out
}

func (e *env) caseOf(id int64) *cases.Case {
	e.T.Helper()
	var number string
	if err := e.DB.SQL.QueryRow(e.DB.Rebind(`SELECT number FROM cases WHERE id = ?`), id).Scan(&number); err != nil {
		e.T.Fatal(err)
	}
	c, _, err := e.Cases.Case(context.Background(), e.ScopeA(), number, 0)
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// TestSMSReplyOverSMPPLandsOnTheParcelsCase runs the dialer against the Perl SMSC: wismo
// texts the parcel's recipient, the customer answers the brand's number, and the answer
// opens a case about the parcel (source sms) showing the text; a two-part UCS-2 answer
// (UDH), one by SAR TLVs and one in message_payload arrive whole on the same case; STOP
// opts the number out and is no case; a stranger's SMS waits in the review queue.
func TestSMSReplyOverSMPPLandsOnTheParcelsCase(t *testing.T) {
	peer := smpptest.Start(t)
	e := newEnv(t, dialer.Options{SMPP: &smpp.Config{Addr: peer.Addr, SystemID: "wismo", Password: "secret", SourceAddr: "SHOP",
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}, Email: nopSender{}, Now: func() time.Time { return time.Now().UTC() }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.dl.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	all := dialer.Week{}
	for d := range all {
		all[d] = []dialer.Interval{{Start: 0, End: 1440}}
	}
	if _, err := e.dl.SetWindows(ctx, e.BrandA, dialer.Windows{dialer.SMS: all}); err != nil {
		t.Fatal(err)
	}
	e.planSMS("a", "Your parcel "+parcelID+" is held at customs")
	peer.WaitFor(t, 20*time.Second, "wismo's SMS", func(evs []smpptest.Event) bool {
		for _, ev := range evs {
			if ev.Ev == "submit" && ev.Dst == "79131234567" {
				if ev.Src != "447700900123" {
					t.Errorf("wismo's SMS came from %q, not the brand's number", ev.Src)
				}
				return true
			}
		}
		return false
	})

	peer.Must(t, "mo 79131234567 447700900123 Why is it held? What do I pay?")
	ms := e.waitMessages(1)
	if ms[0].Outcome != inbound.OutcomeCaseOpened || ms[0].CaseID == 0 {
		t.Fatalf("the reply: %+v", ms[0])
	}
	c := e.caseOf(ms[0].CaseID)
	if c.Source != cases.SourceSMS || c.ParcelIDs[0] != parcelID {
		t.Errorf("the case: source %s parcels %v", c.Source, c.ParcelIDs)
	}
	long := "Здравствуйте! Посылка " + parcelID + " всё ещё на таможне, уже неделю. Что мне нужно сделать, чтобы её получить? Спасибо."
	for i, how := range []string{"udh", "sar", "payload"} {
		peer.Must(t, "mo_split "+how+" 2 79131234567 447700900123 "+long)
		ms = e.waitMessages(2 + i)
		if m := ms[1+i]; m.Outcome != inbound.OutcomeCase || m.CaseID != c.ID || m.Body != long {
			t.Errorf("the two-part UCS-2 reply by %s: %+v", how, m)
		}
	}
	lines := e.customerLines(c.Number)
	if len(lines) != 4 || lines[0] != "Why is it held? What do I pay?" || lines[1] != long {
		t.Errorf("what the customer wrote on the case: %q", lines)
	}

	peer.Must(t, "mo 79131234567 447700900123 STOP")
	if m := e.waitMessages(5)[4]; m.Outcome != inbound.OutcomeOptOut || m.CaseID != 0 {
		t.Errorf("STOP: %+v", m)
	}
	if lines := e.customerLines(c.Number); len(lines) != 4 {
		t.Errorf("STOP landed on the case: %q", lines)
	}
	outs, err := e.dl.OptOuts(ctx, e.BrandA, 10)
	if err != nil || len(outs) != 1 || outs[0].Address != phone {
		t.Errorf("opt-outs after STOP: %+v %v", outs, err)
	}

	peer.Must(t, "mo 79990001122 447700900123 hello?")
	if m := e.waitMessages(6)[5]; m.Outcome != inbound.OutcomeReview || m.CaseID != 0 {
		t.Errorf("a stranger's SMS: %+v", m)
	}
	review, err := e.in.Review(ctx, e.ScopeA(), e.BrandA, 10)
	if err != nil || len(review) != 1 || review[0].Body != "hello?" || review[0].Sender != "+79990001122" {
		t.Errorf("the review queue: %+v %v", review, err)
	}
	if other, _ := e.in.Review(ctx, e.ScopeB(), e.BrandA, 10); len(other) != 0 {
		t.Errorf("brand B sees brand A's review queue: %+v", other)
	}
}

type nopSender struct{}

func (nopSender) Send(context.Context, dialer.Message) (dialer.Sent, error) {
	return dialer.Sent{Provider: "test", IDs: []string{"x"}, Parts: 1}, nil
}

// A concatenated SMS whose last part never comes is not lost: after an hour, the next part
// that waits sweeps it into the review queue with the parts that did arrive.
func TestIncompleteSMSGoesToReview(t *testing.T) {
	e := newEnv(t, dialer.Options{SMS: nopSender{}, Email: nopSender{}})
	ctx := context.Background()
	part := func(ref, seq int, text string) {
		t.Helper()
		if err := e.in.HandleSMPP(ctx, smpp.Deliver{Source: "+79131234567", Destination: "447700900123", Text: text,
			Part: &smpp.Part{Ref: ref, Total: 3, Seq: seq}}); err != nil {
			t.Fatal(err)
		}
	}
	part(7, 1, "Где моя ")
	part(7, 3, " неделю.")
	if n := len(e.messages()); n != 0 {
		t.Fatalf("an incomplete SMS was handled: %d", n)
	}
	e.Now = e.Now.Add(2 * time.Hour)
	part(8, 1, "Другое")
	ms := e.messages()
	if len(ms) != 1 || ms[0].Outcome != inbound.OutcomeReview || ms[0].Body != "Где моя […] неделю." {
		t.Fatalf("the incomplete SMS: %+v", ms)
	}
}
