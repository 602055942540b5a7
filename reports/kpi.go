package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

// The supervisor dashboard's read model: one SQL per KPI, grouped by the recipient's region,
// the same statements on SQLite and PostgreSQL (only the day bucket differs), every one
// limited to the viewer's brands with access.Scope.SQL. Definitions (docs in README):
//
//   - contact rate: parcels with at least one contact attempt (a contact that went out or was
//     tried: any status but planned, suppressed or cancelled) / parcels; parcels belong to the
//     period by the day they were posted (their registration if not posted yet).
//   - answer rate (right party reached): outbound calls with disposition reached or
//     callback_requested / outbound call attempts started in the period (finished ones: a
//     call in progress has no outcome yet).
//   - average attempts to reach: for parcels first reached in the period, outbound calls up to
//     and including the first reaching one.
//   - SMS delivery rate: SMS delivered / SMS accepted by a provider (they have a message id).
//   - cash on delivery: COD parcels of the period, and those that ended returning or returned.
//   - transit: parcels delivered in the period with a promised date; on time when delivered by
//     the end of the promised day in the recipient's zone (tracking.Parcel.IsLate's rule).
//   - case SLA compliance: cases opened in the period with no breached clock / cases.

// MaxPeriodDays bounds the period a KPI query may span.
const MaxPeriodDays = 366

// KPIQuery is what the KPIs are computed over.
type KPIQuery struct {
	Scope    access.Scope
	From, To time.Time // [From, To), UTC
	Country  string    // destination country; "" is every country
}

// RegionKPI holds the counts behind each rate for one region (or the total).
type RegionKPI struct {
	Region                              string
	Parcels, Contacted                  int
	CallAttempts, CallsReached          int
	ReachedParcels, AttemptsToReach     int
	SMSSent, SMSDelivered               int
	COD, CODReturned                    int
	Delivered, OnTime                   int
	ContactRate, AnswerRate, SMSRate    float64 // NaN when the denominator is 0
	AvgAttempts, CODReturnRate, OnTimeP float64
}

// LaneKPI is transit against the promise on one lane and service level.
type LaneKPI struct {
	Origin, Destination, Service string
	Delivered, OnTime, Late      int
	OnTimeShare                  float64
	MedianDaysLate               float64 // among late parcels; NaN when none was late
	MedianTransitDays            float64 // posted to delivered, calendar days in the recipient's zone
}

// SLAKPI is case SLA compliance over cases opened in the period, and the live counts.
type SLAKPI struct {
	Cases, Compliant, FirstResponseBreached, ResolutionBreached, Resolved int
	Compliance                                                            float64
	Live                                                                  *cases.SLASummary
}

// DayKPI is one day of the daily series.
type DayKPI struct {
	Day                        string
	Parcels, Contacted         int
	CallAttempts, CallsReached int
}

// KPIReport is everything the KPI part of the page shows.
type KPIReport struct {
	Total   RegionKPI
	Regions []RegionKPI
	Lanes   []LaneKPI
	SLA     SLAKPI
	Days    []DayKPI
}

// Ratio is num/den, NaN when den is 0 (no data, not 0%).
func Ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

func (r *RegionKPI) finish() {
	r.ContactRate = Ratio(r.Contacted, r.Parcels)
	r.AnswerRate = Ratio(r.CallsReached, r.CallAttempts)
	r.AvgAttempts = Ratio(r.AttemptsToReach, r.ReachedParcels)
	r.SMSRate = Ratio(r.SMSDelivered, r.SMSSent)
	r.CODReturnRate = Ratio(r.CODReturned, r.COD)
	r.OnTimeP = Ratio(r.OnTime, r.Delivered)
}

// reached are the dispositions that mean the right party was reached (docs/architecture.md).
const reachedSQL = `('reached', 'callback_requested')`

// parcelDay is when a parcel belongs to a period: posted, else registered.
const parcelDay = `COALESCE(p.posted_at, p.created_at)`

// scopeSQL limits parcels p to the query's scope and country.
func (q KPIQuery) scopeSQL() (string, []any) {
	where, args := q.Scope.SQL("p.brand_id", "p.origin_country", "p.destination_country")
	if q.Country != "" {
		where += " AND p.destination_country = ?"
		args = append(args, q.Country)
	}
	return where, args
}

