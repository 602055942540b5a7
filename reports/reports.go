// Package reports is the read model of the dashboards: the one home of every query that reads
// several domains' tables at once. The supervisor dashboard's KPIs (contact, answer and SMS
// delivery rates, attempts to reach, cash on delivery, transit against the promise, case SLA
// compliance), the live call center (agents, hotline queues, calls in progress) and the
// recordings list are computed here, each query limited to the viewer's brands with
// access.Scope.SQL.
//
// It reads parcels (tracking), contacts (dialer), calls, agent_states and hotline_queues
// (callcenter), recordings (recordings), cases (cases) and users and user_brands (access),
// and writes nothing. The domains keep owning their tables: a change to one of these columns
// is a change to a query here, which the tests of this package pin. Later reports (outbound,
// the tracking page, the floor, recordings) belong here too.
package reports

import (
	"context"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/store"
)

// SLASummarizer is the case tracker's live SLA count (cases.CaseService).
type SLASummarizer interface {
	SLASummary(ctx context.Context, scope access.Scope) (cases.SLASummary, error)
}

// Dashboard reads what the supervisor dashboard shows.
type Dashboard struct {
	db  *store.DB
	sla SLASummarizer
	now func() time.Time
}

// NewDashboard returns the dashboard read model over db; sla may be nil (no live SLA counts).
func NewDashboard(db *store.DB, sla SLASummarizer) *Dashboard {
	return &Dashboard{db: db, sla: sla, now: func() time.Time { return time.Now().UTC() }}
}

// Now is the dashboard's clock (UTC): the live view's times and the page's default period.
func (d *Dashboard) Now() time.Time { return d.now() }

// SetClock replaces the clock (tests).
func (d *Dashboard) SetClock(now func() time.Time) { d.now = now }
