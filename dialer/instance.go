package dialer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"

	"github.com/wismo/wismo/store"
)

// Advisory lock keys (pg_try_advisory_lock(int4, int4)): lockSpace is wismo's dialer, key
// leaderKey elects the instance that runs singleton jobs, and each instance holds a key of
// its own for as long as it lives, so another instance can tell it died (its session ended
// and the lock came free) and turn what it was sending into `unknown`.
const (
	lockSpace = 0x776D6F73 // "wmos"
	leaderKey = 1
)

// errNotLeader tells gocron this instance is not the leader now.
var errNotLeader = errors.New("another wismo instance runs the singleton jobs")

// lockConn is the dedicated PostgreSQL connection that holds this instance's advisory
// locks: its own key, and the leader key once elected. It is gocron's Elector.
type lockConn struct {
	s      *Service
	mu     sync.Mutex
	conn   *sql.Conn
	key    int32
	leader bool
}

// register records this instance. On PostgreSQL it opens the dedicated connection and takes
// its instance lock; on SQLite (one wismo per database file, a single claimer) whatever an
// earlier process left `sending` can only belong to a dead process: it becomes `unknown` now.
func (s *Service) register(ctx context.Context) (*lockConn, error) {
	now := s.now()
	if s.db.Dialect != store.Postgres {
		host, _ := os.Hostname()
		if _, err := s.db.SQL.ExecContext(ctx, `DELETE FROM dialer_instances`); err != nil {
			return nil, fmt.Errorf("register dialer instance: %w", err)
		}
		if _, err := s.db.SQL.ExecContext(ctx, `INSERT INTO dialer_instances (id, lock_key, host, started_at) VALUES (?, 0, ?, ?)`,
			s.instance, host, now); err != nil {
			return nil, fmt.Errorf("register dialer instance: %w", err)
		}
		return nil, s.markOrphansUnknown(ctx, "", "wismo restarted while it was going out")
	}
	l := &lockConn{s: s}
	if err := l.connect(ctx); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	if _, err := s.db.SQL.ExecContext(ctx, `INSERT INTO dialer_instances (id, lock_key, host, started_at) VALUES ($1, $2, $3, $4)`,
		s.instance, l.key, host, now); err != nil {
		l.close()
		return nil, fmt.Errorf("register dialer instance: %w", err)
	}
	return l, nil
}

// connect (re)opens the dedicated connection and takes this instance's lock.
func (l *lockConn) connect(ctx context.Context) error {
	if l.conn != nil {
		destroy(l.conn)
		l.conn, l.leader = nil, false
	}
	conn, err := l.s.db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("dialer lock connection: %w", err)
	}
	for range 10 {
		if l.key == 0 {
			l.key = 2 + rand.Int32N(1<<30)
		}
		var ok bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockSpace, l.key).Scan(&ok); err != nil {
			destroy(conn)
			return fmt.Errorf("dialer instance lock: %w", err)
		}
		if ok {
			l.conn = conn
			return nil
		}
		l.key = 0 // taken by a live instance: draw another
	}
	destroy(conn)
	return errors.New("dialer instance lock: no free key")
}

func (l *lockConn) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		destroy(l.conn)
		l.conn = nil
	}
}

// destroy ends a dedicated connection's session, and with it the session's advisory locks.
// (sql.Conn.Close alone would hand the connection, locks and all, back to the pool.) The
// pool sees the closed driver connection is no longer valid and discards it.
func destroy(conn *sql.Conn) {
	conn.Raw(func(dc any) error {
		if c, ok := dc.(interface{ Close() error }); ok {
			return c.Close()
		}
		return nil
	})
	conn.Close()
}

// IsLeader implements gocron.Elector: nil while this instance holds the leader lock. The
// lock lives as long as the dedicated session; a broken session loses it, and the next
// call reconnects and competes again.
func (l *lockConn) IsLeader(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil || l.conn.PingContext(ctx) != nil {
		if err := l.connect(ctx); err != nil {
			return err
		}
	}
	if l.leader {
		return nil
	}
	var ok bool
	if err := l.conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockSpace, leaderKey).Scan(&ok); err != nil {
		return fmt.Errorf("leader lock: %w", err)
	}
	if !ok {
		return errNotLeader
	}
	l.leader = true
	l.s.log.Info("this instance now runs the dialer's singleton jobs")
	return nil
}

// alive reports whether the instance holding key still runs: its lock is taken. A free
// lock is taken here only for the test and released at once.
func (l *lockConn) alive(ctx context.Context, key int32) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return true, errors.New("no lock connection")
	}
	if key == l.key {
		return true, nil
	}
	var free bool
	if err := l.conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockSpace, key).Scan(&free); err != nil {
		return true, err
	}
	if free {
		_, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockSpace, key)
		return false, err
	}
	return true, nil
}

// reapDead turns what dead instances left `sending` or `calling` into `unknown` and forgets
// the dead instances.
func (s *Service) reapDead(ctx context.Context, l *lockConn) error {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT i.id, i.lock_key FROM dialer_instances i WHERE i.id <> ?
		UNION SELECT DISTINCT c.claimed_by, COALESCE((SELECT lock_key FROM dialer_instances WHERE id = c.claimed_by), -1)
		FROM contacts c WHERE c.status IN ('sending', 'calling') AND c.claimed_by <> ?`), s.instance, s.instance)
	if err != nil {
		return fmt.Errorf("list dialer instances: %w", err)
	}
	type inst struct {
		id  string
		key int64
	}
	var list []inst
	for rows.Next() {
		var i inst
		if err := rows.Scan(&i.id, &i.key); err != nil {
			rows.Close()
			return err
		}
		list = append(list, i)
	}
	rows.Close()
	for _, i := range list {
		if i.key >= 0 {
			ok, err := l.alive(ctx, int32(i.key))
			if err != nil || ok {
				continue
			}
		}
		if err := s.markOrphansUnknown(ctx, i.id, "the wismo instance that was sending it died"); err != nil {
			return err
		}
		if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`DELETE FROM dialer_instances WHERE id = ?`), i.id); err != nil {
			return err
		}
	}
	return nil
}

// markOrphansUnknown ends the in-flight contacts of a dead instance (every instance but
// this one when instance is empty) as `unknown`: each may or may not have gone out, so it
// is listed for review and never resent.
func (s *Service) markOrphansUnknown(ctx context.Context, instance, why string) error {
	now := s.now()
	return s.writeTx(ctx, func(tx store.Tx) error {
		where, args := `claimed_by = ?`, []any{instance}
		if instance == "" {
			where, args = `claimed_by <> ?`, []any{s.instance}
		}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT id, attempts FROM contacts WHERE status IN ('sending', 'calling') AND `+where), args...)
		if err != nil {
			return err
		}
		var logs []logRow
		var ids []any
		for rows.Next() {
			var l logRow
			if err := rows.Scan(&l.contact, &l.try); err != nil {
				rows.Close()
				return err
			}
			l.at, l.kind, l.detail = now, "unknown", why
			logs, ids = append(logs, l), append(ids, l.contact)
		}
		rows.Close()
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'unknown', detail = ?, done_at = ?, updated_at = ?
				WHERE id IN (`+marks(len(chunk))+`)`), append([]any{why, now, now}, chunk...)...); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			s.log.Warn("contacts in flight at a crash marked unknown: review them, they are never resent", "count", len(ids))
			s.sent.WithLabelValues("", string(StatusUnknown)).Add(float64(len(ids)))
		}
		return s.writeLog(ctx, tx, logs)
	})
}
