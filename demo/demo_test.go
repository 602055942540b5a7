package demo

import (
	"context"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

var testNow = time.Now().UTC().Truncate(time.Second)

func runDemo(t testing.TB, n int, seed int64) (*store.DB, Summary) {
	t.Helper()
	batch := 1000
	if v, err := strconv.Atoi(os.Getenv("DEMO_BATCH")); err == nil && v > 0 {
		batch = v
	}
	db := storetest.Open(t)
	acc := access.NewService(db)
	cs := tracking.NewService(db, storetest.Logger(t), nil)
	sum, err := Run(context.Background(), Options{Parcels: n, Seed: seed, Now: testNow, BatchSize: batch}, acc, cs, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	return db, sum
}

func countBy(t testing.TB, db *store.DB, col string) map[string]int {
	t.Helper()
	rows, err := db.SQL.Query(`SELECT ` + col + `, count(*) FROM parcels GROUP BY ` + col)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRun(t *testing.T) {
	db, sum := runDemo(t, 300, 1)
	if len(sum.Brands) != 3 || len(sum.Posts) != len(demoPosts) || len(sum.Users) != 4 {
		t.Fatalf("seeded %d brands, %d posts, %d users", len(sum.Brands), len(sum.Posts), len(sum.Users))
	}
	for _, b := range sum.Brands {
		if b.ID == 0 || !strings.HasPrefix(b.APIKey, "wsm_") {
			t.Errorf("brand %+v", b)
		}
	}
	if sum.Parcels != 300 || sum.Events < 1500 {
		t.Fatalf("created %d parcels and %d events", sum.Parcels, sum.Events)
	}
	if len(sum.Sample) != len(sampleStories) {
		t.Errorf("sample %v, want one parcel per story", sum.Sample)
	}
	var events int
	if err := db.SQL.QueryRow(`SELECT count(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != sum.Events {
		t.Errorf("events table has %d rows, summary says %d", events, sum.Events)
	}
	phases := countBy(t, db, "phase")
	t.Logf("phases: %v", phases)
	if len(phases) < 6 {
		t.Errorf("only %d phases: %v", len(phases), phases)
	}
	for _, p := range []string{"delivered", "delivery_attempted", "customs", "out_for_delivery"} {
		if phases[p] == 0 {
			t.Errorf("no parcel is %s: %v", p, phases)
		}
	}
	if phases["returned"]+phases["returning"] == 0 {
		t.Errorf("no returns: %v", phases)
	}
	rules := countBy(t, db, "time_zone_rule")
	t.Logf("time zone rules: %v", rules)
	for _, r := range []geo.ZoneRule{geo.ZoneGiven, geo.ZoneRegion, geo.ZonePhone, geo.ZoneCountry} {
		if rules[string(r)] == 0 {
			t.Errorf("rule %s never used: %v", r, rules)
		}
	}
	// Every parcel waiting at a pick-up point says where, until when and when it is open
	// (the tracking page shows it; the pickup-deadline rule counts from it).
	var waiting, without int
	if err := db.SQL.QueryRow(`SELECT count(*), count(*) - count(pp.item_id) FROM parcels p
		LEFT JOIN pickup_points pp ON pp.item_id = p.id AND pp.address <> '' AND pp.deadline <> '' AND pp.hours <> ''
		WHERE p.phase = 'ready_for_pickup'`).Scan(&waiting, &without); err != nil {
		t.Fatal(err)
	}
	if waiting == 0 || without != 0 {
		t.Errorf("%d parcels wait at a pick-up point, %d of them with no address, hours or deadline", waiting, without)
	}
	acc := access.NewService(db)
	for _, u := range sum.Users {
		if _, err := acc.Login(context.Background(), u.Email, u.Password); err != nil {
			t.Errorf("login %s: %v", u.Email, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := newGen(42, testNow), newGen(42, testNow)
	var first []plan
	for i := 0; i < 50; i++ {
		pa, pb := a.parcel(i), b.parcel(i)
		if !reflect.DeepEqual(pa.parcel, pb.parcel) || !reflect.DeepEqual(pa.events, pb.events) {
			t.Fatalf("parcel %d differs between two runs with one seed:\n%+v\n%+v", i, pa.parcel, pb.parcel)
		}
		pa.events = append([]tracking.EventInput(nil), pa.events...)
		first = append(first, pa)
	}
	// A parcel does not depend on the ones before it (batch sizes do not matter).
	c := newGen(42, testNow)
	for _, i := range []int{49, 17, 3} {
		p := c.parcel(i)
		if !reflect.DeepEqual(p.parcel, first[i].parcel) || !reflect.DeepEqual(p.events, first[i].events) {
			t.Fatalf("parcel %d depends on generation order", i)
		}
	}
}

func TestIDsDistinctAcrossSeeds(t *testing.T) {
	const n = 20000
	seen := map[string]int64{}
	for _, seed := range []int64{1, 2} {
		g := newGen(seed, testNow)
		for i := 0; i < n; i++ {
			id := g.parcel(i).parcel.ID
			if _, err := tracking.ParseS10(id); err != nil {
				t.Fatalf("seed %d parcel %d: %s: %v", seed, i, id, err)
			}
			if prev, dup := seen[id]; dup {
				t.Fatalf("id %s from seed %d clashes with seed %d", id, seed, prev)
			}
			seen[id] = seed
		}
	}
}

// TestPhonesValid checks every phone pattern of every place, and the phones of many parcels.
func TestPhonesValid(t *testing.T) {
	g := newGen(3, testNow)
	g.reseed(0)
	for cc, pls := range theWorld().places {
		for _, pl := range pls {
			for k := 0; k < 100; k++ {
				raw := g.phone(pl)
				if _, err := geo.NormalizePhone(raw, cc); err != nil {
					t.Fatalf("%s %s: %v", cc, pl.latin, err)
				}
			}
		}
	}
	noPhone := 0
	const n = 20000
	for i := 0; i < n; i++ {
		p := g.parcel(i).parcel
		if p.Recipient.Phone == "" {
			noPhone++
			continue
		}
		if _, err := geo.NormalizePhone(p.Recipient.Phone, p.DestinationCountry); err != nil {
			t.Fatalf("parcel %d to %s: %v", i, p.DestinationCountry, err)
		}
	}
	if share := float64(noPhone) / n; share < 0.02 || share > 0.045 {
		t.Errorf("%.1f%% of parcels have no phone, want about 3%%", share*100)
	}
}

func TestAllRussianSubjects(t *testing.T) {
	g := newGen(5, testNow)
	g.reseed(0)
	subjects := map[string]bool{}
	for _, pl := range theWorld().places["RU"] {
		if _, ok := geo.RegionZone(pl.region); !ok {
			t.Errorf("%s has no zone in geo", pl.region)
		}
		subjects[pl.region] = true
	}
	if len(subjects) != 83 {
		t.Fatalf("%d Russian federal subjects in the table, want 83", len(subjects))
	}
	drawn := map[string]bool{}
	for i := 0; i < 300000 && len(drawn) < 83; i++ {
		drawn[g.place("RU").region] = true
	}
	if len(drawn) != 83 {
		t.Errorf("300000 draws reached only %d subjects", len(drawn))
	}
}

// TestRealism checks the mix and the rules of the histories without a database.
func TestRealism(t *testing.T) {
	g := newGen(11, testNow)
	const n = 20000
	count := map[string]int{}
	codDest := 0
	for i := 0; i < n; i++ {
		p := g.parcel(i)
		in := p.parcel
		count["dest:"+in.DestinationCountry]++
		count["level:"+in.ServiceLevel]++
		count["kind:"+in.Kind]++
		if in.DestinationCountry == "RU" || in.DestinationCountry == "KZ" || in.DestinationCountry == "BY" {
			codDest++
			if in.COD != nil {
				count["cod"]++
			}
		}
		if in.Kind == "packet" && (in.WeightKg < 0.05 || in.WeightKg > 2) || in.WeightKg > 30 {
			t.Fatalf("parcel %d: %s of %g kg", i, in.Kind, in.WeightKg)
		}
		if len(in.Contents) < 1 || len(in.Contents) > 4 || in.DeclaredValue == nil {
			t.Fatalf("parcel %d: %d content lines", i, len(in.Contents))
		}
		for _, c := range in.Contents {
			if len(c.HSCode) != 6 || c.OriginCountry == "" || c.Value == "" {
				t.Fatalf("parcel %d: content %+v", i, c)
			}
		}
		dom := in.Recipient.Email[strings.IndexByte(in.Recipient.Email, '@')+1:]
		if dom != "example.com" && dom != "example.org" && dom != "example.net" {
			t.Fatalf("parcel %d: email %s", i, in.Recipient.Email)
		}
		prev := testNow.Add(-45 * day)
		seen := map[string]bool{}
		for _, e := range p.events {
			at, err := time.Parse(time.RFC3339, e.OccurredAt)
			if err != nil || !at.After(prev) || at.After(testNow) {
				t.Fatalf("parcel %d: event %s at %s after %s (now %s)", i, e.Code, e.OccurredAt, prev, testNow)
			}
			prev = at
			seen[e.Code] = true
			if e.Reason != "" && e.Code != "EMH" && e.Code != "EME" || e.Action != "" && e.Code != "EMH" ||
				e.Signature != "" && e.Code != "EMI" || e.Office == "" || e.TimeZone == "" || e.Location == "" {
				t.Fatalf("parcel %d: event %+v", i, e)
			}
			if e.Action == tracking.ActionReturnToSender {
				count["return"]++
			}
		}
		if seen["EMH"] {
			count["emh"]++
		}
		if seen["EME"] {
			count["eme"]++
		}
		switch {
		case in.ServiceLevel == "economy" && len(p.events) > 3,
			len(p.events) > 24:
			t.Fatalf("parcel %d (%s) has %d events", i, in.ServiceLevel, len(p.events))
		}
		if in.ServiceLevel != "economy" && !seen["EMH"] && !seen["EME"] && seen["EMI"] {
			count["tracked"]++
			if len(p.events) <= 10 {
				count["upto10"]++
			}
		}
	}
	pct := func(k string, of int) float64 { return 100 * float64(count[k]) / float64(of) }
	checks := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"RU destinations", pct("dest:RU", n), 55, 68},
		{"premium", pct("level:premium", n), 17, 23},
		{"economy", pct("level:economy", n), 22, 28},
		{"packets", pct("kind:packet", n), 67, 73},
		{"COD among RU/KZ/BY", pct("cod", codDest), 32, 38},
		{"customs holds", pct("eme", n), 5, 10},
		{"failed attempts", pct("emh", n), 9, 18},
		{"returns", pct("return", n), 2, 6},
		{"plain tracked ≤ 10 scans", pct("upto10", count["tracked"]), 60, 100},
	}
	for _, c := range checks {
		t.Logf("%-20s %5.1f%%", c.what, c.got)
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s: %.1f%%, want %g-%g%%", c.what, c.got, c.min, c.max)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	g := newGen(1, testNow)
	events := 0
	for i := 0; b.Loop(); i++ {
		events += len(g.parcel(i).events)
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/parcel")
}

// BenchmarkRun times a whole run on a fresh database and logs the phase and time-zone-rule
// distribution: go test -run '^$' -bench Run -benchtime 1x ./demo/ (DEMO_PARCELS=2000 to change
// the size, default 20000; DEMO_BATCH=500 to change the batch size, default 1000).
func BenchmarkRun(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("DEMO_PARCELS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		start := time.Now()
		db, sum := runDemo(b, n, 1)
		took := time.Since(start)
		b.ReportMetric(float64(n)/took.Seconds(), "parcels/s")
		b.ReportMetric(float64(sum.Events)/took.Seconds(), "events/s")
		b.Logf("%d parcels, %d events in %s (%s)", sum.Parcels, sum.Events, took.Round(time.Millisecond), db.Dialect)
		b.Logf("phases: %v", countBy(b, db, "phase"))
		b.Logf("rules: %v", countBy(b, db, "time_zone_rule"))
		b.Logf("destinations: %v", countBy(b, db, "destination_country"))
	}
}

// The demo brand's look passes the checks a brand manager's does.
func TestDemoLookIsValid(t *testing.T) {
	if _, p := branding.CheckLogo([]byte(matryoshkaLogo)); p != nil {
		t.Errorf("demo logo: %+v", p)
	}
	if _, probs := branding.Check(branding.Look{Bar: "#5c1a28", Accent: "#a3263a", Hotline: "+7 495 777-12-34", ShopURL: "https://matryoshka.example",
		Words: branding.Words{"ru": {"event.EMI": "x"}}}); len(probs) > 0 {
		t.Errorf("demo look: %v", probs)
	}
}
