package elapsed

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store"
)

// Swept counts what a sweep did with the rows that were due.
type Swept struct {
	Fired    int // handed to the rule (its condition and action)
	Stale    int // due longer ago than the brand's freshness limit: marked, contacted no one
	Moved    int // the parcel moved or no longer qualifies: disarmed until its re-arming
	Deferred int // the rule changed and is due later now
}

func (w *Swept) add(o Swept) {
	w.Fired, w.Stale, w.Moved, w.Deferred = w.Fired+o.Fired, w.Stale+o.Stale, w.Moved+o.Moved, w.Deferred+o.Deferred
}

type dueRow struct {
	parcel, anchor string
	rule, brand    int64
	due            time.Time
}

// Sweep handles every row due now, a batch per transaction, and says what it did.
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	var total Swept
	for {
		n, w, err := s.sweepBatch(ctx)
		total.add(w)
		if err != nil || n < s.opts.Batch {
			return total, err
		}
	}
}

// DueQuery is the sweep's read: the oldest due rows that have not fired, through the partial
// index elapsed_due_pending.
const DueQuery = `SELECT parcel_id, rule_id, brand_id, due_at, anchor FROM elapsed_due
	WHERE fired_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?`

func (s *Service) sweepBatch(ctx context.Context) (int, Swept, error) {
	var w Swept
	now := s.now()
	var rows []dueRow
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		rows, w = nil, Swept{}
		rs, err := tx.QueryContext(ctx, s.db.Rebind(DueQuery), now, s.opts.Batch)
		if err != nil {
			return fmt.Errorf("due rows: %w", err)
		}
		for rs.Next() {
			var r dueRow
			if err := rs.Scan(&r.parcel, &r.rule, &r.brand, &r.due, &r.anchor); err != nil {
				rs.Close()
				return err
			}
			rows = append(rows, r)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		fire, err := s.decide(ctx, tx, rows, now, &w)
		if err != nil {
			return err
		}
		if len(fire) == 0 {
			return nil
		}
		return s.rules.FireElapsed(ctx, tx, fire)
	})
	return len(rows), w, err
}

// decide checks each due row against the parcel and the rule as they are now, marks it, and
// returns what fires. Marking is conditional on the row being unfired at the same anchor, so
// two nodes sweeping at once fire it once.
func (s *Service) decide(ctx context.Context, tx store.Tx, rows []dueRow, now time.Time, w *Swept) ([]scripts.ElapsedFiring, error) {
	byBrand := map[int64][]string{}
	for _, r := range rows {
		byBrand[r.brand] = append(byBrand[r.brand], r.parcel)
	}
	states, rules, fresh := map[int64]map[string]state{}, map[int64][]scripts.Rule{}, map[int64]time.Duration{}
	for b, ids := range byBrand {
		var err error
		if states[b], err = s.readStates(ctx, tx, b, ids); err != nil {
			return nil, err
		}
		if rules[b], err = s.elapsedRules(ctx, b); err != nil {
			return nil, err
		}
		set, err := s.rules.Settings(ctx, b)
		if err != nil {
			return nil, err
		}
		fresh[b] = time.Duration(set.FreshLimit)
	}
	var fire []scripts.ElapsedFiring
	for _, r := range rows {
		outcome := "fired"
		i := slices.IndexFunc(rules[r.brand], func(x scripts.Rule) bool { return x.ID == r.rule })
		st, known := states[r.brand][r.parcel]
		var due time.Time
		var anchor string
		ok := false
		if i >= 0 && known {
			due, anchor, ok = dueOf(rules[r.brand][i], st)
		}
		switch {
		case !ok || anchor != r.anchor:
			outcome = "moved"
		case due.After(now):
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE elapsed_due SET due_at = ? WHERE parcel_id = ? AND rule_id = ? AND fired_at IS NULL`),
				due, r.parcel, r.rule); err != nil {
				return nil, err
			}
			w.Deferred++
			continue
		case now.Sub(due) > fresh[r.brand]:
			outcome = "stale"
		}
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE elapsed_due SET fired_at = ?, outcome = ?
			WHERE parcel_id = ? AND rule_id = ? AND anchor = ? AND fired_at IS NULL`), now, outcome, r.parcel, r.rule, r.anchor)
		if err != nil {
			return nil, fmt.Errorf("mark due row: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another node took it, or it was re-armed meanwhile
		}
		switch outcome {
		case "moved":
			w.Moved++
		case "stale":
			w.Stale++
			s.log.Debug("elapsed rule due too long ago to contact anyone", "rule", r.rule, "item", r.parcel, "due", r.due)
		default:
			w.Fired++
			fire = append(fire, scripts.ElapsedFiring{BrandID: r.brand, RuleID: r.rule, ParcelID: r.parcel, DueAt: due,
				Ref: "elapsed:" + r.parcel + ":" + r.anchor})
		}
	}
	return fire, nil
}

// Run arms and sweeps until ctx ends: the elapsed.arm consumer re-arms parcels on their news,
// and every tick the backfill arms a page of existing parcels for rules that are new or
// changed, then the sweep handles what is due.
func (s *Service) Run(ctx context.Context) {
	if err := s.startCursor(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("elapsed rules: outbox cursor", "err", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		outbox.Run(ctx, s.db, s.log, Consumer, time.Second, 200, s.opts.Outbox, s.Handle)
	}()
	defer wg.Wait()
	t := time.NewTicker(s.opts.Every)
	defer t.Stop()
	for {
		if _, err := s.ArmRules(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("elapsed rules: arming existing parcels", "err", err)
		}
		if w, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("elapsed rules: sweep", "err", err)
		} else if w.Fired+w.Stale > 0 {
			s.log.Info("elapsed rules swept", "fired", w.Fired, "stale", w.Stale, "moved", w.Moved, "deferred", w.Deferred)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startCursor starts a new elapsed.arm cursor at the outbox's head: parcels that existed
// before are armed by the backfill (ArmRules), not by replaying their whole history.
func (s *Service) startCursor(ctx context.Context) error {
	var n int
	if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM outbox_cursors WHERE consumer = ?`), Consumer).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return outbox.SetCursorAtHead(ctx, s.db, Consumer)
}
