package conversation_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// fakeSMS records the SMS the dialer sends.
type fakeSMS struct {
	mu   sync.Mutex
	sent []dialer.Message
}

func (f *fakeSMS) Send(_ context.Context, m dialer.Message) (dialer.Sent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return dialer.Sent{Provider: "test", IDs: []string{"m1"}, Encoding: "UCS-2", Parts: 1}, nil
}

type env struct {
	*casestest.Env
	dl    *dialer.Service
	sc    *scripts.Service
	conv  *conversation.Service
	sms   *fakeSMS
	smsID int64
}

func newEnv(t *testing.T) *env {
	e := &env{Env: casestest.New(t), sms: &fakeSMS{}}
	log := storetest.Logger(t)
	var err error
	if e.dl, err = dialer.New(e.DB, log, dialer.Options{SMS: e.sms, Email: &fakeSMS{}, Now: func() time.Time { return e.Now },
		PublicURL: "http://wismo.test"}); err != nil {
		t.Fatal(err)
	}
	e.sc = scripts.New(e.DB, log, scripts.Options{PublicURL: "http://wismo.test", Planner: e.dl, Parcels: e.Tracking, Brands: e.Access,
		Now: func() time.Time { return e.Now }})
	if err := e.sc.EnsureStandardFlow(context.Background(), e.BrandA); err != nil {
		t.Fatal(err)
	}
	e.Cases.AddTimelineSource(e.dl)
	e.conv = conversation.New(e.DB, log, e.dl, e.sc, e.Cases, e.Tracking)
	ts, err := e.conv.ReplyTemplates(context.Background(), e.BrandA)
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range ts {
		if tpl.Channel == "sms" && strings.HasSuffix(tpl.Name, "· ru") {
			e.smsID = tpl.ID
			break
		}
	}
	if e.smsID == 0 {
		t.Fatalf("no Russian SMS template among %+v", ts)
	}
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	return e
}

func (e *env) contactEntry(number string) *cases.TimelineEntry {
	e.T.Helper()
	v, err := e.Cases.Detail(context.Background(), e.ScopeA(), number, 0)
	if err != nil {
		e.T.Fatal(err)
	}
	for i := range v.Timeline {
		if v.Timeline[i].Kind == "contact" {
			return &v.Timeline[i]
		}
	}
	return nil
}

// A reply inside the recipient's window is a dialer contact that goes out by SMS, linked to
// the case, and shows on its timeline as sent.
func TestReplyIsSentThroughTheDialer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"})
	if err := e.conv.Reply(ctx, e.ScopeA(), casestest.AgentA, c, "sms", e.smsID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.dl.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("run the dialer: %d %v", n, err)
	}
	if len(e.sms.sent) != 1 || e.sms.sent[0].To != "+79131234567" || !strings.Contains(e.sms.sent[0].Text, "RB123456785GB") {
		t.Fatalf("sent: %+v", e.sms.sent)
	}
	msgs, err := e.conv.Messages(ctx, c.ID)
	if err != nil || len(msgs) != 1 || msgs[0].ContactID != e.sms.sent[0].ContactID || msgs[0].Direction != "out" || msgs[0].Channel != "sms" {
		t.Fatalf("the conversation: %+v %v", msgs, err)
	}
	en := e.contactEntry(c.Number)
	if en == nil || !strings.Contains(en.Summary, "sms sent") {
		t.Fatalf("the reply on the timeline: %+v", en)
	}
	got, _, _ := e.Cases.Case(ctx, e.ScopeA(), c.Number, 0)
	if got.FirstResponseAt == nil {
		t.Error("a reply should answer the first-response clock")
	}
}

// Outside the window the reply waits, planned for the window's next opening, and shows so.
func TestReplyOutsideTheWindowIsScheduled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var week [7][]dialer.Interval
	for d := range week {
		week[d] = []dialer.Interval{{Start: 3 * 60, End: 4 * 60}} // 03:00-04:00 in Novosibirsk; it is 19:00 there
	}
	if _, err := e.dl.SetWindows(ctx, e.BrandA, dialer.Windows{dialer.SMS: week}); err != nil {
		t.Fatal(err)
	}
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"})
	if err := e.conv.Reply(ctx, e.ScopeA(), casestest.AgentA, c, "", e.smsID); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.dl.RunOnce(ctx); n != 0 || len(e.sms.sent) != 0 {
		t.Fatalf("sent outside the window: %d %+v", n, e.sms.sent)
	}
	en := e.contactEntry(c.Number)
	if en == nil || !strings.Contains(en.Summary, "sms planned for 2026-11-21 03:00") {
		t.Fatalf("the scheduled reply on the timeline: %+v", en)
	}
	// A stale case page sends nothing.
	if err := e.conv.Reply(cases.IfVersion(ctx, 1), e.ScopeA(), casestest.AgentA, c, "sms", e.smsID); err == nil {
		t.Error("a reply from a stale page went through")
	}
	if msgs, _ := e.conv.Messages(ctx, c.ID); len(msgs) != 1 {
		t.Errorf("the stale reply was planned: %+v", msgs)
	}
}
