package outbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
)

// plan is what a turn attempts, decided by prepare.
type plan struct {
	at      cursor      // the consumer's cursor
	st      state       // its attempt state, with this attempt in flight
	msgs    []Message   // the messages from the cursor to attempt
	end     cursor      // the cursor after them
	letter  *DeadLetter // or a dead letter to retry
	settled bool        // a message was set aside instead: nothing attempted, go again
}

func (pl *plan) empty() bool { return len(pl.msgs) == 0 && pl.letter == nil }

// success is the outcome of the plan's attempt that worked.
func (pl *plan) success() outcome {
	if pl.letter != nil {
		return outcome{handled: 1, again: true}
	}
	return outcome{handled: len(pl.msgs), again: pl.st.suspect > 0}
}

// ref names the messages of an attempt for logs: "41.7" (row 41, part 7), or "41.0-42.3"
// for several.
func (pl *plan) ref() string {
	switch {
	case pl.letter != nil:
		return pl.letter.Message.Ref()
	case len(pl.msgs) == 1:
		return pl.msgs[0].Ref()
	case len(pl.msgs) > 1:
		first, last := pl.msgs[0], pl.msgs[len(pl.msgs)-1]
		return fmt.Sprintf("%d.%d-%d.%d", first.ID, first.Part, last.ID, last.Part)
	}
	return ""
}

// prepare settles what earlier attempts left and plans this turn's attempt, where the
// consumer is this caller's alone (the cursor row's lock on PostgreSQL, the write lock on
// SQLite). Setting a message aside writes through tx; the record of the attempt about to be
// made is committed before the attempt (record).
func (c *consumerTurn) prepare(ctx context.Context, tx store.Tx) (plan, error) {
	now := time.Now().UTC()
	at, loaded, retry, err := loadTurn(ctx, c.db, tx, c.name)
	if err != nil {
		return plan{}, err
	}
	st := loaded
	if st.at != at {
		// The cursor moved since the state was written: by the attempt recorded in it,
		// which succeeded (see attempt), or by something else (a search reindex). Either
		// way what failed where it was says nothing about where it is. A retry in flight
		// goes with the letter.
		st = state{at: at, token: st.token, owner: st.owner, size: st.size, letter: st.letter}
		if st.letter == 0 {
			st.ended()
		}
	}
	var lostLetter int64
	var lostMsg string
	if st.token != "" {
		if st.owner == c.p.Owner {
			// This process's own attempt ended without a word (its record could not be
			// written): the process is alive, so it was not the message.
			st.ended()
		} else {
			lostMsg = fmt.Sprintf("the process %s ended during the attempt (killed, out of memory, or a fatal runtime error)", st.owner)
			c.log.Warn("outbox attempt never finished: its process ended", "owner", st.owner, "messages", st.size, "letter", st.letter,
				"ref", cursorRef(at))
			if lostLetter = st.letter; lostLetter != 0 {
				st.ended()
			} else {
				st.failed(lostMsg, now)
				c.metrics().failed(c.name, true)
			}
		}
	}
	if st.due(c.p.MaxAttempts) {
		return plan{settled: true}, c.setAsideAt(ctx, tx, at, st, lostLetter, lostMsg, now)
	}
	if lostLetter != 0 {
		// The letter is set aside again first: still marked for a retry, it would be
		// taken at once.
		return plan{settled: true}, c.write(ctx, tx, st, lostLetter, lostMsg, now)
	}
	pl := plan{at: at}
	if retry {
		if pl.letter, err = nextRetry(ctx, c.db, tx, c.name); err != nil {
			return plan{}, err
		}
	}
	if pl.letter != nil {
		st.inFlight(c.p.Owner, 1, pl.letter.ID)
	} else {
		size, whole := st.batchSize(c.limit)
		if pl.msgs, pl.end, err = next(ctx, c.db, tx, at, size, whole); err != nil {
			return plan{}, err
		}
		if len(pl.msgs) == 0 {
			if st != loaded {
				return pl, saveState(ctx, c.db, tx, c.name, st, now, false)
			}
			return pl, nil
		}
		st.inFlight(c.p.Owner, len(pl.msgs), 0)
	}
	pl.st = st
	return pl, c.record(ctx, tx, st, now)
}

