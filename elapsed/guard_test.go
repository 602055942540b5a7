package elapsed_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/elapsed"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// Turning a rule on arms every existing parcel, but those that became due longer ago than
// the brand's freshness limit (24 h) contact no one: only the parcel that stalls from now on
// gets the SMS.
func TestFreshnessGuardWhenARuleIsTurnedOn(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var old []string
	for n := range 5 {
		id := tracking.MakeS10("RB", 200000+n, "GB")
		old = append(old, id)
		w.Upsert(w.ScopeA(), trackingtest.Parcel(id))
		w.Events(w.ScopeA(), trackingtest.Event(id, "EDD", at(w.Now.Add(-30*24*time.Hour))))
	}
	recent := tracking.MakeS10("RB", 200010, "GB")
	w.Upsert(w.ScopeA(), trackingtest.Parcel(recent))
	w.Events(w.ScopeA(), trackingtest.Event(recent, "EDD", at(w.Now.Add(-2*24*time.Hour))))
	// The standard no-scan rule is on: the old parcels' rows are due three weeks ago.
	s := w.tick()
	if s.Fired != 0 || s.Stale != 5 {
		t.Fatalf("standard rules on old parcels: %+v, want 5 stale, none fired", s)
	}
	w.Now = w.Now.Add(time.Minute)
	r, err := w.sc.SaveRule(ctx, w.BrandA, 0, scripts.Rule{Name: "Stuck 3 days: SMS", Enabled: true, Trigger: "no_scan", N: 3,
		Codes: []string{"at_sorting_center"}, Condition: "recipient.has_phone", Action: "sms", Template: "sorting_center"})
	if err != nil {
		t.Fatal(err)
	}
	s = w.tick() // the backfill arms the six parcels for the new rule
	if s.Fired != 0 || s.Stale != 5 {
		t.Fatalf("turning the rule on: %+v, want the 5 old parcels stale", s)
	}
	w.Now = w.Now.Add(24 * time.Hour)
	w.tick()
	if n := w.fired(recent, r.ID); n != 1 {
		t.Fatalf("the parcel stuck for 3 days from now: %d contacts, want 1", n)
	}
	for _, id := range old {
		if n := w.fired(id, r.ID); n != 0 {
			t.Fatalf("old parcel %s contacted: %d", id, n)
		}
	}
	var outcome string
	w.DB.SQL.QueryRow(w.DB.Rebind(`SELECT outcome FROM elapsed_due WHERE parcel_id = ? AND rule_id = ?`), old[0], r.ID).Scan(&outcome)
	if outcome != "stale" {
		t.Fatalf("old parcel's row outcome %q, want stale", outcome)
	}
}

// The pick-up deadline rule fires two days before the last day, at 10:00 on the recipient's
// clock, with the point's address and last day in the SMS.
func TestPickupDeadlineSMS(t *testing.T) {
	w := newWorld(t) // 2026-11-20 12:00 UTC = 19:00 in Novosibirsk
	id := tracking.MakeS10("RB", 300001, "GB")
	w.Upsert(w.ScopeA(), trackingtest.Parcel(id))
	edh := trackingtest.Event(id, "EDH", at(w.Now.Add(-time.Hour)))
	edh.Pickup = &tracking.PickupInput{Deadline: "2026-11-25", Address: "Красный проспект 2", Hours: "9-20"}
	w.Events(w.ScopeA(), edh)
	w.tick()
	rule := w.rule(w.BrandA, pickupRule)
	// Due 2026-11-23 10:00 in Novosibirsk (UTC+7) = 03:00 UTC.
	w.Now = time.Date(2026, 11, 23, 2, 59, 0, 0, time.UTC)
	w.tick()
	if n := w.fired(id, rule); n != 0 {
		t.Fatalf("pick-up SMS before its time: %d", n)
	}
	w.Now = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	w.tick()
	var body string
	if err := w.DB.SQL.QueryRow(w.DB.Rebind(`SELECT body FROM contacts WHERE parcel_id = ? AND rule_id = ?`), id, rule).Scan(&body); err != nil {
		t.Fatalf("pick-up SMS: %v", err)
	}
	if !strings.Contains(body, "ждёт вас до 25.11.2026: Красный проспект 2 (9-20)") {
		t.Fatalf("pick-up SMS text %q", body)
	}
}

