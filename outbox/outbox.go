// Package outbox carries committed changes from the domain that made them to the domains that
// react to them. A change is written as a message in the same transaction as the change
// itself (Write), so nothing that committed is lost and nothing that rolled back is seen; a
// consumer reads messages after its cursor and moves the cursor in the same transaction as its
// own effects (Consume), so each message is handled exactly once per consumer.
//
// On PostgreSQL, ids of concurrent transactions commit out of order (id 100 may commit after
// id 101), so a consumer that remembered the highest id would skip rows. Each message records
// its writing transaction (txid), and consumers read, in (txid, id) order, only messages of
// transactions older than the oldest one still running: that set never grows behind the
// cursor. The price: like vacuum, a consumer waits for the oldest transaction running
// anywhere in the PostgreSQL cluster, so keep transactions short. SQLite has one writer at a
// time, so ids commit in order and the id is the cursor.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/store"
)

// Entry is a message to write.
type Entry struct {
	Topic   string
	BrandID int64
	ItemID  string
	Payload any
}

// Message is a committed message as consumers see it.
type Message struct {
	ID        int64
	Topic     string
	BrandID   int64
	ItemID    string
	Payload   json.RawMessage
	CreatedAt time.Time
}

// Write adds entries to the outbox inside tx.
func Write(ctx context.Context, db *store.DB, tx store.Tx, entries []Entry, now time.Time) error {
	payloads := make([]string, len(entries))
	for i, e := range entries {
		b, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("outbox payload: %w", err)
		}
		payloads[i] = string(b)
	}
	if db.Dialect == store.Postgres && len(entries) > 0 {
		// One array parameter per column: a constant statement, prepared once per connection.
		n := len(entries)
		topic, item := make([]string, n), make([]string, n)
		brand := make([]int64, n)
		for i, e := range entries {
			topic[i], brand[i], item[i] = e.Topic, e.BrandID, e.ItemID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)
			SELECT t, b, i, p::json, $5 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS u(t, b, i, p)`,
			topic, brand, item, payloads, now)
		if err != nil {
			return fmt.Errorf("write outbox: %w", err)
		}
		return nil
	}
	err := db.BulkExec(ctx, tx, `INSERT INTO outbox (topic, brand_id, item_id, payload, created_at)`, "", 5, len(entries),
		nil, func(i int, dst []any) []any {
			return append(dst, entries[i].Topic, entries[i].BrandID, entries[i].ItemID, payloads[i], now)
		})
	if err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	return nil
}

// Handler handles a batch of messages inside the consumer's transaction: what it writes with
// tx commits together with the cursor. An error rolls both back; the batch comes again.
type Handler func(ctx context.Context, tx store.Tx, msgs []Message) error

// Consume hands the next messages (up to limit) after consumer's cursor to fn and advances
// the cursor. Consumers of one name on several nodes take turns: the cursor row is locked.
// It returns how many messages were handled.
func Consume(ctx context.Context, db *store.DB, consumer string, limit int, fn Handler) (int, error) {
	var n int
	err := db.WriteTx(ctx, func(tx store.Tx) error {
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO outbox_cursors (consumer, updated_at) VALUES (?, ?)
			ON CONFLICT (consumer) DO NOTHING`), consumer, now); err != nil {
			return fmt.Errorf("outbox cursor: %w", err)
		}
		var lastTxid string
		var lastID int64
		query := `SELECT CAST(last_txid AS TEXT), last_id FROM outbox_cursors WHERE consumer = ?`
		if db.Dialect == store.Postgres {
			query += ` FOR UPDATE`
		}
		if err := tx.QueryRowContext(ctx, db.Rebind(query), consumer).Scan(&lastTxid, &lastID); err != nil {
			return fmt.Errorf("outbox cursor: %w", err)
		}
		msgs, txids, err := next(ctx, db, tx, lastTxid, lastID, limit)
		if err != nil || len(msgs) == 0 {
			return err
		}
		if err := fn(ctx, tx, msgs); err != nil {
			return err
		}
		last := len(msgs) - 1
		cursorSQL := `UPDATE outbox_cursors SET last_txid = ?, last_id = ?, updated_at = ? WHERE consumer = ?`
		if db.Dialect == store.Postgres {
			cursorSQL = `UPDATE outbox_cursors SET last_txid = ?::xid8, last_id = ?, updated_at = ? WHERE consumer = ?`
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(cursorSQL), txids[last], msgs[last].ID, now, consumer); err != nil {
			return fmt.Errorf("outbox cursor: %w", err)
		}
		n = len(msgs)
		return nil
	})
	return n, err
}

func next(ctx context.Context, db *store.DB, tx store.Tx, lastTxid string, lastID int64, limit int) ([]Message, []string, error) {
	var rows interface {
		Next() bool
		Scan(...any) error
		Close() error
		Err() error
	}
	var err error
	if db.Dialect == store.Postgres {
		// Order by the xid8 column, not by its text form in the select list (an output column
		// named txid would win in ORDER BY): text order puts "1000" before "999", and the
		// cursor, taken from the last row, would skip messages; and only the xid8 order walks
		// the (txid, id) index instead of sorting the whole backlog.
		rows, err = tx.QueryContext(ctx, `SELECT o.id, o.topic, o.brand_id, o.item_id, o.payload::text, o.created_at, o.txid::text AS txid_text FROM outbox o
			WHERE (o.txid, o.id) > ($1::xid8, $2) AND o.txid < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY o.txid, o.id LIMIT $3`, lastTxid, lastID, limit)
	} else {
		rows, err = tx.QueryContext(ctx, `SELECT id, topic, brand_id, item_id, payload, created_at, CAST(txid AS TEXT) FROM outbox
			WHERE id > ? ORDER BY id LIMIT ?`, lastID, limit)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var msgs []Message
	var txids []string
	for rows.Next() {
		var m Message
		var payload, txid string
		if err := rows.Scan(&m.ID, &m.Topic, &m.BrandID, &m.ItemID, &payload, &m.CreatedAt, &txid); err != nil {
			return nil, nil, fmt.Errorf("read outbox: %w", err)
		}
		m.Payload, m.CreatedAt = json.RawMessage(payload), m.CreatedAt.UTC()
		msgs, txids = append(msgs, m), append(txids, txid)
	}
	return msgs, txids, rows.Err()
}

// Run consumes in a loop until ctx ends: at once while messages keep coming, every idle
// interval otherwise. Handler errors are logged and retried after the interval.
func Run(ctx context.Context, db *store.DB, log *slog.Logger, consumer string, idle time.Duration, limit int, fn Handler) {
	log = log.With("consumer", consumer)
	for {
		n, err := Consume(ctx, db, consumer, limit, fn)
		if err != nil && ctx.Err() == nil {
			log.Error("outbox consumer failed; retrying", "err", err)
		}
		if n < limit || err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(idle):
			}
		}
		if ctx.Err() != nil {
			return
		}
	}
}
