package store

import (
	"context"
	"regexp"
)

var ident = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// HasColumn reports whether table exists with column, in either dialect, by asking for the
// column of no rows. It is for optional tables another package may add (a reader that works
// whether or not they exist); do not call it inside a transaction (PostgreSQL aborts one on
// the error that answers "no").
func HasColumn(ctx context.Context, db *DB, table, column string) bool {
	if !ident.MatchString(table) || !ident.MatchString(column) {
		return false
	}
	rows, err := db.SQL.QueryContext(ctx, "SELECT "+column+" FROM "+table+" WHERE 1 = 0")
	if err != nil {
		return false
	}
	rows.Close()
	return true
}
