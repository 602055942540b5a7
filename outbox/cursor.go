package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/store"
)

// SetCursorAtHead sets consumer's cursor after every message of a finished transaction, so
// it reads only what is written from now on: a consumer that has just copied the whole state
// elsewhere (a search index rebuilt from the tables) skips the messages that state already
// holds. Messages are read in (txid, id) order, and only from transactions older than the
// oldest running one.
func SetCursorAtHead(ctx context.Context, db *store.DB, consumer string) error {
	q := `INSERT INTO outbox_cursors (consumer, last_txid, last_id, updated_at)
		VALUES (?, 0, (SELECT COALESCE(MAX(id), 0) FROM outbox), ?)
		ON CONFLICT (consumer) DO UPDATE SET last_txid = excluded.last_txid, last_id = excluded.last_id, last_part = -1, updated_at = excluded.updated_at`
	if db.Dialect == store.Postgres {
		q = `INSERT INTO outbox_cursors (consumer, last_txid, last_id, updated_at)
			VALUES (?, (pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1)::text::xid8, 9223372036854775807, ?)
			ON CONFLICT (consumer) DO UPDATE SET last_txid = excluded.last_txid, last_id = excluded.last_id, last_part = -1, updated_at = excluded.updated_at`
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(q), consumer, time.Now().UTC()); err != nil {
		return fmt.Errorf("position outbox cursor: %w", err)
	}
	return nil
}
