// Package ccmetrics is the contact center's figures (issue 19 item 5;
// docs/contact-center-metrics.md): speed of answer and its distribution, service level against
// each brand's or queue's target, the queue abandon rate, handle time (talk, hold, wrap-up),
// occupancy, transfers, first-contact resolution and self-service deflection, per agent,
// queue, brand or hour, over a period; the wallboard's figures of today; and the calls behind
// every figure (the drill-down).
//
// It is part of the read model (package reports): it reads calls, call_legs, call_transfers,
// callback_requests, hotline_queues (callcenter), agent_state_log (kept by migration 00037's
// triggers on agent_states), inbound_messages (inbound), cases, case_parcels and case_log
// (cases), brands, users and user_brands (access), every query limited to the viewer's brands
// with access.Scope.SQL. It writes one table, its own settings: cc_service_levels.
//
// Every figure is computed in two steps, so that a figure and its drill-down cannot disagree:
// each call of the period is first classified once (facts.go: offered, answered within the
// target, abandoned, deflected...), then the classified calls are counted per group
// (figures.go); the drill-down lists the classified calls of one group that a figure counted.
package ccmetrics

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// Group is how a report's rows are cut.
type Group string

// The groups.
const (
	GroupAgent Group = "agent"
	GroupQueue Group = "queue"
	GroupBrand Group = "brand"
	GroupHour  Group = "hour"
)

// Groups are the groups a report may ask for.
var Groups = []Group{GroupAgent, GroupQueue, GroupBrand, GroupHour}

// Bounds of a report.
const (
	// MaxPeriod bounds the period of one report (from .. to).
	MaxPeriod = 93 * 24 * time.Hour
	// MaxCalls bounds the calls one report classifies: a longer period must be narrowed.
	MaxCalls = 200_000
	// FCRWindow is how long after an answered contact a repeat contact about the same parcel
	// means it was not resolved at first contact.
	FCRWindow = 7 * 24 * time.Hour
	// DefaultSLSeconds and DefaultSLTarget are the service-level target with no setting:
	// 80% of offered calls answered within 20 s.
	DefaultSLSeconds = 20
	DefaultSLTarget  = 0.8
)

// WaitBuckets are the upper bounds (seconds, inclusive) of the speed-of-answer distribution;
// the last bucket is everything above the last bound.
var WaitBuckets = []int{10, 20, 30, 60, 120}

// Errors.
var (
	// ErrTooManyCalls: the period holds more than MaxCalls calls.
	ErrTooManyCalls = errors.New("the period holds too many calls for one report: choose a shorter period")
)

// Query is what a report is computed over.
type Query struct {
	Scope    access.Scope
	From, To time.Time // [From, To), UTC
	Group    Group
	// Loc is the zone of the hour buckets (nil: UTC).
	Loc *time.Location
}

// Metrics computes the figures; it writes only cc_service_levels (targets.go).
type Metrics struct {
	db  *store.DB
	now func() time.Time
}

// New returns the metrics over db.
func New(db *store.DB) *Metrics {
	return &Metrics{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests): it decides which calls are still in progress, where an
// agent's last state ends, and which first contacts are still inside their 7 days.
func (m *Metrics) SetClock(now func() time.Time) { m.now = now }

// Now is the metrics' clock.
func (m *Metrics) Now() time.Time { return m.now() }

// Rate is a share or a mean: NaN when there is nothing to divide by (no data, not 0), which
// JSON writes as null.
type Rate float64

// Valid reports whether the rate has data.
func (r Rate) Valid() bool { return !math.IsNaN(float64(r)) }

// MarshalJSON writes null for no data.
func (r Rate) MarshalJSON() ([]byte, error) {
	if !r.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(r), 'g', -1, 64), nil
}

// ratio is num/den, NaN when den is 0.
func ratio(num, den float64) Rate {
	if den == 0 {
		return Rate(math.NaN())
	}
	return Rate(num / den)
}

// Today is the total of today's figures in loc (midnight to now), for the wallboard.
func (m *Metrics) Today(ctx context.Context, scope access.Scope, loc *time.Location) (Figures, error) {
	now := m.now()
	r, err := m.Report(ctx, Query{Scope: scope, From: sinceMidnight(now, loc).UTC(), To: now.Add(time.Second), Group: GroupBrand, Loc: loc})
	return r.Total, err
}
