package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wismo/wismo/store"
)

// state is a consumer's row of outbox_attempts: the attempt in flight, if any, and what
// failed at its cursor. It is written before every attempt, so that an attempt that never
// reports back (the process was killed, ran out of memory, crashed outside Go's reach) is
// found at the next turn and counted against the messages it held.
type state struct {
	at     cursor // the cursor the state was written at
	token  string // the attempt in flight ("" when none)
	owner  string // the process making it
	size   int    // messages it holds
	letter int64  // the dead letter it retries (0: the messages at the cursor)
	// suspect is how many messages from the cursor a failed batch held: they are taken one
	// at a time until passed, so that a failure is pinned to one message.
	suspect int
	// failures is how many failed attempts held the message at the cursor (the batch's
	// failure counts once for each of its messages).
	failures int
	lastErr  string
	since    time.Time // when the message at the cursor first failed
	lastAt   time.Time // when it last failed
}

// inFlight marks a new attempt of n messages (or of letter) by owner.
func (s *state) inFlight(owner string, n int, letter int64) {
	s.token, s.owner, s.size, s.letter = newToken(), owner, n, letter
}

// failed records a failed attempt of the messages at the cursor (not a letter's): every
// message of a failed batch has failed once and is taken alone from now on; a message that
// failed alone adds one more failure.
func (s *state) failed(msg string, now time.Time) {
	n := s.size
	if s.suspect == 0 {
		s.since = now
	}
	if n > 1 {
		s.suspect, s.failures = n, 1
	} else {
		s.suspect = max(s.suspect, 1)
		s.failures++
	}
	s.lastErr, s.lastAt = msg, now
	s.token, s.size, s.letter = "", 0, 0
}

// passed records that the first n messages from the cursor were handled; a message still
// in the failed batch's range has failed once, with it.
func (s *state) passed(n int) {
	s.suspect = max(0, s.suspect-n)
	s.failures = min(s.suspect, 1)
	if s.suspect == 0 {
		s.lastErr, s.since, s.lastAt = "", time.Time{}, time.Time{}
	}
	s.token, s.size, s.letter = "", 0, 0
}

// ended clears the attempt in flight without counting it (a failure not the message's fault).
func (s *state) ended() { s.token, s.size, s.letter = "", 0, 0 }

// due reports whether the message at the cursor has failed alone often enough to be set
// aside: only a message taken alone (suspect) can be, so a batch's failure never sets aside
// the neighbours of the one that caused it.
func (s *state) due(maxAttempts int) bool { return s.suspect > 0 && s.failures >= maxAttempts }

// batchSize is how many messages the next attempt may take: one inside a failed batch's
// range, else limit (whole rows).
func (s *state) batchSize(limit int) (int, bool) {
	if s.suspect > 0 {
		return 1, false
	}
	return limit, true
}

// stateColumns are the columns of outbox_attempts scanState reads, prefixed for a join.
const stateColumns = `a.at_txid, a.at_id, a.at_part, a.token, a.owner, a.size, a.letter_id, a.suspect, a.failures, a.last_error, a.since, a.last_at`

