package elapsed_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/elapsed"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// world is wismo's rule path over one database with a controlled clock: tracking, the rules,
// the dialer (planning only) and the case tracker, and the elapsed-time service.
type world struct {
	*casestest.Env
	sc *scripts.Service
	el *elapsed.Service
}

func newWorld(t *testing.T) *world {
	w := &world{Env: casestest.New(t)}
	w.restart()
	for _, b := range []int64{w.BrandA, w.BrandB} {
		if err := w.sc.EnsureStandardFlow(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// restart builds new services on the same database, as a wismo restart does.
func (w *world) restart() {
	w.T.Helper()
	log := storetest.Logger(w.T)
	clock := func() time.Time { return w.Now }
	dl, err := dialer.New(w.DB, log, dialer.Options{Now: clock, PublicURL: "http://wismo.test"})
	if err != nil {
		w.T.Fatal(err)
	}
	w.sc = scripts.New(w.DB, log, scripts.Options{PublicURL: "http://wismo.test", Planner: dl, Parcels: w.Tracking, Brands: w.Access,
		Cases: w.Cases, Now: clock})
	w.el = elapsed.New(w.DB, log, w.sc, elapsed.Options{Now: clock, Batch: 3})
}

// tick lets wismo catch up at the current time: the arming consumer, the backfill, the sweep
// and the cases the rules asked for.
func (w *world) tick() elapsed.Swept {
	w.T.Helper()
	ctx := context.Background()
	// On PostgreSQL a committed message is read once no older transaction runs: consume until
	// the cursor has passed the last message written.
	last := int64(w.Count(`SELECT COALESCE(MAX(id), 0) FROM outbox`))
	for deadline := time.Now().Add(2 * time.Minute); ; {
		n, err := outbox.Consume(ctx, w.DB, elapsed.Consumer, 100, w.el.Handle)
		if err != nil {
			w.T.Fatal(err)
		}
		if at := w.Count(`SELECT COALESCE(MAX(last_id), 0) FROM outbox_cursors WHERE consumer = ?`, elapsed.Consumer); int64(at) >= last {
			break
		}
		if time.Now().After(deadline) {
			w.T.Fatal("the outbox did not drain within 2 minutes")
		}
		if n == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	for {
		n, err := w.el.ArmRules(ctx)
		if err != nil {
			w.T.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	s, err := w.el.Sweep(ctx)
	if err != nil {
		w.T.Fatal(err)
	}
	if _, err := w.sc.OpenCases(ctx); err != nil {
		w.T.Fatal(err)
	}
	return s
}

func (w *world) rule(brand int64, name string) int64 {
	w.T.Helper()
	rules, err := w.sc.Rules(context.Background(), brand)
	if err != nil {
		w.T.Fatal(err)
	}
	for _, r := range rules {
		if r.Name == name {
			return r.ID
		}
	}
	w.T.Fatalf("brand %d has no rule %q", brand, name)
	return 0
}

// fired counts what rule did for parcel: contacts planned and case requests.
func (w *world) fired(parcel string, rule int64) int {
	return w.Count(`SELECT COUNT(*) FROM contacts WHERE parcel_id = ? AND rule_id = ?`, parcel, rule) +
		w.Count(`SELECT COUNT(*) FROM rule_case_requests WHERE parcel_id = ? AND rule_id = ?`, parcel, rule)
}

func at(ts time.Time) string { return ts.UTC().Format(time.RFC3339) }

const (
	customsRule = "Customs hold for 3 days: SMS"
	stallRule   = "No scan for 7 days: case for an agent"
	pickupRule  = "Pick-up deadline in 2 days: SMS"
)

// The standard flow's rules on elapsed time, for a new brand: customs has held a parcel for
// 3 days (SMS), it has not moved for 7 days (a case for an agent). Each fires once, also
// after a restart; a new scan re-arms the parcel, and brands' rules and parcels stay apart.
func TestStandardElapsedRulesFireOnceAndRearm(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, b := tracking.MakeS10("RB", 100001, "GB"), tracking.MakeS10("RB", 100002, "GB")
	w.Upsert(w.ScopeA(), trackingtest.Parcel(a))
	w.Upsert(w.ScopeB(), trackingtest.Parcel(b))
	held := trackingtest.Event(a, "EME", at(w.Now.Add(-time.Hour)))
	held.Reason = "CUSTOMS_DUTIES"
	heldB := held
	heldB.ItemID = b
	w.Events(w.ScopeA(), trackingtest.Event(a, "EMA", at(w.Now.Add(-5*24*time.Hour))), held)
	w.Events(w.ScopeB(), heldB)
	if s := w.tick(); s.Fired != 0 {
		t.Fatalf("nothing is due yet: %+v", s)
	}
	if n := w.Count(`SELECT COUNT(*) FROM elapsed_due WHERE parcel_id = ?`, a); n != 2 {
		t.Fatalf("armed rows of the held parcel = %d, want 2 (customs hold, no scan)", n)
	}
	// Brand B turns its customs rule off; A's stays on. (A minute later: scripts caches a
	// compiled rule by its id and update time.)
	w.Now = w.Now.Add(time.Minute)
	rb := w.rule(w.BrandB, customsRule)
	r, _ := w.sc.Rule(ctx, w.BrandB, rb)
	r.Enabled = false
	if _, err := w.sc.SaveRule(ctx, w.BrandB, rb, r); err != nil {
		t.Fatal(err)
	}

	w.Now = w.Now.Add(3*24*time.Hour - 2*time.Hour) // held 2 days 23 hours
	w.tick()
	ra, stallA := w.rule(w.BrandA, customsRule), w.rule(w.BrandA, stallRule)
	if n := w.fired(a, ra); n != 0 {
		t.Fatalf("customs SMS before 3 days: %d", n)
	}
	w.Now = w.Now.Add(2 * time.Hour)
	w.tick()
	if n := w.fired(a, ra); n != 1 {
		t.Fatalf("customs SMS after 3 days: %d contacts, want 1", n)
	}
	var body string
	if err := w.DB.SQL.QueryRow(w.DB.Rebind(`SELECT body FROM contacts WHERE parcel_id = ? AND rule_id = ?`), a, ra).Scan(&body); err != nil ||
		!strings.Contains(body, "уже несколько дней на таможне") || !strings.Contains(body, "/track/"+a) {
		t.Fatalf("customs SMS text %q (%v)", body, err)
	}
	if n := w.fired(b, rb); n != 0 {
		t.Fatalf("brand B's disabled rule fired: %d", n)
	}
	if n := w.Count(`SELECT COUNT(*) FROM contacts WHERE parcel_id = ? AND rule_id IN (SELECT id FROM rules WHERE brand_id = ?)`, b, w.BrandA); n != 0 {
		t.Fatalf("brand A's rules contacted brand B's parcel: %d", n)
	}

	// Fires once: again, and after a restart on the same database.
	w.Now = w.Now.Add(time.Hour)
	w.tick()
	w.restart()
	w.tick()
	if n := w.fired(a, ra); n != 1 {
		t.Fatalf("customs SMS after another sweep and a restart: %d, want 1", n)
	}

	// 7 days without a scan: a case for an agent, once; B's parcel gets B's own.
	w.Now = w.Now.Add(4 * 24 * time.Hour)
	w.tick()
	w.tick()
	stallB := w.rule(w.BrandB, stallRule)
	if n, nb := w.fired(a, stallA), w.fired(b, stallB); n != 1 || nb != 1 {
		t.Fatalf("case requests after 7 days: A %d, B %d, want 1 each", n, nb)
	}
	if n := w.Count(`SELECT COUNT(*) FROM cases WHERE parcel_id = ? AND brand_id = ? AND type = 'non_receipt_or_delay'`, a, w.BrandA); n != 1 {
		t.Fatalf("open non-receipt cases of A's parcel: %d, want 1", n)
	}

	// A new scan moves the parcel: customs no longer applies, no-scan is armed again from it.
	w.Events(w.ScopeA(), trackingtest.Event(a, "EDC", at(w.Now.Add(-time.Minute))))
	w.tick()
	var due time.Time
	var fired *time.Time
	if err := w.DB.SQL.QueryRow(w.DB.Rebind(`SELECT due_at, fired_at FROM elapsed_due WHERE parcel_id = ? AND rule_id = ?`), a, stallA).Scan(&due, &fired); err != nil {
		t.Fatal(err)
	}
	if fired != nil || !due.Equal(w.Now.Add(-time.Minute).Add(7*24*time.Hour).Truncate(time.Second)) {
		t.Fatalf("re-armed no-scan row: due %s fired %v", due, fired)
	}
	if n := w.Count(`SELECT COUNT(*) FROM elapsed_due WHERE parcel_id = ? AND rule_id = ?`, a, ra); n != 0 {
		t.Fatalf("customs row still armed after the item left customs: %d", n)
	}
	w.Now = w.Now.Add(7 * 24 * time.Hour)
	w.tick()
	if n := w.fired(a, stallA); n != 2 {
		t.Fatalf("no-scan after it moved and stalled again: %d requests, want 2", n)
	}
}
