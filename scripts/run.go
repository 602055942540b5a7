package scripts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wismo/wismo/outbox"
)

// Run runs the rules until ctx ends: it installs the standard flow for brands without one,
// consumes the outbox (several wismo nodes take turns on the cursor), and opens the cases
// that rules asked for.
func (s *Service) Run(ctx context.Context) {
	if err := s.installMissing(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("standard flow for existing brands", "err", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		outbox.Run(ctx, s.db, s.log, Consumer, 200*time.Millisecond, 200, s.opts.Outbox, s.Handle)
	}()
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
		}
		if s.opts.Cases == nil {
			continue
		}
		if _, err := s.OpenCases(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("opening cases for rules", "err", err)
		}
	}
}

// OpenCases opens the cases rules asked for, through the case tracker. Each request is
// taken (pending -> opening) before the tracker is called, so two nodes never open it
// twice; one left `opening` by a crash goes back to pending after five minutes, which is
// safe because the tracker returns the open case of that type rather than a second one.
func (s *Service) OpenCases(ctx context.Context) (int, error) {
	now := s.now()
	if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE rule_case_requests SET status = 'pending', updated_at = ?
		WHERE status = 'opening' AND updated_at < ?`), now, now.Add(-5*time.Minute)); err != nil {
		return 0, fmt.Errorf("case requests: %w", err)
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, brand_id, parcel_id, case_type, note FROM rule_case_requests
		WHERE status = 'pending' ORDER BY id LIMIT 50`)
	if err != nil {
		return 0, fmt.Errorf("case requests: %w", err)
	}
	type request struct {
		id, brand         int64
		parcel, typ, note string
	}
	var list []request
	for rows.Next() {
		var r request
		if err := rows.Scan(&r.id, &r.brand, &r.parcel, &r.typ, &r.note); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, r)
	}
	rows.Close()
	opened := 0
	for _, r := range list {
		res, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE rule_case_requests SET status = 'opening', updated_at = ? WHERE id = ? AND status = 'pending'`), s.now(), r.id)
		if err != nil {
			return opened, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another node took it
		}
		number, err := s.opts.Cases.OpenFromRule(ctx, r.brand, r.parcel, r.typ, r.note)
		status, detail := "opened", ""
		if err != nil {
			status, detail = "failed", err.Error()
			s.log.Warn("a rule's case could not be opened", "request", r.id, "err", err)
		} else {
			opened++
		}
		if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE rule_case_requests SET status = ?, case_number = ?, detail = ?, updated_at = ? WHERE id = ?`),
			status, number, detail, s.now(), r.id); err != nil {
			return opened, err
		}
	}
	return opened, nil
}
