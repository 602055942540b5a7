package ccmetrics

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Service-level targets (cc_service_levels): a brand's target, and a queue's that overrides
// it for that queue's calls. With none, DefaultSLSeconds and DefaultSLTarget.

// Target is a service-level target: Target of offered calls answered within Seconds.
type Target struct {
	BrandID   int64   `json:"brand_id"`
	QueueID   int64   `json:"queue_id,omitempty"` // 0: the brand's target for every queue
	Seconds   int     `json:"seconds"`
	Target    float64 `json:"target"`
	UpdatedBy string  `json:"updated_by,omitempty"`
}

// targets are the targets in force, by brand and by brand and queue.
type targets struct {
	brand map[int64]Target
	queue map[[2]int64]Target
}

// of is the target of a call of brand in queue.
func (t targets) of(brand, queue int64) (int, float64) {
	if x, ok := t.queue[[2]int64{brand, queue}]; ok && queue != 0 {
		return x.Seconds, x.Target
	}
	if x, ok := t.brand[brand]; ok {
		return x.Seconds, x.Target
	}
	return DefaultSLSeconds, DefaultSLTarget
}

// Targets lists the targets set for scope's brands.
func (m *Metrics) Targets(ctx context.Context, scope access.Scope) ([]Target, error) {
	where, args := scope.SQL("brand_id", "", "")
	rows, err := m.db.SQL.QueryContext(ctx, m.db.Rebind(`SELECT brand_id, COALESCE(queue_id, 0), seconds, target, updated_by
		FROM cc_service_levels WHERE `+where+` ORDER BY brand_id, COALESCE(queue_id, 0)`), args...)
	if err != nil {
		return nil, fmt.Errorf("service-level targets: %w", err)
	}
	defer rows.Close()
	out := []Target{}
	for rows.Next() {
		var t Target
		if err := rows.Scan(&t.BrandID, &t.QueueID, &t.Seconds, &t.Target, &t.UpdatedBy); err != nil {
			return nil, fmt.Errorf("service-level targets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (m *Metrics) targets(ctx context.Context, scope access.Scope) (targets, error) {
	list, err := m.Targets(ctx, scope)
	t := targets{brand: map[int64]Target{}, queue: map[[2]int64]Target{}}
	for _, x := range list {
		if x.QueueID == 0 {
			t.brand[x.BrandID] = x
		} else {
			t.queue[[2]int64{x.BrandID, x.QueueID}] = x
		}
	}
	return t, err
}

// SetTarget sets brand's target (for queue, when not 0: one of the brand's queues or a shared
// one). Seconds 1..3600, a target above 0 up to 1 and a queue the brand's: anything else is an
// *input.ValidationError naming the field.
func (m *Metrics) SetTarget(ctx context.Context, scope access.Scope, t Target, by string) error {
	brand, err := scope.WriteBrand(t.BrandID)
	if err != nil {
		return err
	}
	var errs []*input.FieldError
	if t.Seconds < 1 || t.Seconds > 3600 {
		errs = append(errs, input.Errorf("seconds", "must be 1 to 3600 seconds, got %d", t.Seconds))
	}
	if !(t.Target > 0 && t.Target <= 1) || math.IsNaN(t.Target) {
		errs = append(errs, input.Errorf("target", "must be a share above 0 up to 1 (0.8 is 80%%), got %v", t.Target))
	}
	if len(errs) > 0 {
		return input.Invalid(errs...)
	}
	return m.db.WriteTx(ctx, func(tx store.Tx) error {
		var queue any
		if t.QueueID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, m.db.Rebind(`SELECT COUNT(*) FROM hotline_queues WHERE id = ? AND (brand_id = ? OR brand_id IS NULL)`),
				t.QueueID, brand).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return input.Invalid(input.Errorf("queue_id", "no queue %d of this brand", t.QueueID))
			}
			queue = t.QueueID
		}
		if _, err := tx.ExecContext(ctx, m.db.Rebind(`DELETE FROM cc_service_levels WHERE brand_id = ? AND COALESCE(queue_id, 0) = ?`), brand, t.QueueID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, m.db.Rebind(`INSERT INTO cc_service_levels (brand_id, queue_id, seconds, target, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`), brand, queue, t.Seconds, t.Target, by, m.now())
		return err
	})
}

// sinceMidnight is the start of now's day in loc.
func sinceMidnight(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// Queue is a hotline queue a target may be set for.
type Queue struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	BrandID int64  `json:"brand_id"` // 0: shared by every brand
}

// Queues lists the hotline queues of scope's brands and the shared ones.
func (m *Metrics) Queues(ctx context.Context, scope access.Scope) ([]Queue, error) {
	where, args := scope.SQL("brand_id", "", "")
	rows, err := m.db.SQL.QueryContext(ctx, m.db.Rebind(`SELECT id, name, COALESCE(brand_id, 0) FROM hotline_queues
		WHERE brand_id IS NULL OR `+where+` ORDER BY name, id LIMIT 500`), args...)
	if err != nil {
		return nil, fmt.Errorf("hotline queues: %w", err)
	}
	defer rows.Close()
	var out []Queue
	for rows.Next() {
		var q Queue
		if err := rows.Scan(&q.ID, &q.Name, &q.BrandID); err != nil {
			return nil, fmt.Errorf("hotline queues: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
