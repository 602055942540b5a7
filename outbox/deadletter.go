package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/store"
)

// Statuses of a dead letter.
const (
	// StatusDead is a message its consumer set aside; it waits for an admin.
	StatusDead = "dead"
	// StatusRetry is a dead letter an admin sent back: its consumer's next turn hands it
	// to the handler once more, and sets it aside again if that fails.
	StatusRetry = "retry"
	// StatusResolved is a dead letter whose retry succeeded.
	StatusResolved = "resolved"
	// StatusDiscarded is a dead letter an admin gave up on.
	StatusDiscarded = "discarded"
)

// DeadLetter is a message a consumer set aside after its handling failed MaxAttempts times,
// with the last error. Its Message is the outbox message as the consumer saw it.
type DeadLetter struct {
	ID            int64
	Consumer      string
	Message       Message
	Error         string
	Attempts      int
	FirstFailedAt time.Time
	LastFailedAt  time.Time
	Status        string
	UpdatedAt     time.Time
	// UpdatedBy is who last changed the status ("" for the consumer itself).
	UpdatedBy string
}

const letterColumns = `id, consumer, message_id, part, topic, brand_id, item_id, payload, created_at, error, attempts,
	first_failed_at, last_failed_at, status, updated_at, updated_by`

func scanLetter(sc interface{ Scan(...any) error }) (DeadLetter, error) {
	var l DeadLetter
	var payload string
	m := &l.Message
	err := sc.Scan(&l.ID, &l.Consumer, &m.ID, &m.Part, &m.Topic, &m.BrandID, &m.ItemID, &payload, &m.CreatedAt, &l.Error, &l.Attempts,
		&l.FirstFailedAt, &l.LastFailedAt, &l.Status, &l.UpdatedAt, &l.UpdatedBy)
	m.Payload = json.RawMessage(payload)
	m.CreatedAt, l.FirstFailedAt, l.LastFailedAt, l.UpdatedAt = m.CreatedAt.UTC(), l.FirstFailedAt.UTC(), l.LastFailedAt.UTC(), l.UpdatedAt.UTC()
	return l, err
}

// setAside stores m as a dead letter of consumer with the failures s recorded; a message set
// aside before (a cursor moved back) becomes dead again.
func setAside(ctx context.Context, db *store.DB, tx store.Tx, consumer string, m Message, s state, now time.Time) error {
	first, last := s.since, s.lastAt
	if first.IsZero() {
		first = now
	}
	if last.IsZero() {
		last = now
	}
	_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO outbox_dead_letters (consumer, message_id, part, topic, brand_id, item_id, payload,
			created_at, error, attempts, first_failed_at, last_failed_at, status, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'dead', ?)
		ON CONFLICT (consumer, message_id, part) DO UPDATE SET error = excluded.error,
			attempts = outbox_dead_letters.attempts + excluded.attempts, last_failed_at = excluded.last_failed_at,
			status = 'dead', updated_at = excluded.updated_at, updated_by = ''`),
		consumer, m.ID, m.Part, m.Topic, m.BrandID, m.ItemID, string(m.Payload), m.CreatedAt.UTC(),
		truncateError(s.lastErr), s.failures, first.UTC(), last.UTC(), now)
	if err != nil {
		return fmt.Errorf("set aside outbox message %s: %w", m.Ref(), err)
	}
	return nil
}

// nextRetry returns the oldest letter of consumer an admin sent back, if any.
func nextRetry(ctx context.Context, db *store.DB, tx store.Tx, consumer string) (*DeadLetter, error) {
	l, err := scanLetter(tx.QueryRowContext(ctx, db.Rebind(`SELECT `+letterColumns+` FROM outbox_dead_letters
		WHERE consumer = ? AND status = 'retry' ORDER BY updated_at, id LIMIT 1`), consumer))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return &l, nil
}

// letterFailed sets a retried letter aside again, one attempt more, with the new error.
func letterFailed(ctx context.Context, db *store.DB, ex store.Tx, id int64, msg string, now time.Time) error {
	_, err := ex.ExecContext(ctx, db.Rebind(`UPDATE outbox_dead_letters SET status = 'dead', attempts = attempts + 1, error = ?,
		last_failed_at = ?, updated_at = ? WHERE id = ? AND status = 'retry'`), truncateError(msg), now, now, id)
	if err != nil {
		return fmt.Errorf("dead letter %d: %w", id, err)
	}
	return nil
}

// letterResolved marks a retried letter handled.
func letterResolved(ctx context.Context, db *store.DB, tx store.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, db.Rebind(`UPDATE outbox_dead_letters SET status = 'resolved', updated_at = ? WHERE id = ?`), now, id)
	if err != nil {
		return fmt.Errorf("dead letter %d: %w", id, err)
	}
	return nil
}
