package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

const reviewSelect = `SELECT cr.id, cr.brand_id, cr.call_id, COALESCE(cr.agent_id, 0), COALESCE(ua.email, ''), COALESCE(cr.queue_id, 0),
	cr.week, cr.status, COALESCE(cr.scorecard_id, 0), COALESCE(sc.name, ''), COALESCE(sc.criteria, ''), COALESCE(sc.pass_mark, 0),
	COALESCE(cr.reviewer_id, 0), COALESCE(ur.email, ''), cr.scores, cr.comment, cr.total, cr.passed, c.started_at, cr.queued_at, cr.reviewed_at
	FROM call_reviews cr JOIN calls c ON c.id = cr.call_id
	LEFT JOIN scorecards sc ON sc.id = cr.scorecard_id
	LEFT JOIN users ua ON ua.id = cr.agent_id
	LEFT JOIN users ur ON ur.id = cr.reviewer_id`

func scanReview(sc interface{ Scan(...any) error }) (Review, error) {
	var r Review
	var crit, scores string
	var started, queued, reviewed store.NullTime
	if err := sc.Scan(&r.ID, &r.BrandID, &r.CallID, &r.AgentID, &r.Agent, &r.QueueID, &r.Week, &r.Status, &r.ScorecardID,
		&r.ScorecardName, &crit, &r.PassMark, &r.ReviewerID, &r.Reviewer, &scores, &r.Comment, &r.Total, &r.Passed,
		&started, &queued, &reviewed); err != nil {
		return r, err
	}
	r.CallStartedAt, r.QueuedAt = started.Time, queued.Time
	if reviewed.Valid {
		t := reviewed.Time
		r.ReviewedAt = &t
	}
	if crit != "" {
		if err := json.Unmarshal([]byte(crit), &r.Criteria); err != nil {
			return r, fmt.Errorf("criteria of review %d: %w", r.ID, err)
		}
	}
	if scores != "" {
		if err := json.Unmarshal([]byte(scores), &r.Scores); err != nil {
			return r, fmt.Errorf("scores of review %d: %w", r.ID, err)
		}
	}
	return r, nil
}

// viewerSQL narrows a query of call_reviews cr to what v may read.
func viewerSQL(v Viewer) (string, []any) {
	if !v.OwnOnly {
		return "", nil
	}
	return " AND cr.agent_id = ? AND cr.status = ?", []any{v.UserID, StatusDone}
}

// Filter narrows a list of reviews.
type Filter struct {
	Status  string // queued or done; "" both
	BrandID int64  // 0: every brand the scope allows
	AgentID int64
	Limit   int // 1-500, default 100
}

// List returns the reviews scope and v may read, queued ones oldest first, scored ones
// newest first.
func (s *Service) List(ctx context.Context, scope access.Scope, v Viewer, f Filter) ([]Review, error) {
	where, args := scope.SQL("cr.brand_id", "", "")
	vw, vargs := viewerSQL(v)
	where += vw
	args = append(args, vargs...)
	if f.Status != "" {
		where += " AND cr.status = ?"
		args = append(args, f.Status)
	}
	if f.BrandID != 0 {
		where += " AND cr.brand_id = ?"
		args = append(args, f.BrandID)
	}
	if f.AgentID != 0 {
		where += " AND cr.agent_id = ?"
		args = append(args, f.AgentID)
	}
	order := " ORDER BY cr.reviewed_at DESC, cr.id DESC"
	if f.Status == StatusQueued {
		order = " ORDER BY cr.queued_at, cr.id"
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(reviewSelect+" WHERE "+where+order+" LIMIT ?"), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns review id if scope and v may read it.
func (s *Service) Get(ctx context.Context, scope access.Scope, v Viewer, id int64) (Review, error) {
	return s.one(ctx, scope, v, "cr.id = ?", id)
}

// OfCall returns call's review if scope and v may read it (ErrNotFound when it has none).
func (s *Service) OfCall(ctx context.Context, scope access.Scope, v Viewer, callID int64) (Review, error) {
	return s.one(ctx, scope, v, "cr.call_id = ?", callID)
}

func (s *Service) one(ctx context.Context, scope access.Scope, v Viewer, cond string, arg int64) (Review, error) {
	where, args := scope.SQL("cr.brand_id", "", "")
	vw, vargs := viewerSQL(v)
	args = append(append(args, vargs...), arg)
	r, err := scanReview(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(reviewSelect+" WHERE "+where+vw+" AND "+cond), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("review: %w", ErrNotFound)
	}
	return r, err
}

// CallFacts are what a review keeps of its call.
type CallFacts struct {
	ID, BrandID, AgentID, QueueID int64
}

// Call returns the facts of call id if scope may see its brand.
func (s *Service) Call(ctx context.Context, scope access.Scope, id int64) (CallFacts, error) {
	where, args := scope.SQL("brand_id", "", "")
	var f CallFacts
	var brand, agent, queue sql.NullInt64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id, brand_id, agent_id, queue_id FROM calls WHERE `+where+` AND id = ?`), append(args, id)...).
		Scan(&f.ID, &brand, &agent, &queue)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !brand.Valid) {
		return f, fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	f.BrandID, f.AgentID, f.QueueID = brand.Int64, agent.Int64, queue.Int64
	return f, err
}

// Score stores reviewer's review of call (scored on one of the brand's current scorecards):
// the call's queued review becomes done, or a new one is made; scoring a scored call again
// replaces the scores. reviewer is 0 for an API key.
func (s *Service) Score(ctx context.Context, scope access.Scope, reviewer, callID int64, in ScoreInput) (Review, error) {
	call, err := s.Call(ctx, scope, callID)
	if err != nil {
		return Review{}, err
	}
	if in.ScorecardID == 0 {
		return Review{}, input.Invalid(input.Errorf("scorecard_id", "is required: one of the brand's scorecards"))
	}
	sc, err := s.Scorecard(ctx, scope, in.ScorecardID)
	if errors.Is(err, ErrNotFound) || (err == nil && sc.BrandID != call.BrandID) {
		return Review{}, input.Invalid(input.Errorf("scorecard_id", "no scorecard %d of this call's brand", in.ScorecardID))
	}
	if err != nil {
		return Review{}, err
	}
	if !sc.Active {
		return Review{}, input.Invalid(input.Errorf("scorecard_id", "scorecard %d was replaced by a newer version: score with that one", sc.ID))
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if fe := input.Text("comment", in.Comment, 4000); fe != nil {
		return Review{}, input.Invalid(fe)
	}
	total, passed, err := Total(sc.Criteria, in.Scores, sc.PassMark)
	if err != nil {
		return Review{}, err
	}
	scores, _ := json.Marshal(in.Scores)
	now := s.now().UTC()
	var rev any
	if reviewer != 0 {
		rev = reviewer
	}
	_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO call_reviews (brand_id, call_id, agent_id, queue_id, week, status,
		scorecard_id, reviewer_id, scores, comment, total, passed, queued_at, reviewed_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_id) DO UPDATE SET status = excluded.status, scorecard_id = excluded.scorecard_id,
		reviewer_id = excluded.reviewer_id, scores = excluded.scores, comment = excluded.comment, total = excluded.total,
		passed = excluded.passed, reviewed_at = excluded.reviewed_at`),
		call.BrandID, call.ID, nullID(call.AgentID), nullID(call.QueueID), StatusDone, sc.ID, rev, string(scores), in.Comment, total, passed, now, now)
	if err != nil {
		return Review{}, fmt.Errorf("store review of call %d: %w", callID, err)
	}
	return s.OfCall(ctx, scope, Viewer{}, callID)
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
