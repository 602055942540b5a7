package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/store"
)

// Service keeps scorecards and reviews (tables scorecards, call_reviews, review_settings).
type Service struct {
	db   *store.DB
	recs *recordings.Service
	talk *talk.Service
	log  *slog.Logger
	now  func() time.Time
}

// NewService returns the quality reviews of db; recs and talk feed the export of a call.
func NewService(db *store.DB, recs *recordings.Service, t *talk.Service, log *slog.Logger) *Service {
	return &Service{db: db, recs: recs, talk: t, log: log.With("component", "review"), now: time.Now}
}

const scorecardCols = `id, brand_id, family, version, name, criteria, pass_mark, active, created_at`

func scanScorecard(sc interface{ Scan(...any) error }) (Scorecard, error) {
	var s Scorecard
	var crit string
	var at store.NullTime
	if err := sc.Scan(&s.ID, &s.BrandID, &s.Family, &s.Version, &s.Name, &crit, &s.PassMark, &s.Active, &at); err != nil {
		return s, err
	}
	s.CreatedAt = at.Time
	if err := json.Unmarshal([]byte(crit), &s.Criteria); err != nil {
		return s, fmt.Errorf("criteria of scorecard %d: %w", s.ID, err)
	}
	return s, nil
}

// Scorecards lists brand's scorecards scope may see (the current versions only, unless all),
// newest first.
func (s *Service) Scorecards(ctx context.Context, scope access.Scope, brand int64, all bool) ([]Scorecard, error) {
	where, args := scope.SQL("brand_id", "", "")
	q := `SELECT ` + scorecardCols + ` FROM scorecards WHERE ` + where + ` AND brand_id = ?`
	if !all {
		q += ` AND active = ?`
		args = append(args, brand, true)
	} else {
		args = append(args, brand)
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(q+` ORDER BY id DESC LIMIT 200`), args...)
	if err != nil {
		return nil, fmt.Errorf("scorecards of brand %d: %w", brand, err)
	}
	defer rows.Close()
	out := []Scorecard{}
	for rows.Next() {
		sc, err := scanScorecard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Scorecard returns scorecard id if scope may see its brand.
func (s *Service) Scorecard(ctx context.Context, scope access.Scope, id int64) (Scorecard, error) {
	where, args := scope.SQL("brand_id", "", "")
	sc, err := scanScorecard(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT `+scorecardCols+` FROM scorecards WHERE `+where+` AND id = ?`), append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return sc, fmt.Errorf("scorecard %d: %w", id, ErrNotFound)
	}
	return sc, err
}

// SaveScorecard creates a scorecard of brand (id 0) or changes scorecard id. A scorecard no
// review used yet changes in place; one a review used is frozen, so the change is stored as
// the next version and the old one retired (old reviews keep their criteria and weights).
// Changing a retired version is ErrRetired.
func (s *Service) SaveScorecard(ctx context.Context, scope access.Scope, brand, id int64, in ScorecardInput) (Scorecard, error) {
	if err := in.Check(); err != nil {
		return Scorecard{}, err
	}
	crit, err := json.Marshal(in.Criteria)
	if err != nil {
		return Scorecard{}, err
	}
	now := s.now().UTC()
	if id == 0 {
		if !scope.AllowsBrand(brand) {
			return Scorecard{}, fmt.Errorf("brand %d: %w", brand, ErrNotFound)
		}
		var newID int64
		err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO scorecards (brand_id, family, version, name, criteria, pass_mark, active, created_at)
			VALUES (?, 0, 1, ?, ?, ?, ?, ?) RETURNING id`), brand, in.Name, string(crit), in.PassMark, true, now).Scan(&newID)
		if err != nil {
			return Scorecard{}, fmt.Errorf("create scorecard: %w", err)
		}
		if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE scorecards SET family = id WHERE id = ?`), newID); err != nil {
			return Scorecard{}, err
		}
		return s.Scorecard(ctx, scope, newID)
	}
	old, err := s.Scorecard(ctx, scope, id)
	if err != nil {
		return old, err
	}
	if !old.Active {
		return old, fmt.Errorf("scorecard %d (version %d): %w", id, old.Version, ErrRetired)
	}
	var used int
	if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM call_reviews WHERE scorecard_id = ?`), id).Scan(&used); err != nil {
		return old, err
	}
	if used == 0 {
		if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE scorecards SET name = ?, criteria = ?, pass_mark = ? WHERE id = ? AND brand_id = ?`),
			in.Name, string(crit), in.PassMark, id, old.BrandID); err != nil {
			return old, fmt.Errorf("change scorecard %d: %w", id, err)
		}
		return s.Scorecard(ctx, scope, id)
	}
	// One transaction: the retired version and its successor are never both active.
	var newID int64
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE scorecards SET active = ? WHERE id = ? AND brand_id = ? AND active = ?`), false, id, old.BrandID, true)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("scorecard %d: %w", id, ErrRetired) // another save got there first
		}
		return tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO scorecards (brand_id, family, version, name, criteria, pass_mark, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), old.BrandID, old.Family, old.Version+1, in.Name, string(crit), in.PassMark, true, now).Scan(&newID)
	})
	if err != nil {
		return old, fmt.Errorf("new version of scorecard %d: %w", id, err)
	}
	return s.Scorecard(ctx, scope, newID)
}
