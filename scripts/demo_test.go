package scripts

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store/storetest"
)

// TestStandardFlowOnDemoData: the demo generator's brands and histories go in; the
// standard flow plans SMS, emails and calls for the parcels whose latest scan is fresh news,
// each due inside its recipient's window; the log channel sends what is due; each parcel's
// contacts are on its contact list in the API.
func TestStandardFlowOnDemoData(t *testing.T) {
	e := open(t, parseTime("2026-11-20T09:30:00Z"))
	sum, err := demo.Run(context.Background(), demo.Options{Parcels: 400, Seed: 11, Now: e.now}, e.acc, e.cs, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	e.consume()
	n, err := e.dialer.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.db.SQL.Query(`SELECT c.parcel_id, c.brand_id, c.channel, c.status, c.due_at, c.time_zone, r.codes, p.last_event_at
		FROM contacts c JOIN rules r ON r.id = c.rule_id JOIN parcels p ON p.id = c.parcel_id ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	channels := map[string]int{}
	var sample string
	var sampleBrand int64
	for rows.Next() {
		var parcel, ch, status, zone, codes string
		var brand int64
		var due time.Time
		var last sql.NullTime
		if err := rows.Scan(&parcel, &brand, &ch, &status, &due, &zone, &codes, &last); err != nil {
			t.Fatal(err)
		}
		channels[ch+" "+status]++
		if sample == "" && ch == "sms" {
			sample, sampleBrand = parcel, brand
		}
		if !last.Valid || e.now.Sub(last.Time) > 24*time.Hour {
			t.Errorf("%s: contacted about news older than a day (latest scan %v)", parcel, last.Time)
		}
		loc, _ := time.LoadLocation(zone)
		if h := due.In(loc).Hour(); ch != "email" && (h < 9 || h >= 21) {
			t.Errorf("%s: %s due at %s local", parcel, ch, due.In(loc).Format("15:04"))
		}
		if ch != "call" && status == string(dialer.StatusPlanned) && !due.After(e.now) {
			t.Errorf("%s: a due %s was not sent", parcel, ch)
		}
		if !slices.ContainsFunc(strings.Split(codes, ","), func(c string) bool { return c != "" }) {
			t.Errorf("%s: planned by a rule with no codes", parcel)
		}
	}
	t.Logf("demo: %d parcels, %d events; contacts %v; %d sent now", sum.Parcels, sum.Events, channels, n)
	if channels["sms sent"] == 0 || channels["call planned"] == 0 {
		t.Fatalf("the demo data should plan SMS and calls: %v", channels)
	}
	var key string
	for _, b := range sum.Brands {
		if b.ID == sampleBrand {
			key = b.APIKey
		}
	}
	var out struct{ Contacts []dialer.Contact }
	if code := newAPI(e).do("GET", "/api/v1/parcels/"+sample+"/contacts", key, nil, &out); code != 200 || len(out.Contacts) == 0 {
		t.Fatalf("contact list of %s: %d %+v", sample, code, out)
	}
}
