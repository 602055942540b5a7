package eta

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

func TestWorkingDays(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, msk); return v }
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2026-12-07 10:00", "2026-12-07 18:00", 0}, // Monday, same day
		{"2026-12-07 10:00", "2026-12-08 09:00", 1},
		{"2026-12-11 10:00", "2026-12-14 09:00", 1}, // Friday to Monday
		{"2026-12-11 10:00", "2026-12-12 11:00", 1}, // delivered on Saturday: as on Monday
		{"2026-12-07 10:00", "2026-12-21 10:00", 10},
	} {
		got := WorkingDays(at(tc.from), at(tc.to), msk)
		if got != tc.want {
			t.Errorf("WorkingDays(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
		// Adding the days back reaches the first working day on or after the delivery.
		back := AddWorkingDays(at(tc.from), got, msk)
		if d := at(tc.to); back.Format("2006-01-02") < d.Format("2006-01-02") {
			t.Errorf("AddWorkingDays(%s, %d) = %s, before the delivery", tc.from, got, back.Format("2006-01-02"))
		}
	}
}

// samples makes n delivered parcels of a lane and region, each taking days working days
// from posting.
func samples(n int, origin, region, level string, days int) []Sample {
	var out []Sample
	posted := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday
	for i := range n {
		out = append(out, Sample{ID: fmt.Sprintf("%s%s%d", origin, region, i), Origin: origin, Destination: "RU", Region: region, Level: level,
			Zone: time.UTC, DeliveredAt: AddWorkingDays(posted, days, time.UTC), Entered: map[tracking.Phase]time.Time{"posted": posted}})
	}
	return out
}

// The rule: the lane's own figure for the region; else the lane's country figure moved by the
// region's difference over every origin and level; else the country's; else the standard.
func TestLookupFallsBackAsDocumented(t *testing.T) {
	var all []Sample
	all = append(all, samples(40, "CN", "RU-MOW", "standard", 10)...) // enough for the region on the lane
	all = append(all, samples(40, "CN", "RU-SPE", "standard", 10)...)
	all = append(all, samples(10, "CN", "RU-KAM", "standard", 18)...) // too few on the lane...
	all = append(all, samples(15, "TR", "RU-KAM", "economy", 22)...)  // ...but enough over all lanes and levels
	all = append(all, samples(5, "TR", "RU-CHU", "standard", 30)...)  // too few anywhere
	all = append(all, samples(40, "TR", "RU-MOW", "economy", 14)...)
	e := New(nil, nil)
	e.SetStats(Aggregate(all))
	for _, tc := range []struct {
		origin, region, level string
		basis                 string
		days                  int
	}{
		{"CN", "RU-MOW", "standard", "region", 10},
		// CN's country figure (10), moved by Kamchatka's excess over the country from every
		// origin and level: 85th percentiles 22 (25 parcels) and 18 (150 parcels).
		{"CN", "RU-KAM", "standard", "region", 10 + 22 - 18},
		// Chukotka has 5 parcels: TR's economy figure for the country (40 at 14, 15 at 22).
		{"TR", "RU-CHU", "economy", "country", 22},
		{"DE", "RU-MOW", "standard", "", 0},
	} {
		s, basis, ok := e.Lookup(tc.origin, "RU", tc.level, tc.region, "posted")
		if basis != tc.basis || ok && s.Days != tc.days {
			t.Errorf("%s→%s %s: %+v %q, want %d days from %q", tc.origin, tc.region, tc.level, s, basis, tc.days, tc.basis)
		}
	}
}

// Refresh reads delivered parcels from the database, writes the figures and every view of a
// parcel on its way gets its expected date; a delivered parcel gets none.
func TestRefreshFillsViews(t *testing.T) {
	env := trackingtest.New(t)
	ctx := context.Background()
	now := trackingtest.Start // a Friday
	var parcels []tracking.ParcelInput
	var events []tracking.EventInput
	var ids []string
	for i := range MinParcels + 1 {
		id := tracking.MakeS10("RB", 100+i, "GB")
		ids = append(ids, id)
		p := trackingtest.Parcel(id)
		p.Recipient.Region, p.Recipient.TimeZone = "RU-KAM", "Asia/Kamchatka"
		parcels = append(parcels, p)
		posted := now.AddDate(0, 0, -30)
		events = append(events, trackingtest.Event(id, "EMA", posted.Format(time.RFC3339)))
		if i < MinParcels { // delivered 12 working days after posting, in Kamchatka
			events = append(events, trackingtest.Event(id, "EMI", AddWorkingDays(posted, 12, time.UTC).Add(-time.Hour).Format(time.RFC3339)))
		}
	}
	env.Upsert(env.ScopeA(), parcels...)
	env.Events(env.ScopeA(), events...)
	e := New(env.DB, storetest.Logger(t))
	e.SetClock(func() time.Time { return now })
	if err := e.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	other := New(env.DB, storetest.Logger(t)) // another node reads the table
	other.SetClock(func() time.Time { return now })
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	env.Tracking.SetExpecter(other.Fill)
	moving, err := env.Tracking.Parcel(ctx, env.ScopeA(), ids[MinParcels])
	if err != nil {
		t.Fatal(err)
	}
	// Posted 30 days ago: 12 working days after posting is past, so the expected date is
	// today, and today in Kamchatka is Saturday 21 November: the next working day, Monday.
	if moving.ExpectedBasis != "region" || moving.ExpectedDate != "2026-11-23" {
		t.Errorf("moving parcel: expected %q from %q", moving.ExpectedDate, moving.ExpectedBasis)
	}
	if s, basis, ok := other.Lookup("GB", "RU", "standard", "RU-KAM", "posted"); !ok || basis != "region" || s.Days < 11 || s.Days > 13 || s.Parcels != MinParcels {
		t.Errorf("figure after a reload: %+v %q %v", s, basis, ok)
	}
	done, _ := env.Tracking.Parcel(ctx, env.ScopeA(), ids[0])
	if done.Phase != tracking.PhaseDelivered || done.ExpectedDate != "" {
		t.Errorf("delivered parcel (%s) has an expected date %q", done.Phase, done.ExpectedDate)
	}
}
