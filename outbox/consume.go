package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/store"
)

// Handler handles a batch of messages inside the consumer's transaction: what it writes with
// tx commits together with the cursor. An error or a panic rolls both back and fails the
// attempt (see Policy for what happens next).
type Handler func(ctx context.Context, tx store.Tx, msgs []Message) error

// DefaultMaxAttempts is how many failed attempts set a message aside unless a Policy says
// otherwise (WISMO_OUTBOX_MAX_ATTEMPTS).
const DefaultMaxAttempts = 3

// Pauses after failed attempts: the first is Policy.Backoff, each failure in a row doubles
// it, up to maxBackoff.
const (
	defaultBackoff = 500 * time.Millisecond
	maxBackoff     = time.Minute
)

// Policy says how a consumer treats messages whose handling fails, for every consumer of a
// node alike. The zero Policy sets a message aside after DefaultMaxAttempts failures and
// logs nothing.
//
// Every attempt is recorded before the handler runs (outbox_attempts), so a failure counts
// whether the handler returned an error, panicked, or took the process down with it. A
// failed batch is taken apart: its messages are tried one at a time until they are passed,
// and a message that has failed MaxAttempts times — the batch's failure included, at least
// once alone — is set aside as a dead letter (outbox_dead_letters) and the cursor moves on.
// Failures that are not the messages' fault do not count (see Transient).
type Policy struct {
	// MaxAttempts is how many failed attempts set a message aside (0: DefaultMaxAttempts).
	MaxAttempts int
	// Backoff is the pause after a failed attempt, doubled for each further failure in a
	// row (0: 500 ms).
	Backoff time.Duration
	// Log gets a warning for each failed attempt and an error for each message set aside
	// (nil: no logs).
	Log *slog.Logger
	// Metrics counts failed attempts and dead letters (nil: none).
	Metrics *Metrics
	// Owner names this process in attempt records (empty: a name made once per process).
	// An attempt left in flight under another name counts as a failure: tests set one to
	// play a restarted process.
	Owner string
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.Backoff <= 0 {
		p.Backoff = defaultBackoff
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	if p.Owner == "" {
		p.Owner = processName()
	}
	return p
}

// backoff is the pause after the k-th failure in a row.
func (p Policy) backoff(k int) time.Duration {
	d := p.Backoff
	for i := 1; i < k && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// Consume hands the next messages (up to limit) after consumer's cursor to fn and advances
// the cursor, under the zero Policy. Consumers of one name on several nodes take turns: the
// cursor row is locked. It returns how many messages were handled.
func Consume(ctx context.Context, db *store.DB, consumer string, limit int, fn Handler) (int, error) {
	return Policy{}.Consume(ctx, db, consumer, limit, fn)
}

// Consume is one turn of consumer under p: it settles what an earlier attempt left (a
// message to set aside, an attempt whose process died), then makes one attempt — a dead
// letter an admin sent back, else the next messages — and returns how many messages were
// handled and the attempt's error.
func (p Policy) Consume(ctx context.Context, db *store.DB, consumer string, limit int, fn Handler) (int, error) {
	o := p.turn(ctx, db, consumer, limit, fn)
	return o.handled, o.err
}

// outcome is how a turn went.
type outcome struct {
	handled  int
	err      error // the attempt's error, or a database error around it
	again    bool  // more to do at once (a failed batch's messages, one at a time)
	setAside int   // messages set aside on the way
}

func (p Policy) turn(ctx context.Context, db *store.DB, consumer string, limit int, fn Handler) outcome {
	c := &consumerTurn{p: p.withDefaults(), db: db, name: consumer, limit: max(limit, 1), fn: fn}
	c.log = c.p.Log
	setAside := 0
	for {
		var o outcome
		var settled bool
		if db.Dialect == store.Postgres {
			o, settled = c.postgres(ctx)
		} else {
			o, settled = c.sqlite(ctx)
		}
		if c.setAside > 0 {
			setAside, c.setAside = setAside+c.setAside, 0
		}
		if !settled || ctx.Err() != nil {
			o.setAside = setAside
			return o
		}
	}
}

// consumerTurn is one turn of a consumer.
type consumerTurn struct {
	p        Policy
	db       *store.DB
	log      *slog.Logger
	name     string
	limit    int
	fn       Handler
	setAside int
}

// errLostRace: another goroutine of this process took the consumer's turn between the
// attempt's record and its transaction (SQLite); nothing happened, the turn starts over.
var errLostRace = errors.New("outbox: another attempt took the turn")

// attemptError carries a handler's failure out of the consumer's transaction.
type attemptError struct{ err error }

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// sqlite makes a turn on SQLite, where this process queues its writers on one lock (see
// store.DB.WriteTx): a second write transaction while the consumer's is open would wait for
// it forever. So the attempt is recorded in a short transaction of its own just before the
// consumer's, which checks that the record is still its own.
func (c *consumerTurn) sqlite(ctx context.Context) (outcome, bool) {
	var pl plan
	err := c.db.WriteTx(ctx, func(tx store.Tx) error {
		var err error
		pl, err = c.prepare(ctx, tx)
		return err
	})
	switch {
	case err != nil:
		return c.databaseError(ctx, err), false
	case pl.settled:
		return outcome{}, true
	case pl.empty():
		return outcome{}, false
	}
	err = c.db.WriteTx(ctx, func(tx store.Tx) error {
		at, st, _, err := loadTurn(ctx, c.db, tx, c.name)
		if err != nil {
			return err
		}
		if at != pl.at || st.token != pl.st.token {
			return errLostRace
		}
		return c.attempt(ctx, tx, &pl)
	})
	var ae *attemptError
	switch {
	case errors.Is(err, errLostRace):
		return outcome{}, true
	case errors.As(err, &ae):
		var o outcome
		c.report(ctx, func(ctx context.Context, f func(store.Tx) error) error { return c.db.WriteTx(ctx, f) }, pl, ae.err, &o)
		return o, false
	case err != nil:
		c.report(ctx, func(ctx context.Context, f func(store.Tx) error) error { return c.db.WriteTx(ctx, f) }, pl, nil, nil)
		return c.databaseError(ctx, err), false
	}
	return pl.success(), false
}

// postgres makes a turn on PostgreSQL, where consumers of one name on several nodes take
// turns through the cursor row's lock. The attempt is recorded after the lock is taken —
// so another node never mistakes an attempt in flight for a dead one — through another
// connection, committed before the handler runs; so is its failure, before the rollback
// gives the lock up.
func (c *consumerTurn) postgres(ctx context.Context) (outcome, bool) {
	var pl plan
	var o outcome
	var failed bool
	// The transaction outlives ctx (its statements do not): database/sql would roll it back
	// the moment ctx ends, giving the cursor lock to another node before report could
	// record that the attempt ended, and that node would count it as a death.
	err := c.db.WriteTx(context.WithoutCancel(ctx), func(tx store.Tx) error {
		var err error
		if pl, err = c.prepare(ctx, tx); err != nil || pl.settled || pl.empty() {
			return err
		}
		err = c.attempt(ctx, tx, &pl)
		var ae *attemptError
		if errors.As(err, &ae) {
			failed = true
			c.report(ctx, c.recordPostgres, pl, ae.err, &o)
		}
		return err
	})
	switch {
	case failed:
		return o, false
	case err != nil:
		if !pl.empty() {
			c.report(ctx, c.recordPostgres, pl, nil, nil)
		}
		return c.databaseError(ctx, err), false
	case pl.settled:
		return outcome{}, true
	case pl.empty():
		return outcome{}, false
	}
	return pl.success(), false
}

// recorder commits f's writes: a failed attempt's record (consumerTurn.report).
type recorder func(ctx context.Context, f func(store.Tx) error) error

// recordPostgres commits f in a transaction of its own on another connection than the
// consumer's (whose rollback is waiting), without waiting for the WAL flush (see
// consumerTurn.record).
func (c *consumerTurn) recordPostgres(ctx context.Context, f func(store.Tx) error) error {
	tx, err := c.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox attempts: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
		return fmt.Errorf("outbox attempts: %w", err)
	}
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// databaseError is the outcome of a turn that failed around the attempt, not in it: nothing
// counts against the messages.
func (c *consumerTurn) databaseError(ctx context.Context, err error) outcome {
	if ctx.Err() == nil {
		c.log.Warn("outbox consumer: database error; trying again", "err", err)
	}
	return outcome{err: err}
}
