package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

// Defaults for a brand that configured nothing: office hours Monday to Friday in Moscow (most
// recipients are in Russia), and targets per case type in business minutes.
const (
	DefaultSLAZone           = "Europe/Moscow"
	DefaultNearBreachPercent = 20
)

// DefaultHours are the default business hours.
var DefaultHours = map[string][][2]string{
	"mon": {{"09:00", "18:00"}}, "tue": {{"09:00", "18:00"}}, "wed": {{"09:00", "18:00"}},
	"thu": {{"09:00", "18:00"}}, "fri": {{"09:00", "18:00"}}, "sat": {}, "sun": {},
}

// defaultTargets are the default SLA targets: first response and resolution, in business
// minutes (a business day of the default calendar is 540 minutes).
var defaultTargets = map[CaseType][2]int{
	TypeNonReceipt:           {240, 5 * 540},
	TypeDamage:               {240, 5 * 540},
	TypeMissingContents:      {240, 5 * 540},
	TypeDeliveredNotReceived: {120, 3 * 540},
	TypeCustoms:              {240, 3 * 540},
	TypeDeliveryChange:       {60, 540},
	TypeReturn:               {480, 5 * 540},
	TypeComplaint:            {240, 5 * 540},
	TypeFeedback:             {960, 10 * 540},
}

// Policy is the SLA targets of one case type, in minutes of business time.
type Policy struct {
	CaseType             CaseType `json:"case_type"`
	FirstResponseMinutes int      `json:"first_response_minutes"`
	ResolutionMinutes    int      `json:"resolution_minutes"`
}

// SLAConfig is a brand's business calendar and SLA policies.
type SLAConfig struct {
	Calendar          Calendar
	NearBreachPercent int
	Policies          map[CaseType]Policy
}

// policy returns the targets of a case type, falling back to wismo's defaults.
func (c SLAConfig) policy(t CaseType) Policy {
	if p, ok := c.Policies[t]; ok {
		return p
	}
	d := defaultTargets[t]
	return Policy{CaseType: t, FirstResponseMinutes: d[0], ResolutionMinutes: d[1]}
}

// defaultSLAConfig is the configuration of a brand that set none.
func defaultSLAConfig() SLAConfig {
	loc, err := geo.LoadZone(DefaultSLAZone)
	if err != nil {
		loc = time.UTC
	}
	cal := Calendar{Zone: DefaultSLAZone, loc: loc, holidays: map[string]bool{}}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		cal.week[wd] = []span{{9 * 60, 18 * 60}}
	}
	return SLAConfig{Calendar: cal, NearBreachPercent: DefaultNearBreachPercent, Policies: map[CaseType]Policy{}}
}

