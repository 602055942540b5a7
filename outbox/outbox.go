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
//
// A run of messages of one topic and brand written together (a batch of tracking events) is
// stored as one row holding them all as parts: one row, index entry and WAL record instead
// of one per message. Consumers still get one Message per part; they take and acknowledge
// whole rows.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/wismo/wismo/jsonw"
	"github.com/wismo/wismo/store"
)

// Entry is a message to write.
type Entry struct {
	Topic   string
	BrandID int64
	ItemID  string
	Payload any
}

// Message is a committed message as consumers see it. ID is its row; Part is its place in a
// row of several messages (0 in a row of one), so (ID, Part) names a message.
type Message struct {
	ID        int64
	Part      int
	Topic     string
	BrandID   int64
	ItemID    string
	Payload   json.RawMessage
	CreatedAt time.Time
}

// Ref names the message uniquely and for good: "ID", or "ID.Part" for a later part of a row.
func (m Message) Ref() string {
	if m.Part == 0 {
		return strconv.FormatInt(m.ID, 10)
	}
	return strconv.FormatInt(m.ID, 10) + "." + strconv.Itoa(m.Part)
}

// maxParts bounds the messages packed into one row (a few hundred kilobytes of payload).
const maxParts = 1000

// part is one message of a packed row, as stored (and written by pack).
type part struct {
	ItemID  string          `json:"item_id"`
	Payload json.RawMessage `json:"payload"`
}

// row is one outbox row to insert: a message (parts 0) or a pack of them.
type row struct {
	topic   string
	brand   int64
	item    string
	parts   int
	payload string
}

// Write adds entries to the outbox inside tx. Consecutive entries of one topic and brand go
// into one row (up to maxParts); consumers see them in the order written.
func Write(ctx context.Context, db *store.DB, tx store.Tx, entries []Entry, now time.Time) error {
	rows, err := pack(entries)
	if err != nil || len(rows) == 0 {
		return err
	}
	if db.Dialect == store.Postgres {
		// One array parameter per column: a constant statement, prepared once per connection.
		n := len(rows)
		topic, item, payload := make([]string, n), make([]string, n), make([]string, n)
		brand, parts := make([]int64, n), make([]int32, n)
		for i, r := range rows {
			topic[i], brand[i], item[i], parts[i], payload[i] = r.topic, r.brand, r.item, int32(r.parts), r.payload
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (topic, brand_id, item_id, parts, payload, created_at)
			SELECT t, b, i, n, p, $6 FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[]) AS u(t, b, i, n, p)`,
			topic, brand, item, parts, payload, now)
		if err != nil {
			return fmt.Errorf("write outbox: %w", err)
		}
		return nil
	}
	err = db.BulkExec(ctx, tx, `INSERT INTO outbox (topic, brand_id, item_id, parts, payload, created_at)`, "", 6, len(rows),
		nil, func(i int, dst []any) []any {
			r := rows[i]
			return append(dst, r.topic, r.brand, r.item, r.parts, r.payload, now)
		})
	if err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	return nil
}

// pack turns entries into rows: each run of consecutive entries of one topic and brand (up
// to maxParts) is one row, a run of one an ordinary row.
func pack(entries []Entry) ([]row, error) {
	var rows []row
	var buf []byte
	for start := 0; start < len(entries); {
		end := start + 1
		for end < len(entries) && end-start < maxParts &&
			entries[end].Topic == entries[start].Topic && entries[end].BrandID == entries[start].BrandID {
			end++
		}
		first := entries[start]
		var err error
		if end-start == 1 {
			if buf, err = appendPayload(buf[:0], first); err != nil {
				return nil, err
			}
			rows = append(rows, row{topic: first.Topic, brand: first.BrandID, item: first.ItemID, payload: string(buf)})
			start = end
			continue
		}
		// The parts as a JSON array of {"item_id": ..., "payload": ...}, written by hand: the
		// payloads are JSON already.
		buf = append(buf[:0], '[')
		for i, e := range entries[start:end] {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"item_id":`...)
			buf = jsonw.AppendString(buf, e.ItemID)
			buf = append(buf, `,"payload":`...)
			if buf, err = appendPayload(buf, e); err != nil {
				return nil, err
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
		rows = append(rows, row{topic: first.Topic, brand: first.BrandID, parts: end - start, payload: string(buf)})
		start = end
	}
	return rows, nil
}

