package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsTransient reports whether err is a database failure that says nothing about the work
// that met it, so the same work may simply be tried again later: a lost or refused
// connection, a server shutting down or out of connections, a serialization failure or a
// deadlock (PostgreSQL), a busy or locked database file (SQLite). A constraint violation,
// a syntax error, or a context that was cancelled or ran out of time (context.DeadlineExceeded
// even passes for a net.Error) is not: that is the caller's decision, not the database's.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// PostgreSQL's SQLSTATE classes (Appendix A of its manual): 08 connection exception,
		// 40001 serialization_failure, 40P01 deadlock_detected, 53 insufficient resources
		// (too many connections, out of memory or disk), 55P03 lock_not_available, 57P01-03
		// the server shutting down or starting.
		c := pg.Code
		return strings.HasPrefix(c, "08") || c == "40001" || c == "40P01" || strings.HasPrefix(c, "53") ||
			c == "55P03" || c == "57P01" || c == "57P02" || c == "57P03"
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		// SQLite's primary result code is the low byte: 5 SQLITE_BUSY (another connection
		// holds the lock past busy_timeout), 6 SQLITE_LOCKED.
		c := lite.Code() & 0xff
		return c == 5 || c == 6
	}
	var connect *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &connect) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}
