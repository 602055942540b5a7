package outbox

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wismo/wismo/store"
)

// cursor is a place in the outbox's order: after row (txid, id) when part is -1, or after
// part `part` of that row when a consumer stopped inside a packed row (it takes the
// messages of a failed batch one at a time).
type cursor struct {
	txid string
	id   int64
	part int
}

// start is the cursor before the first message.
var start = cursor{txid: "0", part: -1}

// querier is what next reads through: a transaction, or the pool for readers that change
// nothing.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// next reads the messages after c, in the order consumers get them, and the cursor after
// the last one. whole takes rows whole (the rest of a row c stops inside, then whole rows
// until limit messages are in: a row of many parts may take the batch past limit); otherwise
// exactly limit messages are taken, cutting a row where the limit falls.
func next(ctx context.Context, db *store.DB, q querier, c cursor, limit int, whole bool) ([]Message, cursor, error) {
	// Inside a row, read from that row on and drop the parts already handled: (txid, id) >
	// (t, i-1) is (txid, id) >= (t, i) for integer ids.
	skip, fromID := 0, c.id
	if c.part >= 0 {
		skip, fromID = c.part+1, c.id-1
	}
	var rows *sql.Rows
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
		rows, err = q.QueryContext(ctx, `SELECT o.id, o.topic, o.brand_id, o.item_id, o.parts, o.payload, o.created_at, o.txid::text AS txid_text
			FROM (SELECT id, txid, sum(greatest(parts, 1)) OVER (ORDER BY txid, id) - greatest(parts, 1) AS before FROM outbox
				WHERE (txid, id) > ($1::xid8, $2) AND txid < pg_snapshot_xmin(pg_current_snapshot())
				ORDER BY txid, id LIMIT $3) w
			JOIN outbox o ON o.id = w.id
			WHERE w.before < $3
			ORDER BY w.txid, w.id`, c.txid, fromID, limit+skip)
	} else {
		rows, err = q.QueryContext(ctx, `SELECT id, topic, brand_id, item_id, parts, payload, created_at, CAST(txid AS TEXT) FROM outbox
			WHERE id > ? ORDER BY id LIMIT ?`, fromID, limit+skip)
	}
	if err != nil {
		return nil, c, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var msgs []Message
	end := c
	for len(msgs) < limit && rows.Next() {
		var m Message
		var parts int
		var payload, txid string
		if err := rows.Scan(&m.ID, &m.Topic, &m.BrandID, &m.ItemID, &parts, &payload, &m.CreatedAt, &txid); err != nil {
			return nil, c, fmt.Errorf("read outbox: %w", err)
		}
		before := len(msgs)
		if msgs, err = appendMessages(msgs, m, parts, payload); err != nil {
			return nil, c, err
		}
		if skip > 0 {
			// The row c stops inside: it comes first, and its handled parts are dropped.
			if m.ID == c.id {
				msgs = append(msgs[:before], msgs[before+min(skip, len(msgs)-before):]...)
			}
			skip = 0
		}
		end = cursor{txid: txid, id: m.ID, part: -1}
		if !whole && len(msgs) > limit {
			msgs = msgs[:limit]
			if last := msgs[limit-1]; last.ID == m.ID && last.Part < max(parts, 1)-1 {
				end.part = last.Part
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, c, fmt.Errorf("read outbox: %w", err)
	}
	return msgs, end, nil
}
