package dialer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

// handBackDelay is how long a call the telephony engine handed back (no agent free) waits
// before it is claimed again: short, and not growing, since the call was never placed.
const handBackDelay = 10 * time.Second

// retryBackoff is the wait before trying again a message that did not go out.
func retryBackoff(attempt int) time.Duration {
	switch attempt {
	case 1:
		return time.Minute
	case 2:
		return 5 * time.Minute
	case 3:
		return 15 * time.Minute
	}
	return time.Hour
}

// resultWriter records send results in batches: a transaction per flush, not per message.
// A crash before a flush leaves those contacts `sending`, which the sweep turns `unknown`.
type resultWriter struct {
	s       *Service
	mu      sync.Mutex
	pending []result
	wake    chan struct{}
	done    chan struct{}
}

func (s *Service) newResultWriter() *resultWriter {
	return &resultWriter{s: s, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (w *resultWriter) add(r result) {
	w.mu.Lock()
	w.pending = append(w.pending, r)
	n := len(w.pending)
	w.mu.Unlock()
	if n == 1 || n >= 200 {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// run flushes every few milliseconds while results come, until ctx ends; then it flushes
// what is left, under a context that outlives ctx.
func (w *resultWriter) run(ctx context.Context) {
	defer close(w.done)
	final := context.WithoutCancel(ctx)
	for {
		select {
		case <-ctx.Done():
			w.flush(final)
			return
		case <-w.wake:
		}
		select { // let a few more results join the batch
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
		w.flush(final)
	}
}

func (w *resultWriter) flush(ctx context.Context) {
	for {
		w.mu.Lock()
		batch := w.pending
		w.pending = nil
		w.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		for attempt := 0; ; attempt++ {
			err := w.s.record(ctx, batch)
			if err == nil {
				break
			}
			w.s.log.Error("recording send results failed; retrying", "err", err, "contacts", len(batch), "attempt", attempt+1)
			if attempt >= 5 {
				w.s.log.Error("send results lost; those contacts stay sending and will be listed unknown", "contacts", len(batch))
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
	}
}

// wait blocks until the writer has flushed everything after its context ended.
func (w *resultWriter) wait() { <-w.done }

// record writes the results of sends in one transaction: sent with the provider's ids (and
// the receipts that already came for them), back to planned for another try, failed, or
// unknown when the message may have gone out. Only contacts still `sending` (or `unknown`:
// the sweep may have judged too early) change: a contact someone cancelled stays cancelled.
func (s *Service) record(ctx context.Context, batch []result) error {
	return s.writeTx(ctx, func(tx store.Tx) error {
		now := s.now()
		var brands []int64
		for _, r := range batch {
			if !slices.Contains(brands, r.c.brand) {
				brands = append(brands, r.c.brand)
			}
		}
		set, err := s.loadSettings(ctx, tx, brands)
		if err != nil {
			return err
		}
		var logs []logRow
		var receipts []providerKey
		var sents []result
		var parts []part
		for _, r := range batch {
			c := r.c
			switch fateOf(r.err) {
			case fateSent:
				if c.channel == Call {
					logs = append(logs, logRow{contact: c.id, at: r.at, try: c.attempt, kind: "placed"})
					s.sent.WithLabelValues(string(c.channel), "placed").Inc()
					continue
				}
				sents = append(sents, r)
				for i, id := range r.sent.IDs {
					receipts = append(receipts, providerKey{r.sent.Provider, id})
					parts = append(parts, part{r.sent.Provider, id, c.id, i + 1})
				}
				logs = append(logs, logRow{contact: c.id, at: r.at, try: c.attempt, kind: "sent", pid: joinIDs(r.sent.IDs),
					detail: fmt.Sprintf("%s, %d part(s) %s", r.sent.Provider, r.sent.Parts, r.sent.Encoding)})
				s.sent.WithLabelValues(string(c.channel), "sent").Inc()
			case fateRetry:
				if err := s.retryLater(ctx, tx, c, set[c.brand].windows, r.err, now); err != nil {
					return err
				}
				logs = append(logs, logRow{contact: c.id, at: r.at, try: c.attempt, kind: "retry", detail: describe(r.err)})
			case fateFailed:
				if err := s.finishFrom(ctx, tx, c.id, StatusFailed, describe(r.err), now); err != nil {
					return err
				}
				logs = append(logs, logRow{contact: c.id, at: r.at, try: c.attempt, kind: "failed", detail: describe(r.err)})
			default:
				if err := s.finishFrom(ctx, tx, c.id, StatusUnknown, "may have gone out: "+describe(r.err), now); err != nil {
					return err
				}
				logs = append(logs, logRow{contact: c.id, at: r.at, try: c.attempt, kind: "unknown", detail: describe(r.err)})
			}
		}
		if err := s.markSent(ctx, tx, sents, now); err != nil {
			return err
		}
		if err := s.db.BulkExec(ctx, tx, `INSERT INTO provider_messages (provider, message_id, contact_id, part)`, `ON CONFLICT DO NOTHING`,
			4, len(parts), nil, func(i int, dst []any) []any {
				p := parts[i]
				return append(dst, p.provider, p.id, p.contact, p.n)
			}); err != nil {
			return fmt.Errorf("provider ids: %w", err)
		}
		if err := s.writeLog(ctx, tx, logs); err != nil {
			return err
		}
		return s.applyReceipts(ctx, tx, receipts, now)
	})
}

// part is one sent part's provider id.
type part struct {
	provider, id string
	contact      int64
	n            int
}

// markSent records sent contacts with their provider ids: one statement for the batch on
// PostgreSQL (UPDATE ... FROM VALUES), a statement prepared once on SQLite.
func (s *Service) markSent(ctx context.Context, tx store.Tx, sents []result, now time.Time) error {
	if len(sents) == 0 {
		return nil
	}
	if s.db.Dialect == store.Postgres {
		err := s.db.BulkExec(ctx, tx, `UPDATE contacts AS c SET status = 'sent', provider = v.provider, provider_id = v.pid,
			encoding = CASE WHEN v.enc <> '' THEN v.enc ELSE c.encoding END, parts = CASE WHEN v.parts > 0 THEN v.parts ELSE c.parts END,
			detail = '', updated_at = v.at FROM (`, `) AS v(id, provider, pid, enc, parts, at) WHERE c.id = v.id AND c.status IN ('sending', 'unknown')`,
			6, len(sents), []string{"bigint", "text", "text", "text", "int", "timestamptz"}, func(i int, dst []any) []any {
				r := sents[i]
				return append(dst, r.c.id, r.sent.Provider, joinIDs(r.sent.IDs), r.sent.Encoding, r.sent.Parts, now)
			})
		if err != nil {
			return fmt.Errorf("contacts sent: %w", err)
		}
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE contacts SET status = 'sent', provider = ?, provider_id = ?,
		encoding = CASE WHEN ? <> '' THEN ? ELSE encoding END, parts = CASE WHEN ? > 0 THEN ? ELSE parts END,
		detail = '', updated_at = ? WHERE id = ? AND status IN ('sending', 'unknown')`)
	if err != nil {
		return fmt.Errorf("contacts sent: %w", err)
	}
	defer stmt.Close()
	for _, r := range sents {
		if _, err := stmt.ExecContext(ctx, r.sent.Provider, joinIDs(r.sent.IDs), r.sent.Encoding, r.sent.Encoding,
			r.sent.Parts, r.sent.Parts, now, r.c.id); err != nil {
			return fmt.Errorf("contact %d sent: %w", r.c.id, err)
		}
	}
	return nil
}

// finishFrom ends a contact that is still in flight.
func (s *Service) finishFrom(ctx context.Context, tx store.Tx, id int64, st Status, detail string, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = ?, detail = ?, done_at = ?, updated_at = ?
		WHERE id = ? AND status IN ('sending', 'calling', 'unknown')`), string(st), detail, now, now, id)
	if err != nil {
		return fmt.Errorf("contact %d to %s: %w", id, st, err)
	}
	s.sent.WithLabelValues("", string(st)).Inc()
	return nil
}

// retryLater puts a contact that certainly did not go out back to planned, due after a
// growing backoff and inside its window; after maxSendTries it fails. A call that was not
// placed does not count as an attempt.
func (s *Service) retryLater(ctx context.Context, tx store.Tx, c claimed, windows Windows, cause error, now time.Time) error {
	if c.channel != Call && c.attempt >= maxSendTries {
		return s.finishFrom(ctx, tx, c.id, StatusFailed, fmt.Sprintf("not sent after %d tries: %s", c.attempt, describe(cause)), now)
	}
	loc, err := geo.LoadZone(c.zone)
	if err != nil {
		loc = time.UTC
	}
	wait := retryBackoff(c.attempt)
	if c.channel == Call {
		// A call handed back (no agent free) stays due: it goes out when an agent frees.
		wait = handBackDelay
	}
	due, err := windows.For(c.channel).Next(now.Add(wait), loc)
	if err != nil {
		return s.finishFrom(ctx, tx, c.id, StatusFailed, err.Error(), now)
	}
	undo := 0
	if c.channel == Call {
		undo = 1
	}
	_, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'planned', due_at = ?, attempts = attempts - ?, detail = ?,
		claimed_by = '', updated_at = ? WHERE id = ? AND status IN ('sending', 'calling')`), utc(due), undo, describe(cause), now, c.id)
	if err != nil {
		return fmt.Errorf("contact %d retry: %w", c.id, err)
	}
	s.sent.WithLabelValues(string(c.channel), "retry").Inc()
	return nil
}
