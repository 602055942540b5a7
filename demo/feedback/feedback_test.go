package feedback

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/csat"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/demo/carrier"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestFeedback: after the demo load (as `make run` does it: Run, Cases, Workspace, Feedback)
// the customers' side of wismo has something real on every page: the dashboard's CSAT tiles
// (delivery and service, the demo agent credited), customers' SMS and e-mail on demo cases
// (one case opened by an SMS) and an unknown sender in the review queue, delivery days chosen
// on the tracking page and by an automated call (each on its parcel and on a case), and the
// abandoned outbound calls of predictive campaigns, one under the 3% limit and one over it.
func TestFeedback(t *testing.T) {
	ctx := context.Background()
	db, _ := runDemo(t, 2000, 12)
	log := storetest.Logger(t)
	cs := cases.NewCaseService(db, log, "http://127.0.0.1:8080")
	if _, err := demo.Cases(ctx, demo.CaseOptions{Cases: 200, Seed: 12, Now: testNow}, db, cs, log); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.SweepSLA(ctx); err != nil {
		t.Fatal(err)
	}
	dl, err := dialer.New(db, log, dialer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deps := demo.WorkspaceDeps{DB: db, Parcels: tracking.NewService(db, log, nil), Cases: cs, Calls: callcenter.NewCallLog(db),
		Recordings: recordings.NewService(db, t.TempDir(), log), Dialer: dl, Log: log, Voice: carrier.Clip}
	if _, err := demo.Workspace(ctx, deps, 12, testNow); err != nil {
		t.Fatal(err)
	}
	sum, err := Create(ctx, deps, 12, testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", sum)
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(q), args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	everyone := access.Operator()

	// CSAT: the dashboard's default week has delivery and service figures, by brand, post,
	// region and the demo agent; mostly 4-5, some low scores with comments.
	now := time.Now().UTC()
	cs2, err := csat.New(db).Summary(ctx, everyone, now.AddDate(0, 0, -7), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if cs2.Delivery.Ratings < 24 || len(cs2.Brands) < 3 || len(cs2.Regions) < 3 || len(cs2.Posts) < 2 {
		t.Errorf("delivery CSAT: %d ratings, %d brands, %d regions, %d posts", cs2.Delivery.Ratings, len(cs2.Brands), len(cs2.Regions), len(cs2.Posts))
	}
	if c := cs2.Delivery.CSAT(); c < 0.6 || c >= 1 {
		t.Errorf("delivery CSAT %.2f: want mostly 4-5 and some 1-3", c)
	}
	if n := count(`SELECT COUNT(*) FROM ratings WHERE case_number = '' AND score <= 3 AND comment <> ''`); n == 0 {
		t.Error("no low delivery rating with a comment")
	}
	if cs2.Service.Ratings == 0 || len(cs2.Agents) == 0 || cs2.Agents[0].Name != demo.AgentEmail {
		t.Errorf("service CSAT: %d ratings, agents %+v", cs2.Service.Ratings, cs2.Agents)
	}

	// Customers writing back.
	brands, err := demo.BrandIDs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	in := inbound.New(db, log, inbound.Options{Cases: cs})
	for i, b := range brands {
		st, err := in.SettingsOf(ctx, everyone, b)
		if err != nil || st.SMSNumber == "" || st.MailAddress == "" {
			t.Errorf("brand %d (%d): inbound settings %+v, %v", i, b, st, err)
		}
	}
	if n := count(`SELECT COUNT(*) FROM inbound_messages WHERE channel = 'sms' AND outcome = 'case'`); n < 2 {
		t.Errorf("%d SMS replies on cases", n)
	}
	if n := count(`SELECT COUNT(*) FROM inbound_messages WHERE channel = 'email' AND outcome IN ('case', 'case_reopened')`); n == 0 {
		t.Error("no e-mail on a case")
	}
	if n := count(`SELECT COUNT(*) FROM inbound_messages m JOIN cases c ON c.id = m.case_id
		WHERE m.channel = 'sms' AND m.outcome = 'case_opened' AND c.source = 'sms'`); n != 1 {
		t.Errorf("%d cases opened by an SMS, want 1", n)
	}
	if n := count(`SELECT COUNT(*) FROM case_log WHERE kind = 'message_in'`); n < 4 {
		t.Errorf("%d message_in entries on case timelines", n)
	}
	// The case page names what the demo shows in both languages (no raw catalog keys): every
	// case source and the customer's message on the timeline.
	srcs, err := queryStrings(ctx, deps, 1, `SELECT DISTINCT source FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"cases.kind.message_in", "cases.kind.choice"}
	for _, s := range srcs {
		keys = append(keys, "cases.source."+s[0])
	}
	for _, k := range keys {
		if !i18n.Default().Has(k) {
			t.Errorf("the case page shows the raw key %s: not in the catalog", k)
		}
	}
	q, err := in.Review(ctx, everyone, brands[0], 10)
	if err != nil || len(q) != 1 {
		t.Errorf("review queue of the first brand: %+v, %v", q, err)
	}

	// Delivery days: one chosen on the page, one in an automated call, each the parcel's
	// choice in force and on a delivery_change case.
	days := deliverydays.New(db, cs)
	var vias []string
	rows, err := queryStrings(ctx, deps, 2, `SELECT brand_id, parcel_id FROM parcel_choices ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		var brand int64
		for _, b := range brands {
			if r[0] == strconv.FormatInt(b, 10) {
				brand = b
			}
		}
		c, err := days.Latest(ctx, brand, r[1])
		if err != nil || c == nil || c.CaseNumber == "" {
			t.Errorf("parcel %s: choice %+v, %v", r[1], c, err)
			continue
		}
		vias = append(vias, c.Via)
	}
	if len(vias) != 2 || vias[0] != deliverydays.ViaWeb || vias[1] != deliverydays.ViaRobocall {
		t.Errorf("delivery day choices by %v, want web and robocall", vias)
	}

	// Abandoned outbound calls: a predictive campaign under 3% and one over it.
	ab, err := reports.Abandons(ctx, db, everyone, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	var under, over int
	for _, a := range ab {
		if a.Mode != "predictive" || a.Month.Abandoned == 0 {
			continue
		}
		if a.Month.Over {
			over++
		} else {
			under++
		}
	}
	// The answered ones were wrapped up: the dashboard's answer rate reads them.
	if n := count(`SELECT COUNT(*) FROM calls WHERE mode = 'predictive' AND outcome = 'answered' AND disposition = ''`); n != 0 {
		t.Errorf("%d answered predictive calls without a disposition", n)
	}
	if under != 1 || over != 1 {
		t.Errorf("predictive campaigns with abandoned calls: %d under 3%%, %d over, want 1 and 1: %+v", under, over, ab)
	}
}

// testNow is the demo's clock in these tests (as package demo's tests use).
var testNow = time.Now().UTC().Truncate(time.Second)

// runDemo loads n demo parcels into a new test database.
func runDemo(t testing.TB, n int, seed int64) (*store.DB, demo.Summary) {
	t.Helper()
	db := storetest.Open(t)
	sum, err := demo.Run(context.Background(), demo.Options{Parcels: n, Seed: seed, Now: testNow},
		access.NewService(db), tracking.NewService(db, storetest.Logger(t), nil), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	return db, sum
}