// A rule on elapsed time is checked like any rule, each problem naming its field.
func TestElapsedRuleValidation(t *testing.T) {
	for _, tc := range []struct {
		r     scripts.Rule
		field string
	}{
		{scripts.Rule{Trigger: "no_scan", N: 0}, "n"},
		{scripts.Rule{Trigger: "failed_attempts", N: 11}, "n"},
		{scripts.Rule{Trigger: "no_scan", N: 3, Codes: []string{"nowhere"}}, "codes"},
		{scripts.Rule{Trigger: "customs_held", N: 3, Codes: []string{"customs"}}, "codes"},
		{scripts.Rule{Trigger: "event", N: 3, Codes: []string{"EDD"}}, "n"},
		{scripts.Rule{Trigger: "pickup_deadline", N: 2, Delay: 60e9}, "delay"},
		{scripts.Rule{Trigger: "stalled"}, "trigger"},
	} {
		tc.r.Name, tc.r.Action, tc.r.Template = "x", "sms", "t"
		probs := scripts.CheckRule(context.Background(), tc.r)
		if len(probs) != 1 || probs[0].Field != tc.field {
			t.Errorf("%+v: problems %+v, want one on %s", tc.r, probs, tc.field)
		}
	}
	ok := scripts.Rule{Name: "x", Trigger: "no_scan", N: 7, Codes: []string{"customs", "at_sorting_center"}, Action: "open_case", CaseType: "non_receipt_or_delay"}
	if probs := scripts.CheckRule(context.Background(), ok); len(probs) != 0 {
		t.Errorf("valid no_scan rule refused: %+v", probs)
	}
}

// Two failed delivery attempts: the rule fires at once after the second, once; a third
// attempt moves the parcel and, still at two or more, fires it again.
func TestFailedAttempts(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := tracking.MakeS10("RB", 400001, "GB")
	w.Upsert(w.ScopeA(), trackingtest.Parcel(id))
	w.Now = w.Now.Add(time.Minute)
	r, err := w.sc.SaveRule(ctx, w.BrandA, 0, scripts.Rule{Name: "Two attempts: SMS", Enabled: true, Trigger: "failed_attempts", N: 2,
		Action: "sms", Template: "delivery_failed"})
	if err != nil {
		t.Fatal(err)
	}
	emh := func(at string) tracking.EventInput {
		e := trackingtest.Event(id, "EMH", at)
		e.Reason, e.Action = "ABSENT", "REDELIVERY"
		return e
	}
	w.Events(w.ScopeA(), emh(at(w.Now.Add(-3*time.Hour))))
	w.tick()
	if n := w.fired(id, r.ID); n != 0 {
		t.Fatalf("after one attempt: %d", n)
	}
	w.Events(w.ScopeA(), emh(at(w.Now.Add(-time.Hour))))
	w.tick()
	w.tick()
	if n := w.fired(id, r.ID); n != 1 {
		t.Fatalf("after two attempts: %d, want 1", n)
	}
	w.Events(w.ScopeA(), emh(at(w.Now.Add(-time.Minute))))
	w.tick()
	if n := w.fired(id, r.ID); n != 2 {
		t.Fatalf("after a third attempt: %d, want 2", n)
	}
}

// A brand that had the standard flow before opts in to the elapsed-time defaults: the rules
// it lacks are added, enabled, and a second opt-in adds nothing.
func TestOptInForAnExistingBrand(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.DB.SQL.Exec(w.DB.Rebind(`DELETE FROM rules WHERE brand_id = ? AND trigger_kind IN ('customs_held', 'no_scan', 'pickup_deadline')`), w.BrandB)
	added, err := elapsed.OptIn(ctx, w.sc, w.BrandB)
	if err != nil || len(added) != 3 {
		t.Fatalf("opt-in: %v %q, want the 3 rules", err, added)
	}
	if id := w.rule(w.BrandB, stallRule); id == 0 {
		t.Fatal("no-scan rule missing")
	}
	if added, err := elapsed.OptIn(ctx, w.sc, w.BrandB); err != nil || len(added) != 0 {
		t.Fatalf("second opt-in: %v %q, want nothing added", err, added)
	}
	if n := w.Count(`SELECT COUNT(*) FROM rules WHERE brand_id = ? AND trigger_kind = 'no_scan'`, w.BrandA); n != 1 {
		t.Fatalf("brand A's rules changed by B's opt-in: %d no-scan rules", n)
	}
}

// A rule that was off when its row came due is set aside, not fired; turned on again within
// the freshness limit, it fires for that parcel.
func TestRuleOffThenOnAgain(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := tracking.MakeS10("RB", 500001, "GB")
	w.Upsert(w.ScopeA(), trackingtest.Parcel(id))
	held := trackingtest.Event(id, "EME", at(w.Now.Add(-time.Hour)))
	held.Reason = "CUSTOMS_DUTIES"
	w.Events(w.ScopeA(), held)
	w.tick()
	w.Now = w.Now.Add(time.Minute)
	rid := w.rule(w.BrandA, customsRule)
	r, _ := w.sc.Rule(ctx, w.BrandA, rid)
	r.Enabled = false
	if _, err := w.sc.SaveRule(ctx, w.BrandA, rid, r); err != nil {
		t.Fatal(err)
	}
	w.Now = w.Now.Add(3 * 24 * time.Hour)
	if s := w.tick(); s.Moved != 1 || w.fired(id, rid) != 0 {
		t.Fatalf("due while off: %+v, fired %d", s, w.fired(id, rid))
	}
	w.Now = w.Now.Add(time.Hour)
	r.Enabled = true
	if _, err := w.sc.SaveRule(ctx, w.BrandA, rid, r); err != nil {
		t.Fatal(err)
	}
	w.tick()
	if n := w.fired(id, rid); n != 1 {
		t.Fatalf("turned on again: %d SMS, want 1", n)
	}
}
