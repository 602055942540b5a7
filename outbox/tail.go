package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/store"
)

// Position is a place in the outbox's order, kept in memory by a reader that only watches
// (Tail): unlike a consumer's cursor it is stored nowhere and every node has its own.
type Position struct {
	txid string
	id   int64
}

// Head is the position after the last message committed so far: a watcher starting there
// sees what commits from now on.
func Head(ctx context.Context, db *store.DB) (Position, error) {
	p := Position{txid: "0"}
	query := `SELECT '0', COALESCE(MAX(id), 0) FROM outbox`
	if db.Dialect == store.Postgres {
		// The last row consumers may read, in their order; none yet is the start.
		query = `SELECT o.txid::text, o.id FROM outbox o WHERE o.txid < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY o.txid DESC, o.id DESC LIMIT 1`
	}
	err := db.SQL.QueryRowContext(ctx, query).Scan(&p.txid, &p.id)
	if errors.Is(err, sql.ErrNoRows) {
		return Position{txid: "0"}, nil
	}
	if err != nil {
		return p, fmt.Errorf("outbox head: %w", err)
	}
	return p, nil
}

// Peek reads up to limit messages after p, in the order consumers get them, and the position
// after them. It changes nothing.
func Peek(ctx context.Context, db *store.DB, p Position, limit int) ([]Message, Position, error) {
	msgs, end, err := next(ctx, db, db.SQL, cursor{txid: p.txid, id: p.id, part: -1}, limit, true)
	if err != nil || len(msgs) == 0 {
		return nil, p, err
	}
	return msgs, Position{txid: end.txid, id: end.id}, nil
}

// Tail calls fn with every message committed after it starts, on this node, until ctx ends:
// for in-memory state that must follow the data (a cache to drop), where a shared consumer
// cursor would hand each message to one node only. A failed read is logged and retried.
func Tail(ctx context.Context, db *store.DB, log *slog.Logger, every time.Duration, fn func([]Message)) {
	p, err := Head(ctx, db)
	for err != nil {
		log.Error("outbox tail: head", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		p, err = Head(ctx, db)
	}
	for {
		msgs, np, err := Peek(ctx, db, p, 1000)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("outbox tail", "err", err)
		case len(msgs) > 0:
			fn(msgs)
			p = np
			if len(msgs) >= 1000 {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// All returns every committed message of topic (of every topic when empty), in id order,
// whether or not consumers may read it yet. It reads the whole outbox: for tests and tools,
// not for serving.
func All(ctx context.Context, db *store.DB, topic string) ([]Message, error) {
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT id, topic, brand_id, item_id, parts, CAST(payload AS TEXT), created_at
		FROM outbox WHERE ? = '' OR topic = ? ORDER BY id`), topic, topic)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var parts int
		var payload string
		if err := rows.Scan(&m.ID, &m.Topic, &m.BrandID, &m.ItemID, &parts, &payload, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if out, err = appendMessages(out, m, parts, payload); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}