// dayExpr buckets a timestamp column into its UTC day, YYYY-MM-DD.
func (d *Dashboard) dayExpr(col string) string {
	if d.db.Dialect == store.Postgres {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(" + col + ", 1, 10)" // SQLite keeps times as ISO text in UTC
}

// regionCounts runs a query returning (region, a, b) rows and adds them to the regions' counts.
func (d *Dashboard) regionCounts(ctx context.Context, name, query string, args []any, into map[string]*RegionKPI, add func(r *RegionKPI, a, b int)) error {
	rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(query), args...)
	if err != nil {
		return fmt.Errorf("dashboard %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var region string
		var a, b sql.NullInt64
		if err := rows.Scan(&region, &a, &b); err != nil {
			return fmt.Errorf("dashboard %s: %w", name, err)
		}
		r := into[region]
		if r == nil {
			r = &RegionKPI{Region: region}
			into[region] = r
		}
		add(r, int(a.Int64), int(b.Int64))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dashboard %s: %w", name, err)
	}
	return nil
}

// KPIs computes the report for q.
func (d *Dashboard) KPIs(ctx context.Context, q KPIQuery) (KPIReport, error) {
	where, sargs := q.scopeSQL()
	period := []any{q.From, q.To}
	args := func(lead ...any) []any { return append(slices.Clone(lead), sargs...) }
	regions := map[string]*RegionKPI{}
	steps := []struct {
		name, sql string
		args      []any
		add       func(r *RegionKPI, a, b int)
	}{
		{"contact rate", `SELECT p.recipient_region, COUNT(*),
			SUM(CASE WHEN EXISTS (SELECT 1 FROM contacts k WHERE k.parcel_id = p.id
				AND k.status NOT IN ('planned', 'suppressed', 'cancelled')) THEN 1 ELSE 0 END)
			FROM parcels p WHERE ` + parcelDay + ` >= ? AND ` + parcelDay + ` < ? AND ` + where + `
			GROUP BY p.recipient_region`, args(period...),
			func(r *RegionKPI, a, b int) { r.Parcels, r.Contacted = a, b }},
		{"answer rate", `SELECT p.recipient_region, COUNT(*),
			SUM(CASE WHEN c.disposition IN ` + reachedSQL + ` THEN 1 ELSE 0 END)
			FROM calls c JOIN parcels p ON p.id = c.parcel_id
			WHERE c.direction = 'outbound' AND c.ended_at IS NOT NULL AND c.started_at >= ? AND c.started_at < ? AND ` + where + `
			GROUP BY p.recipient_region`, args(period...),
			func(r *RegionKPI, a, b int) { r.CallAttempts, r.CallsReached = a, b }},
		{"attempts to reach", `SELECT p.recipient_region, COUNT(*), SUM(t.n) FROM (
				SELECT c.parcel_id, COUNT(*) AS n FROM calls c
				JOIN (SELECT parcel_id, MIN(started_at) AS first_at FROM calls
					WHERE direction = 'outbound' AND ended_at IS NOT NULL AND disposition IN ` + reachedSQL + `
					GROUP BY parcel_id HAVING MIN(started_at) >= ? AND MIN(started_at) < ?) r
				ON r.parcel_id = c.parcel_id AND c.started_at <= r.first_at
				WHERE c.direction = 'outbound' AND c.ended_at IS NOT NULL GROUP BY c.parcel_id) t
			JOIN parcels p ON p.id = t.parcel_id WHERE ` + where + `
			GROUP BY p.recipient_region`, args(period...),
			func(r *RegionKPI, a, b int) { r.ReachedParcels, r.AttemptsToReach = a, b }},
		{"SMS delivery", `SELECT p.recipient_region,
			SUM(CASE WHEN k.provider_id <> '' THEN 1 ELSE 0 END),
			SUM(CASE WHEN k.provider_id <> '' AND k.status = 'delivered' THEN 1 ELSE 0 END)
			FROM contacts k JOIN parcels p ON p.id = k.parcel_id
			WHERE k.channel = 'sms' AND k.created_at >= ? AND k.created_at < ? AND ` + where + `
			GROUP BY p.recipient_region`, args(period...),
			func(r *RegionKPI, a, b int) { r.SMSSent, r.SMSDelivered = a, b }},
		{"cash on delivery", `SELECT p.recipient_region, COUNT(*),
			SUM(CASE WHEN p.phase IN ('returning', 'returned') THEN 1 ELSE 0 END)
			FROM parcels p WHERE p.cod_minor IS NOT NULL AND ` + parcelDay + ` >= ? AND ` + parcelDay + ` < ? AND ` + where + `
			GROUP BY p.recipient_region`, args(period...),
			func(r *RegionKPI, a, b int) { r.COD, r.CODReturned = a, b }},
	}
	for _, s := range steps {
		if err := d.regionCounts(ctx, s.name, s.sql, s.args, regions, s.add); err != nil {
			return KPIReport{}, err
		}
	}
	lanes, err := d.transit(ctx, q, regions)
	if err != nil {
		return KPIReport{}, err
	}
	rep := KPIReport{Lanes: lanes}
	rep.Total.Region = ""
	for _, r := range regions {
		r.finish()
		rep.Regions = append(rep.Regions, *r)
		t := &rep.Total
		t.Parcels += r.Parcels
		t.Contacted += r.Contacted
		t.CallAttempts += r.CallAttempts
		t.CallsReached += r.CallsReached
		t.ReachedParcels += r.ReachedParcels
		t.AttemptsToReach += r.AttemptsToReach
		t.SMSSent += r.SMSSent
		t.SMSDelivered += r.SMSDelivered
		t.COD += r.COD
		t.CODReturned += r.CODReturned
		t.Delivered += r.Delivered
		t.OnTime += r.OnTime
	}
	rep.Total.finish()
	slices.SortFunc(rep.Regions, func(a, b RegionKPI) int {
		if a.Parcels != b.Parcels {
			return b.Parcels - a.Parcels
		}
		return strings.Compare(a.Region, b.Region)
	})
	if rep.SLA, err = d.caseSLA(ctx, q); err != nil {
		return KPIReport{}, err
	}
	if rep.Days, err = d.daily(ctx, q); err != nil {
		return KPIReport{}, err
	}
	return rep, nil
}

// transit reads the parcels delivered in the period and compares each delivery with its
// promise in the recipient's zone. The rows are aggregated as they stream by (memory grows
// with lanes and distinct day counts, not with parcels).
func (d *Dashboard) transit(ctx context.Context, q KPIQuery, regions map[string]*RegionKPI) ([]LaneKPI, error) {
	where, args := q.scopeSQL()
	rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT p.origin_country, p.destination_country, p.service_level,
		p.recipient_region, p.promised_date, p.time_zone, p.posted_at, p.delivered_at
		FROM parcels p WHERE p.delivered_at >= ? AND p.delivered_at < ? AND p.promised_date <> '' AND `+where),
		append([]any{q.From, q.To}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("dashboard transit: %w", err)
	}
	defer rows.Close()
	type acc struct {
		LaneKPI
		late, transit map[int]int // days -> parcels
	}
	lanes := map[[3]string]*acc{}
	zones := map[string]*time.Location{}
	for rows.Next() {
		var origin, dest, service, region, promised, zone string
		var posted, delivered store.NullTime
		if err := rows.Scan(&origin, &dest, &service, &region, &promised, &zone, &posted, &delivered); err != nil {
			return nil, fmt.Errorf("dashboard transit: %w", err)
		}
		loc, ok := zones[zone]
		if !ok {
			if loc, err = geo.LoadZone(zone); err != nil {
				loc = time.UTC
			}
			zones[zone] = loc
		}
		due, err := time.ParseInLocation("2006-01-02", promised, loc)
		if err != nil || !delivered.Valid {
			continue
		}
		day := func(t time.Time) time.Time {
			y, m, dd := t.In(loc).Date()
			return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		}
		lateDays := int(day(delivered.Time).Sub(time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
		key := [3]string{origin, dest, service}
		a := lanes[key]
		if a == nil {
			a = &acc{LaneKPI: LaneKPI{Origin: origin, Destination: dest, Service: service}, late: map[int]int{}, transit: map[int]int{}}
			lanes[key] = a
		}
		a.Delivered++
		r := regions[region]
		if r == nil {
			r = &RegionKPI{Region: region}
			regions[region] = r
		}
		r.Delivered++
		if lateDays <= 0 {
			a.OnTime++
			r.OnTime++
		} else {
			a.Late++
			a.late[lateDays]++
		}
		if posted.Valid {
			a.transit[int(day(delivered.Time).Sub(day(posted.Time)).Hours()/24)]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard transit: %w", err)
	}
	out := make([]LaneKPI, 0, len(lanes))
	for _, a := range lanes {
		a.OnTimeShare = Ratio(a.OnTime, a.Delivered)
		a.MedianDaysLate = median(a.late)
		a.MedianTransitDays = median(a.transit)
		out = append(out, a.LaneKPI)
	}
	slices.SortFunc(out, func(a, b LaneKPI) int {
		if a.Delivered != b.Delivered {
			return b.Delivered - a.Delivered
		}
		return strings.Compare(a.Origin+a.Destination+a.Service, b.Origin+b.Destination+b.Service)
	})
	return out, nil
}

// median of a histogram value -> count; NaN when empty. An even count averages the middle two.
func median(h map[int]int) float64 {
	n := 0
	keys := make([]int, 0, len(h))
	for k, c := range h {
		n += c
		keys = append(keys, k)
	}
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(keys)
	at := func(i int) int { // the i-th value, 0-based
		for _, k := range keys {
			if i < h[k] {
				return k
			}
			i -= h[k]
		}
		return keys[len(keys)-1]
	}
	if n%2 == 1 {
		return float64(at(n / 2))
	}
	return float64(at(n/2-1)+at(n/2)) / 2
}

// caseSLA counts the period's cases by whether a clock was breached, plus the live summary.
func (d *Dashboard) caseSLA(ctx context.Context, q KPIQuery) (SLAKPI, error) {
	where, args := q.Scope.SQL("brand_id", "origin_country", "destination_country")
	if q.Country != "" {
		where += " AND destination_country = ?"
		args = append(args, q.Country)
	}
	var k SLAKPI
	var compliant, fr, res, resolved sql.NullInt64
	err := d.db.SQL.QueryRowContext(ctx, d.db.Rebind(`SELECT COUNT(*),
		SUM(CASE WHEN first_response_breached_at IS NULL AND resolution_breached_at IS NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN first_response_breached_at IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN resolution_breached_at IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END)
		FROM cases WHERE created_at >= ? AND created_at < ? AND `+where), append([]any{q.From, q.To}, args...)...).
		Scan(&k.Cases, &compliant, &fr, &res, &resolved)
	if err != nil {
		return k, fmt.Errorf("dashboard case SLA: %w", err)
	}
	k.Compliant, k.FirstResponseBreached, k.ResolutionBreached, k.Resolved = int(compliant.Int64), int(fr.Int64), int(res.Int64), int(resolved.Int64)
	k.Compliance = Ratio(k.Compliant, k.Cases)
	if d.sla != nil {
		live, err := d.sla.SLASummary(ctx, q.Scope)
		if err != nil {
			return k, err
		}
		k.Live = &live
	}
	return k, nil
}

// daily is the contact rate (by the parcel's day) and answer rate (by the call's day) per day.
func (d *Dashboard) daily(ctx context.Context, q KPIQuery) ([]DayKPI, error) {
	where, sargs := q.scopeSQL()
	days := map[string]*DayKPI{}
	get := func(day string) *DayKPI {
		if days[day] == nil {
			days[day] = &DayKPI{Day: day}
		}
		return days[day]
	}
	pday := d.dayExpr(parcelDay)
	queries := []struct {
		name, sql string
		add       func(k *DayKPI, a, b int)
	}{
		{"daily contact rate", `SELECT ` + pday + `, COUNT(*),
			SUM(CASE WHEN EXISTS (SELECT 1 FROM contacts k WHERE k.parcel_id = p.id
				AND k.status NOT IN ('planned', 'suppressed', 'cancelled')) THEN 1 ELSE 0 END)
			FROM parcels p WHERE ` + parcelDay + ` >= ? AND ` + parcelDay + ` < ? AND ` + where + ` GROUP BY ` + pday,
			func(k *DayKPI, a, b int) { k.Parcels, k.Contacted = a, b }},
		{"daily answer rate", `SELECT ` + d.dayExpr("c.started_at") + `, COUNT(*),
			SUM(CASE WHEN c.disposition IN ` + reachedSQL + ` THEN 1 ELSE 0 END)
			FROM calls c JOIN parcels p ON p.id = c.parcel_id
			WHERE c.direction = 'outbound' AND c.ended_at IS NOT NULL AND c.started_at >= ? AND c.started_at < ? AND ` + where + ` GROUP BY ` + d.dayExpr("c.started_at"),
			func(k *DayKPI, a, b int) { k.CallAttempts, k.CallsReached = a, b }},
	}
	for _, qq := range queries {
		rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(qq.sql), append([]any{q.From, q.To}, sargs...)...)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", qq.name, err)
		}
		for rows.Next() {
			var day string
			var a, b sql.NullInt64
			if err := rows.Scan(&day, &a, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("dashboard %s: %w", qq.name, err)
			}
			qq.add(get(day), int(a.Int64), int(b.Int64))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", qq.name, err)
		}
	}
	// every day of the period, so the line shows gaps as gaps, not as skipped days
	var out []DayKPI
	for t := q.From; t.Before(q.To) && len(out) < MaxPeriodDays; t = t.AddDate(0, 0, 1) {
		out = append(out, *get(t.Format("2006-01-02")))
	}
	return out, nil
}