// appendPayload appends e's payload as JSON.
func appendPayload(dst []byte, e Entry) ([]byte, error) {
	if a, ok := e.Payload.(JSONAppender); ok {
		return a.AppendJSON(dst), nil
	}
	b, err := json.Marshal(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("outbox payload (%s %s): %w", e.Topic, e.ItemID, err)
	}
	return append(dst, b...), nil
}

// appendMessages appends the messages of one row: m itself (parts 0) or each of its parts.
func appendMessages(msgs []Message, m Message, parts int, payload string) ([]Message, error) {
	m.CreatedAt = m.CreatedAt.UTC()
	if parts == 0 {
		m.Payload = json.RawMessage(payload)
		return append(msgs, m), nil
	}
	b := []byte(payload)
	items, payloads, ok := splitParts(b, parts)
	if !ok {
		var packed []part
		if err := json.Unmarshal(b, &packed); err != nil {
			return nil, fmt.Errorf("read outbox row %d: %w", m.ID, err)
		}
		items, payloads = make([]string, len(packed)), make([][]byte, len(packed))
		for i, p := range packed {
			items[i], payloads[i] = p.ItemID, p.Payload
		}
	}
	if len(items) != parts {
		return nil, fmt.Errorf("read outbox row %d: %d parts, the row says %d", m.ID, len(items), parts)
	}
	for i := range items {
		m.Part, m.ItemID, m.Payload = i, items[i], payloads[i]
		msgs = append(msgs, m)
	}
	return msgs, nil
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
		//
		// Only the rows that will be taken are returned: a packed row holds up to a thousand
		// messages, and PostgreSQL detoasts every payload it sends, so "LIMIT limit rows"
		// sent (and read out of TOAST) a backlog of packed rows of which the loop below used
		// one, again at every poll (8 ms per poll at ingest speed). The window counts the
		// messages before each row without touching payloads.
		rows, err = tx.QueryContext(ctx, `SELECT o.id, o.topic, o.brand_id, o.item_id, o.parts, o.payload, o.created_at, o.txid::text AS txid_text
			FROM (SELECT id, txid, sum(greatest(parts, 1)) OVER (ORDER BY txid, id) - greatest(parts, 1) AS before FROM outbox
				WHERE (txid, id) > ($1::xid8, $2) AND txid < pg_snapshot_xmin(pg_current_snapshot())
				ORDER BY txid, id LIMIT $3) w
			JOIN outbox o ON o.id = w.id
			WHERE w.before < $3
			ORDER BY w.txid, w.id`, lastTxid, lastID, limit)
	} else {
		rows, err = tx.QueryContext(ctx, `SELECT id, topic, brand_id, item_id, parts, payload, created_at, CAST(txid AS TEXT) FROM outbox
			WHERE id > ? ORDER BY id LIMIT ?`, lastID, limit)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	// Rows are taken whole, so a row of many parts may take the batch past limit; no row is
	// read once limit messages are in.
	var msgs []Message
	var txids []string
	for len(msgs) < limit && rows.Next() {
		var m Message
		var parts int
		var payload, txid string
		if err := rows.Scan(&m.ID, &m.Topic, &m.BrandID, &m.ItemID, &parts, &payload, &m.CreatedAt, &txid); err != nil {
			return nil, nil, fmt.Errorf("read outbox: %w", err)
		}
		before := len(msgs)
		if msgs, err = appendMessages(msgs, m, parts, payload); err != nil {
			return nil, nil, err
		}
		for range len(msgs) - before {
			txids = append(txids, txid)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read outbox: %w", err)
	}
	return msgs, txids, nil
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