// loadTurn reads, in one statement, what a turn starts from: consumer's cursor (created at
// the start if it has none; locked until the transaction ends on PostgreSQL), its attempt
// state, and whether a dead letter waits for a retry.
func loadTurn(ctx context.Context, db *store.DB, tx store.Tx, consumer string) (cursor, state, bool, error) {
	query := `SELECT CAST(c.last_txid AS TEXT), c.last_id, c.last_part, a.consumer IS NOT NULL, ` + stateColumns + `,
			EXISTS (SELECT 1 FROM outbox_dead_letters d WHERE d.consumer = c.consumer AND d.status = 'retry')
		FROM outbox_cursors c LEFT JOIN outbox_attempts a ON a.consumer = c.consumer
		WHERE c.consumer = ?`
	if db.Dialect == store.Postgres {
		query += ` FOR UPDATE OF c`
	}
	for created := false; ; created = true {
		var at cursor
		var s state
		var found, retry bool
		var since, lastAt sql.NullTime
		var txid, token, owner, lastErr sql.NullString
		var id, part, size, letter, suspect, failures sql.NullInt64
		err := tx.QueryRowContext(ctx, db.Rebind(query), consumer).Scan(&at.txid, &at.id, &at.part, &found,
			&txid, &id, &part, &token, &owner, &size, &letter, &suspect, &failures, &lastErr, &since, &lastAt, &retry)
		if err == nil {
			s = state{at: start}
			if found {
				s = state{at: cursor{txid.String, id.Int64, int(part.Int64)}, token: token.String, owner: owner.String, size: int(size.Int64),
					letter: letter.Int64, suspect: int(suspect.Int64), failures: int(failures.Int64), lastErr: lastErr.String,
					since: since.Time, lastAt: lastAt.Time}
			}
			return at, s, retry, nil
		}
		if !errors.Is(err, sql.ErrNoRows) || created {
			return at, s, false, fmt.Errorf("outbox cursor: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO outbox_cursors (consumer, updated_at) VALUES (?, ?)
			ON CONFLICT (consumer) DO NOTHING`), consumer, time.Now().UTC()); err != nil {
			return at, s, false, fmt.Errorf("outbox cursor: %w", err)
		}
	}
}

// loadState reads consumer's attempt state alone (without the cursor's lock).
func loadState(ctx context.Context, db *store.DB, q store.Tx, consumer string) (state, error) {
	var s state
	var since, lastAt sql.NullTime
	err := q.QueryRowContext(ctx, db.Rebind(`SELECT at_txid, at_id, at_part, token, owner, size, letter_id, suspect, failures, last_error, since, last_at
		FROM outbox_attempts WHERE consumer = ?`), consumer).Scan(&s.at.txid, &s.at.id, &s.at.part, &s.token, &s.owner, &s.size, &s.letter,
		&s.suspect, &s.failures, &s.lastErr, &since, &lastAt)
	if errors.Is(err, sql.ErrNoRows) {
		return state{at: start}, nil
	}
	if err != nil {
		return s, fmt.Errorf("outbox attempts: %w", err)
	}
	s.since, s.lastAt = since.Time, lastAt.Time
	return s, nil
}

// saveState writes s. async, on PostgreSQL, commits the statement's own transaction without
// waiting for the WAL flush (see consumerTurn.record): for a statement run outside any
// transaction, set_config(..., true) holds until its implicit transaction has committed.
func saveState(ctx context.Context, db *store.DB, ex store.Tx, consumer string, s state, now time.Time, async bool) error {
	null := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	insert := `INSERT INTO outbox_attempts (consumer, at_txid, at_id, at_part, token, owner, size, letter_id,
			suspect, failures, last_error, since, last_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if async && db.Dialect == store.Postgres {
		insert = `WITH async AS (SELECT set_config('synchronous_commit', 'off', true))
		INSERT INTO outbox_attempts (consumer, at_txid, at_id, at_part, token, owner, size, letter_id,
			suspect, failures, last_error, since, last_at, updated_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz, ? FROM async`
	}
	_, err := ex.ExecContext(ctx, db.Rebind(insert+`
		ON CONFLICT (consumer) DO UPDATE SET at_txid = excluded.at_txid, at_id = excluded.at_id, at_part = excluded.at_part,
			token = excluded.token, owner = excluded.owner, size = excluded.size, letter_id = excluded.letter_id,
			suspect = excluded.suspect, failures = excluded.failures, last_error = excluded.last_error,
			since = excluded.since, last_at = excluded.last_at, updated_at = excluded.updated_at`),
		consumer, s.at.txid, s.at.id, s.at.part, s.token, s.owner, s.size, s.letter,
		s.suspect, s.failures, truncateError(s.lastErr), null(s.since), null(s.lastAt), now)
	if err != nil {
		return fmt.Errorf("outbox attempts: %w", err)
	}
	return nil
}

// processName names this process in attempt records: an attempt in flight under another
// name was made by a process that is gone (on PostgreSQL: that lost the cursor lock
// without reporting), and it counts as a failure.
var processName = sync.OnceValue(func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), newToken()[:8])
})

func newToken() string {
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	return hex.EncodeToString(b)
}

// maxErrorLen bounds the error text kept for a failure (a panic's stack is long).
const maxErrorLen = 4000

func truncateError(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