// record writes st, with the attempt in flight, to be committed before the attempt. On
// SQLite tx is the record's own short transaction (see consumerTurn.sqlite). On PostgreSQL
// tx is the consumer's, so the record is one statement on another connection, committed
// without waiting for the WAL flush: what it guards against is this process dying, and
// PostgreSQL keeps a commit it has acknowledged whatever happens to its client; only a crash
// of the server itself could lose it, and the attempt's own transaction with it. (Waiting
// for the flush cost 2-4 ms per batch on this machine's disk; the record costs 0.1 ms.)
func (c *consumerTurn) record(ctx context.Context, tx store.Tx, st state, now time.Time) error {
	if c.db.Dialect == store.Postgres {
		return saveState(ctx, c.db, c.db.SQL, c.name, st, now, true)
	}
	return saveState(ctx, c.db, tx, c.name, st, now, false)
}

// write stores st and, when a retried letter's process died, sets the letter aside again.
func (c *consumerTurn) write(ctx context.Context, ex store.Tx, st state, lostLetter int64, lostMsg string, now time.Time) error {
	if lostLetter != 0 {
		if err := letterFailed(ctx, c.db, ex, lostLetter, lostMsg, now); err != nil {
			return err
		}
		c.log.Error("outbox dead letter failed again: set aside", "letter", lostLetter, "err", lostMsg)
	}
	return saveState(ctx, c.db, ex, c.name, st, now, false)
}

// setAsideAt sets aside the message at cursor at, which has failed often enough, and moves
// the cursor past it, in tx.
func (c *consumerTurn) setAsideAt(ctx context.Context, tx store.Tx, at cursor, st state, lostLetter int64, lostMsg string, now time.Time) error {
	msgs, end, err := next(ctx, c.db, tx, at, 1, false)
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		// The message is gone (outbox rows deleted by hand): nothing to set aside.
		return c.write(ctx, tx, state{at: at}, lostLetter, lostMsg, now)
	}
	m := msgs[0]
	if err := setAside(ctx, c.db, tx, c.name, m, st, now); err != nil {
		return err
	}
	if err := c.moveCursor(ctx, tx, end, now); err != nil {
		return err
	}
	// The message that failed the batch is found: the rest of the batch goes back to
	// ordinary batches (a second bad message among them fails one, and is found the same way).
	if err := c.write(ctx, tx, state{at: end}, lostLetter, lostMsg, now); err != nil {
		return err
	}
	c.setAside++
	c.metrics().setAside(c.name)
	c.log.Error("outbox message set aside: it failed too often; the consumer goes on without it", "ref", m.Ref(), "topic", m.Topic,
		"brand", m.BrandID, "item", m.ItemID, "attempts", st.failures, "err", firstLine(st.lastErr))
	return nil
}

// attempt hands the plan's messages (or its letter's) to the handler in tx and, when it
// succeeds, moves the cursor past them (or resolves the letter) and clears the attempt, in
// the same transaction. A handler's failure comes back as an *attemptError.
func (c *consumerTurn) attempt(ctx context.Context, tx store.Tx, pl *plan) error {
	msgs := pl.msgs
	if pl.letter != nil {
		msgs = []Message{pl.letter.Message}
	}
	if err := call(ctx, c.fn, tx, msgs); err != nil {
		return &attemptError{err}
	}
	now := time.Now().UTC()
	if pl.letter != nil {
		if err := letterResolved(ctx, c.db, tx, pl.letter.ID, now); err != nil {
			return err
		}
		pl.st.ended()
		c.log.Info("outbox dead letter retried: handled", "letter", pl.letter.ID, "ref", pl.ref())
	} else {
		if err := c.moveCursor(ctx, tx, pl.end, now); err != nil {
			return err
		}
		if pl.st.suspect == 0 {
			// Normal operation: the record in flight names the cursor it was made at, and
			// one made at a cursor that has since moved is ignored (prepare), so moving the
			// cursor is what closes it — no second write per batch.
			return nil
		}
		pl.st.passed(len(msgs))
		pl.st.at = pl.end
	}
	return saveState(ctx, c.db, tx, c.name, pl.st, now, false)
}

