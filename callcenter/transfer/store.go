package transfer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

func nz(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// insert writes t's row and sets its id.
func (s *Service) insert(ctx context.Context, t *Transfer) error { return Log(ctx, s.db, t) }

// Log writes t's row of call_transfers and sets its id: this package's transfers, and what
// others record through it (callcenter/monitor's conferences, the demo's history). Its
// outcome and end may be set already.
func Log(ctx context.Context, db *store.DB, t *Transfer) error {
	return db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO call_transfers
		(brand_id, call_id, kind, from_agent_id, to_agent_id, to_queue_id, to_number, outcome, started_at, ended_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), nz(t.BrandID), t.CallID, t.Kind, nz(t.FromAgentID),
		nz(t.ToAgentID), nz(t.ToQueueID), t.ToNumber, t.Outcome, t.StartedAt, t.EndedAt).Scan(&t.ID)
}

// Finish sets row id's outcome (unless "") and end (unless nil); the brand is in the WHERE
// as in every write.
func Finish(ctx context.Context, db *store.DB, id, brandID int64, outcome string, at *time.Time) error {
	if outcome != "" {
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE call_transfers SET outcome = ? WHERE id = ? AND COALESCE(brand_id, 0) = ?`),
			outcome, id, brandID); err != nil {
			return err
		}
	}
	if at == nil {
		return nil
	}
	_, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE call_transfers SET ended_at = ? WHERE id = ? AND COALESCE(brand_id, 0) = ?`),
		*at, id, brandID)
	return err
}

// end writes t's outcome, end and target agent (a queue's: who answered); the brand is in
// the WHERE as in every write.
func (s *Service) end(ctx context.Context, t Transfer) error {
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE call_transfers SET outcome = ?, ended_at = ?, to_agent_id = ?
		WHERE id = ? AND COALESCE(brand_id, 0) = ?`), t.Outcome, t.EndedAt, nz(t.ToAgentID), t.ID, t.BrandID)
	return err
}

// List is call callID's transfers and conferences, in the order they started, within scope.
func (s *Service) List(ctx context.Context, scope access.Scope, callID int64) ([]Transfer, error) {
	where, args := scope.SQL("brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, COALESCE(brand_id, 0), call_id, kind,
		COALESCE(from_agent_id, 0), COALESCE(to_agent_id, 0), COALESCE(to_queue_id, 0), to_number, outcome, started_at, ended_at
		FROM call_transfers WHERE call_id = ? AND `+where+` ORDER BY started_at, id`), append([]any{callID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("transfers of call %d: %w", callID, err)
	}
	defer rows.Close()
	var out []Transfer
	for rows.Next() {
		var t Transfer
		var ended store.NullTime
		if err := rows.Scan(&t.ID, &t.BrandID, &t.CallID, &t.Kind, &t.FromAgentID, &t.ToAgentID, &t.ToQueueID,
			&t.ToNumber, &t.Outcome, &t.StartedAt, &ended); err != nil {
			return nil, err
		}
		t.StartedAt = t.StartedAt.UTC()
		if ended.Valid {
			t.EndedAt = &ended.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AllowsExternal reports whether brand's staff may transfer calls to external numbers.
func (s *Service) AllowsExternal(ctx context.Context, brand int64) (bool, error) {
	var on bool
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT allow_external FROM brand_transfers WHERE brand_id = ?`), brand).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return on, err
}

// SetAllowsExternal turns external transfers on or off for brand: the brand's managers and
// admins only (ErrForbidden naming allow_external otherwise).
func (s *Service) SetAllowsExternal(ctx context.Context, u *access.User, brand int64, on bool) error {
	if u == nil || (u.Role != access.RoleAdmin && u.Role != access.RoleBrandManager) || !access.ScopeOf(u).AllowsBrand(brand) {
		return forbidden("allow_external", "only the brand's managers and admins change who may transfer calls out")
	}
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO brand_transfers (brand_id, allow_external, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (brand_id) DO UPDATE SET allow_external = excluded.allow_external, updated_at = excluded.updated_at`),
		brand, on, time.Now().UTC())
	return err
}

// servesBrand reports whether user id is active staff who may take brand's calls (as
// callcenter.Agents.Idle reads it: admins and supervisors take every brand's).
func (s *Service) servesBrand(ctx context.Context, id, brand int64) (bool, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM users u WHERE u.id = ? AND u.disabled_at IS NULL
		AND (u.role IN ('admin','supervisor') OR EXISTS (SELECT 1 FROM user_brands b WHERE b.user_id = u.id AND b.brand_id = ?))`), id, brand).Scan(&n)
	return n > 0, err
}

// queueBrand is the brand of hotline queue id (ErrNotFound: no such queue).
func (s *Service) queueBrand(ctx context.Context, id int64) (int64, error) {
	var brand sql.NullInt64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM hotline_queues WHERE id = ?`), id).Scan(&brand)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return brand.Int64, err
}

// Targets is what the desk offers agent u to transfer their call to: the brand's agents
// who are available now (not u), its hotline queues, and whether numbers are allowed.
type Targets struct {
	Agents   []TargetAgent `json:"agents"`
	Queues   []TargetQueue `json:"queues"`
	External bool          `json:"external"`
}

// TargetAgent is an available agent of the call's brand.
type TargetAgent struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// TargetQueue is a hotline queue of the call's brand.
type TargetQueue struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Targets lists the targets for the call agent u talks in (ErrNoCall: none).
func (s *Service) Targets(ctx context.Context, u *access.User) (Targets, error) {
	var out Targets
	if u == nil {
		return out, ErrNoCall
	}
	lv := s.c.Live(u.ID)
	if lv == nil {
		return out, ErrNoCall
	}
	brand := lv.BrandID()
	idle, err := s.c.Agents.Idle(ctx, brand, map[int64]bool{u.ID: true})
	if err != nil {
		return out, err
	}
	out.Agents = []TargetAgent{}
	for _, ag := range idle {
		if _, ok := s.c.Contact(ag); !ok {
			continue
		}
		var email string
		if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT email FROM users WHERE id = ?`), ag.UserID).Scan(&email); err != nil {
			return out, err
		}
		out.Agents = append(out.Agents, TargetAgent{ID: ag.UserID, Email: email})
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, name FROM hotline_queues WHERE brand_id = ? ORDER BY name, id`), brand)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	out.Queues = []TargetQueue{}
	for rows.Next() {
		var q TargetQueue
		if err := rows.Scan(&q.ID, &q.Name); err != nil {
			return out, err
		}
		out.Queues = append(out.Queues, q)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	out.External, err = s.AllowsExternal(ctx, brand)
	return out, err
}
