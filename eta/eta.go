// Package eta predicts when a parcel will be delivered from the parcels already delivered
// (docs/expected-dates.md). The promised date stays what the transit standard says; beside it
// the expected date is read from what parcels on the same lane (origin and destination
// country), service level and destination region took over the last Window: for each phase a
// parcel passed through, the working days from entering that phase to delivery. A parcel's
// expected date is the day it entered its current phase plus the Percentile of those days.
// Where fewer than MinParcels parcels of the region were delivered, the whole destination
// country's figure is used; where the country's is thin too, the promised date.
//
// The figures live in table eta_lane_stats, rebuilt by Refresh (the eta-refresh job, hourly);
// every node keeps the small table in memory and re-reads it every ReloadEvery, so a page or
// a message reads its expected date in microseconds, recomputed at every scan (the phase and
// its time change) without any work at ingest.
package eta

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

const (
	// Window is how far back deliveries count.
	Window = 90 * 24 * time.Hour
	// Percentile of the working days delivered parcels took: the expected date is a day most
	// parcels (this share) were delivered by.
	Percentile = 0.85
	// MinParcels is the fewest deliveries a region (or a country) needs for its own figure.
	MinParcels = 20
	// ReloadEvery is how often a node re-reads the table.
	ReloadEvery = 10 * time.Minute
	// RefreshEvery is how often the eta-refresh job rebuilds it.
	RefreshEvery = time.Hour
)

// Key is a lane, service level, destination region ("" for the whole destination country)
// and phase; an Origin of "" counts parcels from every origin country, and a Level of "" (with
// Origin "") every service level.
type Key struct {
	Origin, Destination, Level, Region, Phase string
}

// Stat is how many parcels were delivered under a key and the Percentile of the working days
// they took from entering its phase.
type Stat struct {
	Parcels, Days int
}

// Sample is one delivered parcel: its lane and when it entered each phase.
type Sample struct {
	ID                          string
	Origin, Destination, Region string
	Level                       string
	Zone                        *time.Location
	PromisedDate                string
	DeliveredAt                 time.Time
	Entered                     map[tracking.Phase]time.Time
}

// Estimator holds the figures in memory and fills in views' expected dates.
type Estimator struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time

	mu       sync.RWMutex
	stats    map[Key]Stat
	loadedAt time.Time
	loading  atomic.Bool
}

// New returns an estimator over db; it reads the table on first use.
func New(db *store.DB, log *slog.Logger) *Estimator {
	return &Estimator{db: db, log: log, now: time.Now, stats: map[Key]Stat{}}
}

// SetClock replaces the estimator's clock (tests, the bench).
func (e *Estimator) SetClock(now func() time.Time) { e.now = now }

// SetStats replaces the figures in memory (the bench, tests).
func (e *Estimator) SetStats(stats map[Key]Stat) {
	e.mu.Lock()
	e.stats, e.loadedAt = stats, e.now()
	e.mu.Unlock()
}

// Load reads the table into memory.
func (e *Estimator) Load(ctx context.Context) error {
	rows, err := e.db.SQL.QueryContext(ctx, `SELECT origin_country, destination_country, service_level, region, phase, parcels, p85_days FROM eta_lane_stats`)
	if err != nil {
		return fmt.Errorf("eta: %w", err)
	}
	defer rows.Close()
	stats := map[Key]Stat{}
	for rows.Next() {
		var k Key
		var s Stat
		if err := rows.Scan(&k.Origin, &k.Destination, &k.Level, &k.Region, &k.Phase, &s.Parcels, &s.Days); err != nil {
			return fmt.Errorf("eta: %w", err)
		}
		stats[k] = s
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("eta: %w", err)
	}
	e.SetStats(stats)
	return nil
}

