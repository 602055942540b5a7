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
// whole rows, except after a failure (below), when the cursor may stop inside a row.
//
// A message that cannot be handled does not stop its consumer, nor crash-loop the node:
// every attempt is recorded before the handler runs, so a failure counts whether the
// handler returned an error, panicked, or took the process down (out of memory, kill -9).
// A failed batch's messages are then taken one at a time, and one that fails
// Policy.MaxAttempts times is set aside as a dead letter (DeadLetters) while its neighbours
// and the messages after it are handled, each exactly once. Failures that are not the
// messages' fault (shutdown, a lost database connection, Transient) do not count. An admin
// can send a dead letter back to its consumer or discard it; docs/security.md ("Poison
// messages") explains the choices.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
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
