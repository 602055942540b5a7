package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// JobName is the background job that queues each week's sample of calls (WISMO_JOBS).
const JobName = "review-sampling"

// DefaultSamplePerWeek is how many calls of each agent a week's sample queues for a brand
// that has not set its own number (review_settings).
const DefaultSamplePerWeek = 3

// SampleEvery is the job's pace: the sample of a finished week is taken on the first pass
// after it ends, and every pass after that finds nothing left to do.
const SampleEvery = time.Hour

// SampleSize returns brand's calls per agent per week and whether it is the default.
func (s *Service) SampleSize(ctx context.Context, brand int64) (int, bool, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT sample_per_week FROM review_settings WHERE brand_id = ?`), brand).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSamplePerWeek, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("review settings of brand %d: %w", brand, err)
	}
	return n, false, nil
}

// SetSampleSize stores brand's calls per agent per week (0-50; 0 samples nothing). The caller
// decided the brand (access.WriteBrand).
func (s *Service) SetSampleSize(ctx context.Context, brand int64, n int) error {
	if n < 0 || n > 50 {
		return input.Invalid(input.Errorf("sample_per_week", "must be 0-50 calls per agent per week, got %d", n))
	}
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO review_settings (brand_id, sample_per_week, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (brand_id) DO UPDATE SET sample_per_week = excluded.sample_per_week, updated_at = excluded.updated_at`), brand, n, s.now().UTC())
	if err != nil {
		return fmt.Errorf("store review settings of brand %d: %w", brand, err)
	}
	return nil
}

// Run queues last week's sample every SampleEvery until ctx ends (the review-sampling job).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(SampleEvery)
	defer t.Stop()
	for {
		_, monday := Week(s.now())
		if n, err := s.SampleWeek(ctx, monday.AddDate(0, 0, -7)); err != nil && ctx.Err() == nil {
			s.log.Error("weekly review sample failed", "err", err)
		} else if n > 0 {
			s.log.Info("queued calls for review", "calls", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SampleWeek queues, for every brand and every agent who answered recorded calls in the week
// starting at monday (UTC), random answered calls of that week with a finished recording,
// up to the brand's sample size minus what is already queued or reviewed for that agent and
// week. Running it again queues nothing more: it is idempotent. It returns how many it queued.
func (s *Service) SampleWeek(ctx context.Context, monday time.Time) (int, error) {
	week, monday := Week(monday)
	end := monday.AddDate(0, 0, 7)
	type agentOf struct{ brand, agent int64 }
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT DISTINCT c.brand_id, c.agent_id FROM calls c
		WHERE c.outcome = 'answered' AND c.brand_id IS NOT NULL AND c.agent_id IS NOT NULL AND c.started_at >= ? AND c.started_at < ?
		ORDER BY c.brand_id, c.agent_id LIMIT 100000`), monday, end)
	if err != nil {
		return 0, fmt.Errorf("agents of week %s: %w", week, err)
	}
	var agents []agentOf
	for rows.Next() {
		var a agentOf
		if err := rows.Scan(&a.brand, &a.agent); err != nil {
			rows.Close()
			return 0, err
		}
		agents = append(agents, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sizes := map[int64]int{}
	total := 0
	for _, a := range agents {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		n, ok := sizes[a.brand]
		if !ok {
			if n, _, err = s.SampleSize(ctx, a.brand); err != nil {
				return total, err
			}
			sizes[a.brand] = n
		}
		got, err := s.sampleAgent(ctx, a.brand, a.agent, n, week, monday, end)
		if err != nil {
			return total, err
		}
		total += got
	}
	return total, nil
}

// sampleAgent tops agent's sample of week up to n, in one transaction.
func (s *Service) sampleAgent(ctx context.Context, brand, agent int64, n int, week string, from, to time.Time) (int, error) {
	queued := 0
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		queued = 0
		var have int
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM call_reviews WHERE brand_id = ? AND agent_id = ? AND week = ?`),
			brand, agent, week).Scan(&have); err != nil {
			return err
		}
		need := n - have
		if need <= 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT c.id, c.queue_id FROM calls c
			WHERE c.brand_id = ? AND c.agent_id = ? AND c.outcome = 'answered' AND c.started_at >= ? AND c.started_at < ?
			AND EXISTS (SELECT 1 FROM recordings r WHERE r.call_id = c.id AND r.finished_at IS NOT NULL)
			AND NOT EXISTS (SELECT 1 FROM call_reviews cr WHERE cr.call_id = c.id)
			ORDER BY random() LIMIT ?`), brand, agent, from, to, need)
		if err != nil {
			return err
		}
		type pick struct {
			call  int64
			queue sql.NullInt64
		}
		var picks []pick
		for rows.Next() {
			var p pick
			if err := rows.Scan(&p.call, &p.queue); err != nil {
				rows.Close()
				return err
			}
			picks = append(picks, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.now().UTC()
		for _, p := range picks {
			res, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO call_reviews (brand_id, call_id, agent_id, queue_id, week, status, queued_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING`), brand, p.call, agent, nullID(p.queue.Int64), week, StatusQueued, now)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sample of agent %d, week %s: %w", agent, week, err)
	}
	return queued, nil
}