// Refresh rebuilds the table from the parcels delivered in the Window before now and loads
// it.
func (e *Estimator) Refresh(ctx context.Context) error {
	now := e.now().UTC()
	samples, err := Samples(ctx, e.db, now.Add(-Window), now)
	if err != nil {
		return err
	}
	stats := Aggregate(samples)
	keys := make([]Key, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	err = e.db.WriteTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM eta_lane_stats`); err != nil {
			return err
		}
		return e.db.BulkExec(ctx, tx, `INSERT INTO eta_lane_stats (origin_country, destination_country, service_level, region, phase, parcels, p85_days, refreshed_at)`,
			"", 8, len(keys), nil, func(i int, dst []any) []any {
				k := keys[i]
				return append(dst, k.Origin, k.Destination, k.Level, k.Region, k.Phase, stats[k].Parcels, stats[k].Days, now)
			})
	})
	if err != nil {
		return fmt.Errorf("eta refresh: %w", err)
	}
	e.SetStats(stats)
	return nil
}

// Run refreshes the table every RefreshEvery until ctx ends (the eta-refresh job).
func (e *Estimator) Run(ctx context.Context) {
	for {
		start := time.Now()
		if err := e.Refresh(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("expected dates: refresh", "err", err)
		} else if err == nil {
			e.log.Info("expected dates refreshed", "took", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(RefreshEvery):
		}
	}
}

// Samples reads the parcels delivered in [from, to) with the time each first entered each
// phase before its delivery.
func Samples(ctx context.Context, db *store.DB, from, to time.Time) ([]Sample, error) {
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT p.id, p.origin_country, p.destination_country, p.service_level,
		p.recipient_region, p.time_zone, p.promised_date, p.delivered_at, e.code, e.occurred_at
		FROM parcels p JOIN events e ON e.item_id = p.id AND e.brand_id = p.brand_id
		WHERE p.delivered_at >= ? AND p.delivered_at < ? AND p.phase = ?
		ORDER BY p.id, e.occurred_at, e.id`), from.UTC(), to.UTC(), string(tracking.PhaseDelivered))
	if err != nil {
		return nil, fmt.Errorf("eta samples: %w", err)
	}
	defer rows.Close()
	var out []Sample
	zones := map[string]*time.Location{}
	for rows.Next() {
		var s Sample
		var zone, code string
		var at time.Time
		if err := rows.Scan(&s.ID, &s.Origin, &s.Destination, &s.Level, &s.Region, &zone, &s.PromisedDate, &s.DeliveredAt, &code, &at); err != nil {
			return nil, fmt.Errorf("eta samples: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != s.ID {
			loc, ok := zones[zone]
			if !ok {
				if loc, err = geo.LoadZone(zone); err != nil {
					loc = time.UTC
				}
				zones[zone] = loc
			}
			s.Zone, s.Entered = loc, map[tracking.Phase]time.Time{}
			s.DeliveredAt = s.DeliveredAt.UTC()
			out = append(out, s)
		}
		cur := &out[len(out)-1]
		c, ok := tracking.LookupEventCode(code)
		if !ok || at.After(cur.DeliveredAt) || c.Phase == tracking.PhaseDelivered {
			continue
		}
		if _, seen := cur.Entered[c.Phase]; !seen {
			cur.Entered[c.Phase] = at.UTC()
		}
	}
	return out, rows.Err()
}

// Aggregate computes the figures of samples: per lane, level, region (and "" for the country)
// and phase, the count and the Percentile of working days.
func Aggregate(samples []Sample) map[Key]Stat { return AggregateAt(samples, Percentile) }

// AggregateAt is Aggregate with another percentile (the bench compares them).
func AggregateAt(samples []Sample, p float64) map[Key]Stat {
	days := map[Key][]int{}
	for _, s := range samples {
		for ph, at := range s.Entered {
			d := WorkingDays(at, s.DeliveredAt, s.Zone)
			regions := []string{""}
			if s.Region != "" {
				regions = append(regions, s.Region)
			}
			for _, origin := range []string{s.Origin, ""} {
				for _, region := range regions {
					k := Key{origin, s.Destination, s.Level, region, string(ph)}
					days[k] = append(days[k], d)
				}
			}
			for _, region := range regions { // every origin and service level: the region's reality
				k := Key{"", s.Destination, "", region, string(ph)}
				days[k] = append(days[k], d)
			}
		}
	}
	out := make(map[Key]Stat, len(days))
	for k, list := range days {
		out[k] = Stat{Parcels: len(list), Days: percentile(list, p)}
	}
	return out
}

// percentile is the nearest-rank p-th percentile of list (sorted in place).
func percentile(list []int, p float64) int {
	slices.Sort(list)
	i := int(math.Ceil(p*float64(len(list)))) - 1
	return list[max(0, min(i, len(list)-1))]
}

