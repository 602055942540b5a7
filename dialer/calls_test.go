package dialer

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/tracking"
)

// fakePlacer stands in for the telephony engine.
type fakePlacer struct {
	mu    sync.Mutex
	calls []CallRequest
}

func (f *fakePlacer) PlaceCall(_ context.Context, r CallRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r)
	return nil
}

func TestDecideFollowsTheVocabulary(t *testing.T) {
	a := DefaultAlgorithm()
	tests := []struct {
		attempt              int
		outcome, disposition string
		retry                bool
		after                time.Duration
		status               Status
	}{
		{1, "answered", "reached", false, 0, StatusDone},
		{1, "answered", "wrong_number", false, 0, StatusDone},
		{1, "answered", "refused", false, 0, StatusDone},
		{1, "answered", "", false, 0, StatusDone}, // no disposition recorded: reached
		{1, "answered", "callback_requested", true, time.Hour, ""},
		{1, "answered", "voicemail", true, 3 * time.Hour, ""},
		{1, "answered", "delivery_rescheduled", true, 2 * time.Hour, ""}, // a brand's own disposition
		{1, "no_answer", "", true, 2 * time.Hour, ""},
		{1, "busy", "", true, 15 * time.Minute, ""},
		{1, "abandoned", "", true, 10 * time.Minute, ""},
		{2, "unreachable", "", true, time.Hour, ""},
		{3, "no_answer", "", false, 0, StatusExhausted},
		{3, "answered", "reached", false, 0, StatusDone},
	}
	for _, tt := range tests {
		d := a.Decide(tt.attempt, tt.outcome, tt.disposition)
		if d.Retry != tt.retry || d.After != tt.after || Status(d.Status) != tt.status {
			t.Errorf("attempt %d %s/%s: %+v", tt.attempt, tt.outcome, tt.disposition, d)
		}
	}
}

// TestCallSequence: a call is claimed only for a running campaign, handed to the telephony
// engine, and its outcomes drive the attempts: spacing, window and daily cap, until the
// sequence ends; each outcome goes to the outbox for the rules.
func TestCallSequence(t *testing.T) {
	placer := &fakePlacer{}
	e := newEnv(t, func(o *Options) { o.Calls = placer })
	ctx := context.Background()
	id := tracking.MakeS10("RB", 200001, "GB")
	e.parcel(id, "Europe/Moscow")
	camp, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "COD calls", Mode: "progressive", CallerID: "+74950000000"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.set(parseUTC("2026-06-15T09:00:00Z")) // 12:00 Moscow
	e.plan(Request{ParcelID: id, Channel: Call, To: "+79131234567", TimeZone: "Europe/Moscow", CampaignID: camp.ID, RuleID: 9, TriggerRef: "x"})
	if n := e.runOnce(); n != 0 {
		t.Fatalf("a draft campaign's call was claimed")
	}
	q, _ := e.svc.Queue(ctx, e.brand, camp.ID, 10)
	if len(q) != 1 {
		t.Fatalf("queue %d, want the due call waiting", len(q))
	}
	if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, "running"); err != nil {
		t.Fatal(err)
	}
	step := func(outcome, disposition string) Contact {
		t.Helper()
		if n := e.runOnce(); n != 1 {
			t.Fatalf("at %s %d calls claimed, want 1", e.clock.now(), n)
		}
		c := e.contacts(id)[0]
		if c.Status != StatusCalling {
			t.Fatalf("status %s after the claim", c.Status)
		}
		if err := e.svc.RecordCallOutcome(ctx, c.ID, outcome, disposition, "agent:1", time.Time{}); err != nil {
			t.Fatal(err)
		}
		return e.contacts(id)[0]
	}
	c := step("busy", "")
	if c.Status != StatusPlanned || !c.DueAt.Equal(parseUTC("2026-06-15T09:15:00Z")) {
		t.Fatalf("after busy: %s due %s", c.Status, c.DueAt)
	}
	e.clock.set(c.DueAt)
	c = step("no_answer", "")
	// Two calls today already: the daily cap moves the third to tomorrow 09:00 Moscow.
	if c.Status != StatusPlanned || !c.DueAt.Equal(parseUTC("2026-06-16T06:00:00Z")) {
		t.Fatalf("after the second call of the day: %s due %s (%s)", c.Status, c.DueAt, c.DueLocal)
	}
	e.clock.set(c.DueAt)
	c = step("no_answer", "")
	if c.Status != StatusExhausted || c.Attempts != 3 {
		t.Fatalf("after three attempts: %s attempts %d", c.Status, c.Attempts)
	}
	if len(placer.calls) != 3 || placer.calls[2].Attempt != 3 || placer.calls[0].CallerID != "+74950000000" {
		t.Fatalf("placed %+v", placer.calls)
	}
	var outcomes []CallOutcome
	rows, _ := e.db.SQL.Query(`SELECT payload FROM outbox WHERE topic = 'call.outcome' ORDER BY id`)
	for rows.Next() {
		var p string
		rows.Scan(&p)
		var o CallOutcome
		json.Unmarshal([]byte(p), &o)
		outcomes = append(outcomes, o)
	}
	rows.Close()
	if len(outcomes) != 3 || outcomes[0].Outcome != "busy" || !outcomes[2].Final || outcomes[2].Status != StatusExhausted {
		t.Fatalf("outbox call.outcome: %+v", outcomes)
	}
	entries, err := e.svc.TimelineFor(ctx, access.Brands(e.brand), []string{id})
	if err != nil || len(entries) != 3 || entries[0].Kind != "call" || entries[2].Summary != "call attempt 3: no_answer" {
		t.Fatalf("timeline %+v %v", entries, err)
	}
	if err := e.svc.RecordCallOutcome(ctx, c.ID, "answered", "reached", "agent:1", time.Time{}); err == nil {
		t.Fatal("an outcome for a call not in flight was accepted")
	}
}

