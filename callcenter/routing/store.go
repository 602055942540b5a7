package routing

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Service keeps agents' and queues' routing settings (tables agent_routing, queue_routing).
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the routing settings of db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// Agent returns agent userID's routing in brand; ErrNotFound when the user does not serve
// the brand (user_brands), so that no brand reads another's agents.
func (s *Service) Agent(ctx context.Context, brand, userID int64) (AgentRouting, error) {
	r := AgentRouting{UserID: userID, BrandID: brand, Languages: []string{}, Skills: []string{}}
	if err := s.serves(ctx, s.db.SQL, brand, userID); err != nil {
		return r, err
	}
	var langs, skills string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT languages, skills FROM agent_routing WHERE user_id = ? AND brand_id = ?`),
		userID, brand).Scan(&langs, &skills)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return r, nil
	case err != nil:
		return r, errorf("agent %d: %w", userID, err)
	}
	r.Languages, r.Skills = append(r.Languages, splitList(langs)...), append(r.Skills, splitList(skills)...)
	return r, nil
}

// SetAgent validates and stores an agent's routing in a brand; a bad field is an
// *input.ValidationError naming it.
func (s *Service) SetAgent(ctx context.Context, r AgentRouting) (AgentRouting, error) {
	langs, fe := CheckLanguages(r.Languages)
	if fe != nil {
		return r, input.Invalid(fe)
	}
	skills, fe := CheckSkills("skills", r.Skills)
	if fe != nil {
		return r, input.Invalid(fe)
	}
	r.Languages, r.Skills = langs, skills
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		if err := s.serves(ctx, tx, r.BrandID, r.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO agent_routing (user_id, brand_id, languages, skills, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, brand_id) DO UPDATE SET languages = excluded.languages,
			skills = excluded.skills, updated_at = excluded.updated_at`), r.UserID, r.BrandID, joinList(langs), joinList(skills), s.now())
		return err
	})
	return r, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) serves(ctx context.Context, q querier, brand, userID int64) error {
	var one int
	err := q.QueryRowContext(ctx, s.db.Rebind(`SELECT 1 FROM user_brands b JOIN users u ON u.id = b.user_id
		WHERE b.user_id = ? AND b.brand_id = ?`), userID, brand).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errorf("agent %d of brand %d: %w", userID, brand, ErrNotFound)
	}
	return err
}

// Queue returns queue id's routing (the defaults when never set); ErrNotFound: no such queue.
func (s *Service) Queue(ctx context.Context, id int64) (QueueRouting, error) {
	var brand sql.NullInt64
	if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM hotline_queues WHERE id = ?`), id).Scan(&brand); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return QueueRouting{}, errorf("queue %d: %w", id, ErrNotFound)
		}
		return QueueRouting{}, err
	}
	q := DefaultQueue(id, brand.Int64)
	var fallback, announce int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT skill, fallback_seconds, announce_seconds FROM queue_routing WHERE queue_id = ?`), id).
		Scan(&q.Skill, &fallback, &announce)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return q, nil
	case err != nil:
		return q, errorf("queue %d: %w", id, err)
	}
	q.Fallback, q.Announce = time.Duration(fallback)*time.Second, time.Duration(announce)*time.Second
	return q, nil
}

// SetQueue validates and stores a queue's routing (its brand is the queue's own).
func (s *Service) SetQueue(ctx context.Context, q QueueRouting) (QueueRouting, error) {
	cur, err := s.Queue(ctx, q.QueueID)
	if err != nil {
		return q, err
	}
	q.BrandID = cur.BrandID
	q, fe := CheckQueue(q)
	if fe != nil {
		return q, input.Invalid(fe)
	}
	var brand any
	if q.BrandID != 0 {
		brand = q.BrandID
	}
	_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO queue_routing (queue_id, brand_id, skill, fallback_seconds, announce_seconds, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (queue_id) DO UPDATE SET skill = excluded.skill, fallback_seconds = excluded.fallback_seconds,
		announce_seconds = excluded.announce_seconds, updated_at = excluded.updated_at`),
		q.QueueID, brand, q.Skill, int(q.Fallback/time.Second), int(q.Announce/time.Second), s.now())
	return q, err
}

// agentRow is one agent of a brand as the router sees them.
type agentRow struct {
	langs, skills []string
	serving       bool // signed in and not paused: available, ringing, on a call or wrapping up
}

// brandAgents reads the routing of brand's agents with their states.
func (s *Service) brandAgents(ctx context.Context, brand int64) (map[int64]agentRow, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.user_id, r.languages, r.skills, COALESCE(st.state, 'offline')
		FROM agent_routing r JOIN users u ON u.id = r.user_id LEFT JOIN agent_states st ON st.user_id = r.user_id
		WHERE r.brand_id = ? AND u.disabled_at IS NULL`), brand)
	if err != nil {
		return nil, errorf("agents of brand %d: %w", brand, err)
	}
	defer rows.Close()
	out := map[int64]agentRow{}
	for rows.Next() {
		var id int64
		var langs, skills, state string
		if err := rows.Scan(&id, &langs, &skills, &state); err != nil {
			return nil, err
		}
		out[id] = agentRow{langs: splitList(langs), skills: splitList(skills), serving: state != "offline" && state != "paused"}
	}
	return out, rows.Err()
}

// Listed is an agent of a brand with their routing there.
type Listed struct {
	AgentRouting
	Email string
}

// List is every agent and supervisor of brand (access.BrandStaff, within scope) with their
// routing in the brand.
func (s *Service) List(ctx context.Context, acc *access.Service, scope access.Scope, brand int64) ([]Listed, error) {
	staff, err := acc.BrandStaff(ctx, scope, brand)
	if err != nil {
		return nil, err
	}
	out := make([]Listed, 0, len(staff))
	for _, m := range staff {
		r, err := s.Agent(ctx, brand, m.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Listed{AgentRouting: r, Email: m.Email})
	}
	return out, nil
}