// report records how the plan's attempt ended when it did not succeed: herr is the
// handler's failure (nil: the attempt's transaction failed around a handler that had
// succeeded, which does not count). It writes through rec, and only while the record in
// flight is still the plan's; o, when given, gets the outcome.
func (c *consumerTurn) report(ctx context.Context, rec recorder, pl plan, herr error, o *outcome) {
	why := "the attempt's transaction failed"
	if herr != nil {
		why = reason(ctx, herr)
	}
	counted := why == ""
	st := pl.st
	now := time.Now().UTC()
	switch {
	case !counted || pl.letter != nil:
		st.ended()
	default:
		st.failed(errorText(herr), now)
	}
	// The record is written even when ctx has ended (a shutdown): left in flight, the
	// attempt would count as a dead process's at the next start.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := rec(wctx, func(ex store.Tx) error {
		cur, err := loadState(wctx, c.db, ex, c.name)
		if err != nil || cur.token != pl.st.token {
			return err
		}
		if counted && pl.letter != nil {
			if err := letterFailed(wctx, c.db, ex, pl.letter.ID, errorText(herr), now); err != nil {
				return err
			}
		}
		return saveState(wctx, c.db, ex, c.name, st, now, false)
	})
	if err != nil && ctx.Err() == nil {
		c.log.Warn("outbox attempt could not be recorded", "ref", pl.ref(), "err", err)
	}
	if o == nil {
		return
	}
	*o = outcome{err: herr, again: false}
	c.metrics().failed(c.name, counted)
	switch {
	case ctx.Err() != nil:
	case !counted:
		c.log.Warn("outbox attempt failed; not counted, trying again", "ref", pl.ref(), "messages", max(len(pl.msgs), 1), "reason", why, "err", herr)
	case pl.letter != nil:
		c.log.Error("outbox dead letter failed again: set aside", "letter", pl.letter.ID, "ref", pl.ref(), "err", herr)
	default:
		c.log.Warn("outbox attempt failed", "ref", pl.ref(), "messages", len(pl.msgs), "attempt", st.failures,
			"of", c.p.MaxAttempts, "err", herr)
	}
}

func (c *consumerTurn) moveCursor(ctx context.Context, tx store.Tx, to cursor, now time.Time) error {
	q := `UPDATE outbox_cursors SET last_txid = ?, last_id = ?, last_part = ?, updated_at = ? WHERE consumer = ?`
	if c.db.Dialect == store.Postgres {
		q = `UPDATE outbox_cursors SET last_txid = ?::xid8, last_id = ?, last_part = ?, updated_at = ? WHERE consumer = ?`
	}
	if _, err := tx.ExecContext(ctx, c.db.Rebind(q), to.txid, to.id, to.part, now, c.name); err != nil {
		return fmt.Errorf("outbox cursor: %w", err)
	}
	return nil
}

func (c *consumerTurn) metrics() *Metrics { return c.p.Metrics }

// cursorRef names the message after cursor at, for logs.
func cursorRef(at cursor) string {
	if at.part >= 0 {
		return fmt.Sprintf("%d.%d", at.id, at.part+1)
	}
	return fmt.Sprintf("after %d", at.id)
}

// firstLine is s up to its first line break (a panic's record goes on with its stack).
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
