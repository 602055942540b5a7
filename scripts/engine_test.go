package scripts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/tracking"
)

// TestStandardFlow runs the flow a brand starts with over each story: the right SMS, emails
// and calls are planned at the right local times in Novosibirsk (UTC+7), with the template
// version and the rendered text, and stale or out-of-order news contacts nobody.
func TestStandardFlow(t *testing.T) {
	e := newEnv(t) // 06:00 UTC = 13:00 in Novosibirsk
	id := func(n int) string { return tracking.MakeS10("RB", 700000+n, "GB") }
	for n, cod := range map[int]string{1: "", 2: "1200.00", 3: "", 4: "", 5: "1500.00", 6: "", 7: "", 8: "990.00", 9: "", 10: ""} {
		e.parcel(id(n), cod)
	}
	e.events( // one batch: a backfill of parcel 1's history; only its latest event is news
		ev(id(1), "EMA", "2026-11-15T10:00:00Z"), ev(id(1), "EMB", "2026-11-16T10:00:00Z"), ev(id(1), "EMC", "2026-11-17T10:00:00Z"),
		ev(id(1), "EMD", "2026-11-19T10:00:00Z"), ev(id(1), "EDD", "2026-11-20T05:30:00Z"))
	e.events(ev(id(2), "EDD", "2026-11-20T04:00:00Z"))
	e.consume() // the SMS is planned before the next scan: had EMG come first, EDD would be stale
	e.events(ev(id(2), "EMG", "2026-11-20T05:50:00Z"))
	emh := func(n int, reason, action string) tracking.EventInput {
		x := ev(id(n), "EMH", "2026-11-20T05:40:00Z")
		x.Reason, x.Action = reason, action
		return x
	}
	e.events(emh(3, "ABSENT", "NOTICE_LEFT"), emh(4, "BAD_ADDRESS", "CONTACT_ADDRESSEE"), emh(5, "UNPAID", "HOLD_AT_OFFICE"), emh(6, "MOVED", "RETURN_TO_SENDER"))
	eme := ev(id(7), "EME", "2026-11-20T05:45:00Z")
	eme.Reason = "CUSTOMS_DUTIES"
	e.events(eme)
	e.events(ev(id(8), "EDH", "2026-11-20T05:55:00Z"))
	e.events(ev(id(9), "EDD", "2026-11-18T05:00:00Z")) // two days old: a late import
	e.events(ev(id(10), "EDG", "2026-11-20T05:00:00Z"))
	e.consume()
	e.events(ev(id(10), "EDD", "2026-11-20T04:00:00Z")) // arrives after a later scan
	e.consume()

	type want struct {
		channel dialer.Channel
		due     string
		text    string
	}
	now := "2026-11-20T06:00:00Z"
	expect := map[int][]want{
		1:  {{dialer.SMS, now, "в сортировочном центре"}},
		2:  {{dialer.SMS, now, "в сортировочном центре"}, {dialer.Call, now, ""}},
		3:  {{dialer.SMS, now, "адресата не было дома"}},
		4:  {{dialer.Call, "2026-11-20T06:15:00Z", ""}},
		5:  {{dialer.SMS, now, "не оплачен"}, {dialer.Call, "2026-11-20T06:15:00Z", ""}},
		6:  nil,
		7:  {{dialer.Email, now, "ожидается оплата таможенных платежей"}, {dialer.SMS, now, "задержана таможней"}},
		8:  {{dialer.SMS, now, "Оплата при получении: 990.00 RUB"}},
		9:  nil,
		10: nil,
	}
	for n, wants := range expect {
		got := e.contacts(id(n))
		if len(got) != len(wants) {
			t.Errorf("parcel %d: %d contacts, want %d: %+v", n, len(got), len(wants), got)
			continue
		}
		for i, w := range wants {
			c := got[i]
			if c.Channel != w.channel || !c.DueAt.Equal(parseTime(w.due)) || !strings.Contains(c.Body, w.text) || c.Status != dialer.StatusPlanned {
				t.Errorf("parcel %d contact %d: %s %s due %s: %q", n, i, c.Channel, c.Status, c.DueAt, c.Body)
			}
			if w.channel != dialer.Call && (c.TemplateID == 0 || c.TemplateVersion != 1 || !strings.Contains(c.Body, "http://wismo.test/track/"+id(n))) {
				t.Errorf("parcel %d contact %d: template %d v%d, body %q", n, i, c.TemplateID, c.TemplateVersion, c.Body)
			}
			if w.channel == dialer.Call && (c.CampaignID == 0 || c.ScriptID == 0 || c.ScriptVersion != 1) {
				t.Errorf("parcel %d call: campaign %d script %d v%d", n, c.CampaignID, c.ScriptID, c.ScriptVersion)
			}
		}
	}
	if c := e.contacts(id(7))[0]; !strings.Contains(c.Subject, "задержана таможней") || !strings.Contains(c.Body, "Здравствуйте, Иван!") {
		t.Errorf("customs email: %q / %q", c.Subject, c.Body)
	}

	// The log channel sends what is due; everything shows on the parcel's contact list.
	n, err := e.dialer.RunOnce(context.Background())
	if err != nil || n != 7 {
		t.Fatalf("sent %d (%v), want the 7 due SMS and emails (calls wait for the telephony engine)", n, err)
	}
	if c := e.contacts(id(1))[0]; c.Status != dialer.StatusSent || c.Provider != "log" || len(c.Log) != 2 {
		t.Fatalf("after sending: %+v", c)
	}

	// Late evening in Novosibirsk: the SMS waits for 09:00 there.
	e.set(parseTime("2026-11-20T16:00:00Z")) // 23:00
	e.parcel(id(11), "")
	e.events(ev(id(11), "EDD", "2026-11-20T15:55:00Z"))
	e.consume()
	if c := e.contacts(id(11)); len(c) != 1 || !c[0].DueAt.Equal(parseTime("2026-11-21T02:00:00Z")) {
		t.Fatalf("night-time SMS: %+v", c)
	}
	if n, _ := e.dialer.RunOnce(context.Background()); n != 0 {
		t.Fatalf("%d contacts went out at 23:00 local", n)
	}
}

