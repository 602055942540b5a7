package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

type codeErr int

func (e codeErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e codeErr) Code() int     { return int(e) }

// Which database errors say "try again later" rather than "this work is wrong".
func TestIsTransient(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"serialization failure", &pgconn.PgError{Code: "40001"}, true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, false},
		{"SQLITE_BUSY", codeErr(5), true},
		{"SQLITE_BUSY_SNAPSHOT", codeErr(5 | 2<<8), true},
		{"SQLITE_LOCKED", codeErr(6), true},
		{"SQLITE_CONSTRAINT", codeErr(19), false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"bad connection", driver.ErrBadConn, true},
		{"cancelled", context.Canceled, false},
		{"deadline (a net.Error, but the caller's)", context.DeadlineExceeded, false},
		{"nil", nil, false},
	} {
		if got := IsTransient(fmt.Errorf("plan contacts: %w", c.err)); c.err != nil && got != c.want {
			t.Errorf("%s: IsTransient = %v, want %v", c.name, got, c.want)
		}
	}
	if IsTransient(nil) {
		t.Error("nil is not an error")
	}
}
