package ivr

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const (
	item     = "RB123456785GB" // to Novosibirsk (UTC+7)
	customer = "+79131234567"
)

func allDay() *dialer.Week {
	var w dialer.Week
	for d := range w {
		w[d] = []dialer.Interval{{Start: 0, End: 24 * 60}}
	}
	return &w
}

// robocallWorld is brand A's parcel after a failed delivery attempt, the real delivery-days
// service, a dialer whose calls a Robocall places through a SIP trunk that is the customer's
// phone, and a running robocall campaign.
type robocallWorld struct {
	*casestest.Env
	days *deliverydays.Service
	d    *dialer.Service
	robo *Robocall
	camp int64
}

func newRobocallWorld(t *testing.T, phonePort int) *robocallWorld {
	t.Helper()
	e := casestest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(item))
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
	clock := func() time.Time { return e.Now }
	w := &robocallWorld{Env: e, days: deliverydays.New(e.DB, e.Cases, deliverydays.WithClock(clock))}
	p := telephonytest.FreePort(t, "udp") &^ 1
	eng, err := telephony.New(context.Background(), telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200,
		Trunk: telephony.Trunk{URI: "sip:127.0.0.1:" + strconv.Itoa(phonePort)}}, storetest.Logger(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go eng.Serve(ctx)
	t.Cleanup(func() { cancel(); eng.Close() })
	prompts, _ := New(Config{Dir: t.TempDir(), Log: storetest.Logger(t)})
	w.robo = &Robocall{DB: e.DB, Eng: eng, Prompts: prompts, Settings: NewSettings(e.DB), Days: w.days,
		Calls: callcenter.NewCallLog(e.DB), Log: storetest.Logger(t), Collect: Collect{FirstDigit: 6 * time.Second}}
	w.robo.Start(ctx)
	w.d, err = dialer.New(e.DB, storetest.Logger(t), dialer.Options{Now: clock, Calls: w.robo})
	if err != nil {
		t.Fatal(err)
	}
	w.robo.Outcomes = w.d
	camp, err := w.d.SaveCampaign(ctx, e.BrandA, dialer.Campaign{Name: "Delivery robocall", Mode: ModeRobocall, Windows: allDay()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.SetCampaignStatus(ctx, e.BrandA, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	w.camp = camp.ID
	err = e.DB.WriteTx(ctx, func(tx store.Tx) error {
		_, err := w.d.PlanOne(ctx, tx, dialer.Request{BrandID: e.BrandA, ParcelID: item, Channel: dialer.Call, To: customer,
			TimeZone: "Asia/Novosibirsk", Language: "ru", CampaignID: camp.ID, TriggerRef: "robocall:test", NotBefore: e.Now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// answered waits for the robocall's contact to get its outcome.
func (w *robocallWorld) answered(ctx context.Context) dialer.Contact {
	w.T.Helper()
	for {
		list, err := w.d.Contacts(ctx, access.Brands(w.BrandA), item)
		if err != nil {
			w.T.Fatal(err)
		}
		if len(list) == 1 && list[0].Outcome != "" {
			return list[0]
		}
		select {
		case <-ctx.Done():
			w.T.Fatalf("the robocall's contact got no outcome: %+v", list)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestRobocallCampaignConfirmsByKey1 (issue 16 acceptance): the dialer places a campaign's
// robocall to a real phone (baresip), which hears the prompt and presses 1 (RFC 4733): the
// call row says robocall, confirm, keys "1"; the parcel's choice is the planned day,
// confirmed by robocall in that call.
func TestRobocallCampaignConfirmsByKey1(t *testing.T) {
	storetest.OnePass(t)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	w := newRobocallWorld(t, phone.SIPPort)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() {
		// The phone answers at once; it keys 1 once it hears the prompt.
		if waitAnswered(ctx, phone) {
			pressWhenHeard(ctx, t, phone, 0, "1")
		}
	}()
	if n, err := w.d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("robocall placed: %d (%v)", n, err)
	}
	c := w.answered(ctx)
	if c.Outcome != "answered" || c.Status != dialer.StatusDone {
		t.Fatalf("contact outcome %q status %q, want answered and done (reached)\n%s", c.Outcome, c.Status, phone.Output())
	}
	var id int64
	var mode, answer, keys string
	if err := w.DB.SQL.QueryRowContext(ctx, w.DB.Rebind(`SELECT id, mode, ivr_answer, ivr_keys FROM calls WHERE brand_id = ? AND contact_ref = ?`),
		w.BrandA, strconv.FormatInt(c.ID, 10)).Scan(&id, &mode, &answer, &keys); err != nil {
		t.Fatal(err)
	}
	if mode != ModeRobocall || answer != AnswerConfirm || keys != "1" {
		t.Fatalf("call row: mode %q answer %q keys %q\n%s", mode, answer, keys, phone.Output())
	}
	ch, err := w.days.Latest(ctx, w.BrandA, item)
	if err != nil || ch == nil || !ch.Planned || ch.Via != deliverydays.ViaRobocall || ch.CallID != id {
		t.Fatalf("parcel choice %+v %v", ch, err)
	}
}

// TestRobocallOtherDayByKey2: the customer presses 2, hears the other days by key and presses
// 1 for the first of them: the parcel's choice is that day by robocall in this call, a
// delivery_change case is open for it, and the call row says day:<date> with keys "21".
func TestRobocallOtherDayByKey2(t *testing.T) {
	storetest.OnePass(t)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: customer, Tone: 1000})
	w := newRobocallWorld(t, phone.SIPPort)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
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
	go func() {
		if waitAnswered(ctx, phone) {
			at := pressWhenHeard(ctx, t, phone, 0, "2")
			pressUntilOver(ctx, t, phone, at, "1") // until the list of days takes it
		}
	}()
	if n, err := w.d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("robocall placed: %d (%v)", n, err)
	}
	c := w.answered(ctx)
	var id int64
	var answer, keys string
	if err := w.DB.SQL.QueryRowContext(ctx, w.DB.Rebind(`SELECT id, ivr_answer, ivr_keys FROM calls WHERE brand_id = ? AND contact_ref = ?`),
		w.BrandA, strconv.FormatInt(c.ID, 10)).Scan(&id, &answer, &keys); err != nil {
		t.Fatal(err)
	}
	if answer != AnswerDay+want || keys != "21" {
		t.Fatalf("call row: answer %q keys %q, want day:%s and 21\n%s", answer, keys, want, phone.Output())
	}
	ch, err := w.days.Latest(ctx, w.BrandA, item)
	if err != nil || ch == nil || ch.Planned || ch.Date != want || ch.Via != deliverydays.ViaRobocall || ch.CallID != id || ch.CaseNumber == "" {
		t.Fatalf("parcel choice %+v %v: want %s by robocall in call %d with a delivery_change case", ch, err, want, id)
	}
}