// loadSLAConfig reads a brand's SLA configuration, with defaults for what it did not set.
func loadSLAConfig(ctx context.Context, db *store.DB, q store.Tx, brandID int64) (SLAConfig, error) {
	cfg := defaultSLAConfig()
	var zone, hoursJSON, holidaysJSON string
	var pct int
	err := q.QueryRowContext(ctx, db.Rebind(`SELECT time_zone, hours, holidays, near_breach_percent FROM business_calendars
		WHERE brand_id = ?`), brandID).Scan(&zone, &hoursJSON, &holidaysJSON, &pct)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return cfg, fmt.Errorf("load calendar of brand %d: %w", brandID, err)
	default:
		var hours map[string][][2]string
		var holidays []string
		if err := json.Unmarshal([]byte(hoursJSON), &hours); err != nil {
			return cfg, fmt.Errorf("calendar of brand %d: %w", brandID, err)
		}
		if err := json.Unmarshal([]byte(holidaysJSON), &holidays); err != nil {
			return cfg, fmt.Errorf("calendar of brand %d: %w", brandID, err)
		}
		cal, fe := NewCalendar(zone, hours, holidays)
		if fe != nil {
			return cfg, fmt.Errorf("calendar of brand %d: %w", brandID, fe)
		}
		cfg.Calendar, cfg.NearBreachPercent = cal, pct
	}
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT case_type, first_response_minutes, resolution_minutes FROM sla_policies
		WHERE brand_id = ?`), brandID)
	if err != nil {
		return cfg, fmt.Errorf("load SLA policies of brand %d: %w", brandID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Policy
		if err := rows.Scan(&p.CaseType, &p.FirstResponseMinutes, &p.ResolutionMinutes); err != nil {
			return cfg, err
		}
		cfg.Policies[p.CaseType] = p
	}
	return cfg, rows.Err()
}

// saveSLAConfig replaces a brand's calendar and policies.
func saveSLAConfig(ctx context.Context, db *store.DB, tx store.Tx, brandID int64, cfg SLAConfig, now time.Time) error {
	hours, _ := json.Marshal(cfg.Calendar.Hours())
	holidays, _ := json.Marshal(cfg.Calendar.Holidays())
	if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO business_calendars (brand_id, time_zone, hours, holidays,
		near_breach_percent, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET
		time_zone = excluded.time_zone, hours = excluded.hours, holidays = excluded.holidays,
		near_breach_percent = excluded.near_breach_percent, updated_at = excluded.updated_at`),
		brandID, cfg.Calendar.Zone, string(hours), string(holidays), cfg.NearBreachPercent, now); err != nil {
		return fmt.Errorf("save calendar: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.Rebind(`DELETE FROM sla_policies WHERE brand_id = ?`), brandID); err != nil {
		return fmt.Errorf("save SLA policies: %w", err)
	}
	types := make([]CaseType, 0, len(cfg.Policies))
	for t := range cfg.Policies {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		p := cfg.Policies[t]
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO sla_policies (brand_id, case_type, first_response_minutes,
			resolution_minutes) VALUES (?, ?, ?, ?)`), brandID, string(t), p.FirstResponseMinutes, p.ResolutionMinutes); err != nil {
			return fmt.Errorf("save SLA policies: %w", err)
		}
	}
	return nil
}

// SLA timer states as the API shows them.
const (
	SLAOk         = "ok"
	SLANearBreach = "near_breach"
	SLABreached   = "breached"
	SLAMet        = "met"
	SLAMetLate    = "met_late"
	SLAPaused     = "paused"
)

// SLATimer is one SLA clock of a case.
type SLATimer struct {
	TargetMinutes    int        `json:"target_minutes"`
	Due              *time.Time `json:"due,omitempty"`
	MetAt            *time.Time `json:"met_at,omitempty"`
	State            string     `json:"state"`
	RemainingMinutes int        `json:"remaining_minutes"` // business minutes left; 0 once met or breached
}

// SLAView is a case's two SLA clocks.
type SLAView struct {
	FirstResponse SLATimer `json:"first_response"`
	Resolution    SLATimer `json:"resolution"`
}

// evalTimer computes a timer's state at now: met (in time or late), paused, breached, near
// breach (less than pct percent of the target left, in business time) or ok.
func evalTimer(cal Calendar, pct, target int, due, met *time.Time, paused bool, now time.Time) SLATimer {
	t := SLATimer{TargetMinutes: target, Due: due, MetAt: met, State: SLAOk}
	switch {
	case due == nil:
	case met != nil && met.After(*due):
		t.State = SLAMetLate
	case met != nil:
		t.State = SLAMet
	case paused:
		t.State = SLAPaused
		t.RemainingMinutes = int(cal.Between(now, *due).Minutes())
	case !now.Before(*due):
		t.State = SLABreached
	default:
		left := cal.Between(now, *due)
		t.RemainingMinutes = int(left.Minutes())
		if left*100 < time.Duration(target)*time.Minute*time.Duration(pct) {
			t.State = SLANearBreach
		}
	}
	return t
}

// slaView evaluates a case's clocks at now.
func slaView(c *Case, cfg SLAConfig, now time.Time) SLAView {
	p := cfg.policy(c.Type)
	resolved := c.ResolvedAt
	if resolved == nil && c.ClosedAt != nil {
		resolved = c.ClosedAt
	}
	return SLAView{
		FirstResponse: evalTimer(cfg.Calendar, cfg.NearBreachPercent, p.FirstResponseMinutes, c.SLA.FirstResponseDue, c.FirstResponseAt, false, now),
		Resolution:    evalTimer(cfg.Calendar, cfg.NearBreachPercent, p.ResolutionMinutes, c.SLA.ResolutionDue, resolved, c.SLA.PausedAt != nil, now),
	}
}
