package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// Sentinel errors of the dead-letter service, mapped to statuses at the HTTP edge.
var (
	// ErrLetterNotFound: no dead letter with that id in the caller's scope.
	ErrLetterNotFound = errors.New("no such dead letter")
	// ErrLetterStatus: the letter's status does not allow the change (a resolved letter
	// cannot be retried, a discarded one cannot be discarded again).
	ErrLetterStatus = errors.New("the dead letter's status does not allow this")
	// ErrLetterFilter: a LetterFilter field is not valid.
	ErrLetterFilter = errors.New("invalid dead-letter filter")
)

// DeadLetters is what admins do with set-aside messages: list them, send one back to its
// consumer (Retry), or give up on it (Discard). Every call takes the caller's scope: a
// brand's staff see their brands' letters only.
type DeadLetters struct {
	db  *store.DB
	now func() time.Time
}

// NewDeadLetters returns the dead-letter service over db.
func NewDeadLetters(db *store.DB) *DeadLetters {
	return &DeadLetters{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// LetterFilter narrows List: empty fields match everything.
type LetterFilter struct {
	Consumer string
	// Status is one of the Status* constants; empty lists the letters that wait for
	// someone (dead and retry).
	Status string
	Limit  int // 0: 100; at most 1000
}

// List returns the letters of scope matching f, newest failure first.
func (d *DeadLetters) List(ctx context.Context, scope access.Scope, f LetterFilter) ([]DeadLetter, error) {
	where, args := scope.SQL("brand_id", "", "")
	if f.Consumer != "" {
		where += " AND consumer = ?"
		args = append(args, f.Consumer)
	}
	switch f.Status {
	case "":
		where += " AND status IN ('dead', 'retry')"
	case StatusDead, StatusRetry, StatusResolved, StatusDiscarded:
		where += " AND status = ?"
		args = append(args, f.Status)
	default:
		return nil, fmt.Errorf("%w: status %q is not one of dead, retry, resolved, discarded", ErrLetterFilter, f.Status)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT `+letterColumns+` FROM outbox_dead_letters WHERE `+where+`
		ORDER BY last_failed_at DESC, id DESC LIMIT ?`), append(args, min(limit, 1000))...)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		l, err := scanLetter(rows)
		if err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// Get returns letter id if scope may see it.
func (d *DeadLetters) Get(ctx context.Context, scope access.Scope, id int64) (DeadLetter, error) {
	where, args := scope.SQL("brand_id", "", "")
	l, err := scanLetter(d.db.SQL.QueryRowContext(ctx, d.db.Rebind(`SELECT `+letterColumns+` FROM outbox_dead_letters
		WHERE id = ? AND `+where), append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return DeadLetter{}, fmt.Errorf("dead letter %d: %w", id, ErrLetterNotFound)
	}
	if err != nil {
		return DeadLetter{}, fmt.Errorf("dead letter %d: %w", id, err)
	}
	return l, nil
}

// Retry sends a dead letter back to its consumer: its next turn hands the message to the
// handler once more (never through the outbox, where every other consumer would get it
// again). actor names who asked, for the record.
func (d *DeadLetters) Retry(ctx context.Context, scope access.Scope, id int64, actor string) (DeadLetter, error) {
	return d.move(ctx, scope, id, actor, StatusRetry, StatusDead)
}

// Discard gives up on a dead letter (one waiting for a retry too); it stays listed as
// discarded.
func (d *DeadLetters) Discard(ctx context.Context, scope access.Scope, id int64, actor string) (DeadLetter, error) {
	return d.move(ctx, scope, id, actor, StatusDiscarded, StatusDead, StatusRetry)
}

// move sets letter id's status to `to` when it is one of from.
func (d *DeadLetters) move(ctx context.Context, scope access.Scope, id int64, actor, to string, from ...string) (DeadLetter, error) {
	if _, err := d.Get(ctx, scope, id); err != nil {
		return DeadLetter{}, err
	}
	q := `UPDATE outbox_dead_letters SET status = ?, updated_at = ?, updated_by = ? WHERE id = ? AND status IN (?`
	args := []any{to, d.now(), actor, id, from[0]}
	for _, f := range from[1:] {
		q += ", ?"
		args = append(args, f)
	}
	res, err := d.db.SQL.ExecContext(ctx, d.db.Rebind(q+")"), args...)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("dead letter %d: %w", id, err)
	}
	l, err := d.Get(ctx, scope, id)
	if err != nil {
		return DeadLetter{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return l, fmt.Errorf("dead letter %d is %s: %w", id, l.Status, ErrLetterStatus)
	}
	return l, nil
}

// Waiting counts the letters of each consumer that wait for someone (dead or retry), for
// the metrics.
func (d *DeadLetters) Waiting(ctx context.Context) (map[string]int, error) {
	rows, err := d.db.SQL.QueryContext(ctx, `SELECT consumer, COUNT(*) FROM outbox_dead_letters WHERE status IN ('dead', 'retry') GROUP BY consumer`)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		out[c] = n
	}
	return out, rows.Err()
}