// TestTemplateVersionIsKept: a contact planned before a new version was published goes out
// with the text of the version it was planned with.
func TestTemplateVersionIsKept(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := tracking.MakeS10("RB", 710001, "GB")
	e.parcel(p, "")
	e.set(parseTime("2026-11-20T16:00:00Z")) // 23:00 in Novosibirsk: the SMS will wait
	e.events(ev(p, "EDD", "2026-11-20T15:50:00Z"))
	e.consume()
	before := e.contacts(p)[0]
	list, _ := e.svc.Templates(ctx, e.brand)
	for _, tpl := range list {
		if tpl.Name == "sorting_center" && tpl.Language == "ru" {
			if _, err := e.svc.SaveTemplate(ctx, e.brand, tpl.ID, TemplateInput{Content: Content{SMS: "НОВАЯ ВЕРСИЯ {{.parcel.id}}"}}, "me"); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.set(parseTime("2026-11-21T02:00:00Z"))
	if _, err := e.dialer.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	after := e.contacts(p)[0]
	if after.Status != dialer.StatusSent || after.Body != before.Body || after.TemplateVersion != 1 || strings.Contains(after.Body, "НОВАЯ") {
		t.Fatalf("sent %q (v%d), planned %q", after.Body, after.TemplateVersion, before.Body)
	}
}

// TestCaseActionAndCallOutcomeTrigger: a brand's own rules react to a call's outcome and
// open a case through the case tracker.
func TestCaseActionAndCallOutcomeTrigger(t *testing.T) {
	e := newEnv(t)
	opener := &fakeOpener{}
	e.svc.opts.Cases = opener
	ctx := context.Background()
	if err := e.svc.EnsureStandardFlow(ctx, e.brand); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.SaveRule(ctx, e.brand, 0, Rule{Name: "refused COD: open a case", Enabled: true, Trigger: "call_outcome",
		Codes: []string{"refused"}, Condition: `call.final`, Action: "open_case", CaseType: "return_request", Note: "COD refused on the phone"})
	if err != nil {
		t.Fatal(err)
	}
	p := tracking.MakeS10("RB", 720001, "GB")
	e.parcel(p, "2500.00")
	e.events(ev(p, "EMG", "2026-11-20T05:50:00Z"))
	e.consume()
	call := e.contacts(p)[0]
	// The telephony engine would claim and place it; record the claim and the outcome.
	e.db.SQL.Exec(e.db.Rebind(`UPDATE contacts SET status = 'calling', attempts = 1 WHERE id = ?`), call.ID)
	if err := e.dialer.RecordCallOutcome(ctx, call.ID, "answered", "refused", "agent:7", time.Time{}); err != nil {
		t.Fatal(err)
	}
	e.consume()
	e.consume() // replays change nothing
	if n, err := e.svc.OpenCases(ctx); err != nil || n != 1 {
		t.Fatalf("opened %d cases: %v", n, err)
	}
	if len(opener.calls) != 1 || opener.calls[0] != "return_request "+p+" COD refused on the phone" {
		t.Fatalf("case tracker got %v (rule %d)", opener.calls, r.ID)
	}
}

type fakeOpener struct{ calls []string }

func (f *fakeOpener) OpenFromRule(_ context.Context, _ int64, parcel, typ, note string) (string, error) {
	f.calls = append(f.calls, typ+" "+parcel+" "+note)
	return "MM-000001", nil
}