// WorkingDays counts the working days (Monday to Friday, in loc) after from's day up to
// to's day, a delivery on a weekend counting as on the next Monday: the number that, added to
// from's day as the promise adds transit days, gives the first working day on or after the
// delivery.
func WorkingDays(from, to time.Time, loc *time.Location) int {
	a, b := day(from.In(loc)), day(to.In(loc))
	for b.Weekday() == time.Saturday || b.Weekday() == time.Sunday {
		b = b.AddDate(0, 0, 1)
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

// AddWorkingDays is from's day plus n working days, in loc, as YYYY-MM-DD.
func AddWorkingDays(from time.Time, n int, loc *time.Location) time.Time {
	d := day(from.In(loc))
	for added := 0; added < n; {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			added++
		}
	}
	return d
}

func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, t.Location())
}

// Estimate is a parcel's expected date and what it rests on.
type Estimate struct {
	Date  string // YYYY-MM-DD, "" for none
	Basis string // "region", "country" or "standard"
	Days  int    // the working days from entering the phase (region, country)
}

// Lookup is the figure for a parcel in phase of a lane, level and region, and what it rests
// on. In order, the first with MinParcels deliveries:
//
//   - "region": the lane's own figure for the region;
//   - "region": the lane's figure for the whole country, moved by how much longer (or
//     shorter) the region takes than the country over every origin, at the parcel's service
//     level or else over every level (the region's own reality: remote regions have few
//     deliveries per lane and level, but enough all together);
//   - "country": the lane's figure for the whole country;
//   - none: the caller falls back to the promised date (the transit standard).
func (e *Estimator) Lookup(origin, dest, level, region, phase string) (Stat, string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	get := func(o, r string) (Stat, bool) {
		s, ok := e.stats[Key{o, dest, level, r, phase}]
		return s, ok && s.Parcels >= MinParcels
	}
	if region != "" {
		if s, ok := get(origin, region); ok {
			return s, "region", true
		}
	}
	lane, ok := get(origin, "")
	if !ok {
		return Stat{}, "", false
	}
	if region != "" {
		for _, lvl := range []string{level, ""} { // the service level's own difference, else every level's
			r, okR := e.stats[Key{"", dest, lvl, region, phase}]
			c, okC := e.stats[Key{"", dest, lvl, "", phase}]
			if okR && okC && r.Parcels >= MinParcels && c.Parcels >= MinParcels {
				lane.Days = max(0, lane.Days+r.Days-c.Days)
				return lane, "region", true
			}
		}
	}
	return lane, "country", true
}

// Expect computes the expected date of a parcel in phase since phaseAt (promised: its
// promised date, the fallback). A date already past while the parcel is still on its way is
// today (the next working day on a weekend).
func (e *Estimator) Expect(origin, dest, level, region, phase string, phaseAt time.Time, loc *time.Location, promised string, now time.Time) Estimate {
	s, basis, ok := e.Lookup(origin, dest, level, region, phase)
	if !ok {
		if promised == "" {
			return Estimate{}
		}
		return Estimate{Date: promised, Basis: "standard"}
	}
	d := AddWorkingDays(phaseAt, s.Days, loc)
	if today := day(now.In(loc)); d.Before(today) {
		d = today
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDate(0, 0, 1)
		}
	}
	return Estimate{Date: d.Format("2006-01-02"), Basis: basis, Days: s.Days}
}

// Fill sets a parcel view's expected date (tracking.Service.SetExpecter): only while the
// parcel is on its way and has been scanned. The table is re-read in the background when it
// is older than ReloadEvery; the view never waits for it.
func (e *Estimator) Fill(v *tracking.ParcelView) {
	e.reloadIfStale()
	switch v.Phase {
	case tracking.PhaseRegistered, tracking.PhaseDelivered, tracking.PhaseReturning, tracking.PhaseReturned, "cancelled":
		return
	}
	if v.Returning || v.PhaseAt == nil {
		return
	}
	loc, err := geo.LoadZone(v.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	est := e.Expect(v.OriginCountry, v.DestinationCountry, string(v.ServiceLevel), v.Recipient.Region, string(v.Phase), *v.PhaseAt, loc, v.PromisedDate, e.now())
	v.ExpectedDate, v.ExpectedBasis = est.Date, est.Basis
}

func (e *Estimator) reloadIfStale() {
	e.mu.RLock()
	stale := e.now().Sub(e.loadedAt) > ReloadEvery
	e.mu.RUnlock()
	if !stale || e.db == nil || !e.loading.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer e.loading.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.Load(ctx); err != nil {
			e.log.Error("expected dates: load", "err", err)
		}
	}()
}
