package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// slaSweepBatch bounds the breaches one sweep transaction marks.
const slaSweepBatch = 500

// sweepQueries find and mark each clock's breaches: the clock is unmet, not yet marked, due,
// and the case still open (a resolution clock that is paused does not run).
var sweepQueries = []struct{ timer, column, where string }{
	{"first_response", "first_response_breached_at", `first_response_at IS NULL AND first_response_breached_at IS NULL
		AND first_response_due <= ?`},
	{"resolution", "resolution_breached_at", `resolved_at IS NULL AND resolution_breached_at IS NULL AND sla_paused_at IS NULL
		AND resolution_due <= ?`},
}

// SweepSLA marks the SLA breaches of open cases and announces each one exactly once
// (case.sla_breached in the outbox, a line in the case log): the UPDATE that marks a breach
// only matches unmarked rows, so concurrent sweeps on several nodes never mark one twice.
// It returns how many breaches it marked.
func (s *CaseService) SweepSLA(ctx context.Context) (int, error) {
	total := 0
	for _, q := range sweepQueries {
		for {
			n, err := s.sweep(ctx, q.timer, q.column, q.where)
			if err != nil {
				return total, fmt.Errorf("SLA sweep: %w", err)
			}
			total += n
			if n < slaSweepBatch {
				break
			}
		}
	}
	return total, nil
}

func (s *CaseService) sweep(ctx context.Context, timer, column, where string) (int, error) {
	now := s.now()
	// A read first: most sweeps find nothing, and need not take SQLite's write lock.
	var one int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT 1 FROM cases WHERE `+where+
		` AND status NOT IN ('resolved', 'closed') LIMIT 1`), now).Scan(&one)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		lock := ""
		if s.db.Dialect == store.Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`UPDATE cases SET `+column+` = ? WHERE id IN (SELECT id FROM cases WHERE `+where+`
			AND status NOT IN ('resolved', 'closed') ORDER BY id LIMIT ?`+lock+`) RETURNING `+caseCols), now, now, slaSweepBatch)
		if err != nil {
			return err
		}
		var breached []*Case
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return err
			}
			breached = append(breached, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var msgs []outbox.Entry
		for _, c := range breached {
			if err := loadCaseParcels(ctx, s.db, tx, c); err != nil {
				return err
			}
			due := c.SLA.FirstResponseDue
			if timer == "resolution" {
				due = c.SLA.ResolutionDue
			}
			m := caseMessage(TopicCaseSLABreached, c, "")
			ch := m.Payload.(CaseChange)
			ch.Timer, ch.Due = timer, due
			m.Payload = ch
			msgs = append(msgs, m)
			if err := insertLog(ctx, s.db, tx, c.ID, logEntry{At: now, Kind: "sla_breached", Actor: "system",
				Summary: fmt.Sprintf("%s SLA breached (due %s)", timer, due.UTC().Format(time.RFC3339)),
				Data:    map[string]any{"timer": timer, "due": due}}); err != nil {
				return err
			}
		}
		n = len(breached)
		return outbox.Write(ctx, s.db, tx, msgs, now)
	})
	return n, err
}

// RunSLA sweeps for breaches every interval until ctx ends.
func (s *CaseService) RunSLA(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.SweepSLA(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("SLA sweep failed", "err", err)
		} else if n > 0 {
			s.log.Info("SLA breaches marked", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SLASummary counts a scope's open cases by SLA state.
type SLASummary struct {
	Open                  int `json:"open"`
	FirstResponseBreached int `json:"first_response_breached"`
	ResolutionBreached    int `json:"resolution_breached"`
	NearBreach            int `json:"near_breach"`
	Paused                int `json:"paused"`
}

// nearBreachHorizon bounds which clocks are evaluated for near breach: those due within it.
const nearBreachHorizon = 14 * 24 * time.Hour

// SLASummary counts open cases visible to scope: breached clocks are counted in SQL; clocks
// due soon are evaluated in their brand's business calendar for near breach.
func (s *CaseService) SLASummary(ctx context.Context, scope access.Scope) (SLASummary, error) {
	now := s.now()
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	var sum SLASummary
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN first_response_at IS NULL AND first_response_due <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sla_paused_at IS NULL AND resolution_due <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sla_paused_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM cases WHERE status NOT IN ('resolved', 'closed') AND `+where), append([]any{now, now}, args...)...).
		Scan(&sum.Open, &sum.FirstResponseBreached, &sum.ResolutionBreached, &sum.Paused)
	if err != nil {
		return sum, fmt.Errorf("SLA summary: %w", err)
	}
	soon := now.Add(nearBreachHorizon)
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT `+caseCols+` FROM cases WHERE status NOT IN ('resolved', 'closed')
		AND ((first_response_at IS NULL AND first_response_due > ? AND first_response_due <= ?)
		  OR (sla_paused_at IS NULL AND resolution_due > ? AND resolution_due <= ?)) AND `+where),
		append([]any{now, soon, now, soon}, args...)...)
	if err != nil {
		return sum, fmt.Errorf("SLA summary: %w", err)
	}
	defer rows.Close()
	configs := map[int64]SLAConfig{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return sum, err
		}
		cfg, ok := configs[c.BrandID]
		if !ok {
			if cfg, err = loadSLAConfig(ctx, s.db, s.db.SQL, c.BrandID); err != nil {
				return sum, err
			}
			configs[c.BrandID] = cfg
		}
		v := slaView(c, cfg, now)
		if v.FirstResponse.State == SLANearBreach || v.Resolution.State == SLANearBreach {
			sum.NearBreach++
		}
	}
	return sum, rows.Err()
}