func TestCallsNeedARunningCampaignOfTheBrand(t *testing.T) {
	e := newEnv(t)
	id := tracking.MakeS10("RB", 200003, "GB")
	e.parcel(id, "Europe/Moscow")
	camp, err := e.svc.SaveCampaign(context.Background(), e.brand, Campaign{Name: "Old", Mode: "preview"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetCampaignStatus(context.Background(), e.brand, camp.ID, "stopped"); err != nil {
		t.Fatal(err)
	}
	e.plan(Request{ParcelID: id, Channel: Call, To: "+79131234567", TimeZone: "Europe/Moscow", RuleID: 1, TriggerRef: "a"},
		Request{ParcelID: id, Channel: Call, To: "+79131234567", TimeZone: "Europe/Moscow", CampaignID: camp.ID, RuleID: 2, TriggerRef: "a"})
	list := e.contacts(id)
	if list[0].Status != StatusSuppressed || list[1].Status != StatusCancelled {
		t.Fatalf("a call without a campaign: %s (%s); in a stopped one: %s", list[0].Status, list[0].Detail, list[1].Status)
	}
}

func TestCampaignStopCancelsPlannedCalls(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := tracking.MakeS10("RB", 200002, "GB")
	e.parcel(id, "Europe/Moscow")
	camp, err := e.svc.SaveCampaign(ctx, e.brand, Campaign{Name: "Returns", Mode: "preview"})
	if err != nil {
		t.Fatal(err)
	}
	e.plan(Request{ParcelID: id, Channel: Call, To: "+79131234567", TimeZone: "Europe/Moscow", CampaignID: camp.ID})
	for _, st := range []string{"running", "paused", "stopped"} {
		if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.svc.Campaign(ctx, e.brand, camp.ID)
	if err != nil || got.Status != "stopped" || got.Progress.ByStatus["cancelled"] != 1 {
		t.Fatalf("stopped campaign %+v %v", got, err)
	}
	if _, err := e.svc.SetCampaignStatus(ctx, e.brand, camp.ID, "running"); err == nil {
		t.Fatal("a stopped campaign restarted")
	}
}

// TestCampaignCallerIDIsACallerID: a campaign's caller id becomes the From of its calls, so
// one with a line break (which would add SIP headers) or spaces is refused, naming the field.
func TestCampaignCallerIDIsACallerID(t *testing.T) {
	e := newEnv(t)
	for i, bad := range []string{"+7999\r\nP-Asserted-Identity: <sip:evil@x>", "+7\r\nX-Evil: 1", "+7 495 000 00 00", "shop?x=y"} {
		_, err := e.svc.SaveCampaign(context.Background(), e.brand, Campaign{Name: "COD calls " + string(rune('a'+i)), Mode: "progressive", CallerID: bad})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "caller_id: ") {
			t.Errorf("caller_id %q: %v, want ErrInvalid naming caller_id", bad, err)
		}
	}
	if _, err := e.svc.SaveCampaign(context.Background(), e.brand, Campaign{Name: "COD calls", Mode: "progressive", CallerID: "+74950000000"}); err != nil {
		t.Fatal(err)
	}
}
