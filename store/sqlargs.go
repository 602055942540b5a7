package store

import (
	"database/sql"
	"strings"
	"time"
)

// Helpers for the packages that write their SQL by hand (database/sql with Rebind): the
// placeholder lists of IN clauses and the conversions between nullable columns and pointers.

// InList returns n comma-separated placeholders for an IN (...) clause: "?,?,?".
func InList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// InChunks calls fn for consecutive chunks of ids that fit one statement, with the chunk's
// "?,?,?" list and its arguments.
func InChunks(db *DB, ids []string, fn func(list string, args []any) error) error {
	per := db.MaxParams()
	for start := 0; start < len(ids); start += per {
		chunk := ids[start:min(start+per, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := fn(InList(len(chunk)), args); err != nil {
			return err
		}
	}
	return nil
}

// TimePtr returns a nullable time column as a UTC time, or nil when it is NULL.
func TimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// TimeArg is the bind argument for a nullable time column: NULL for nil.
func TimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// Int64Arg is the bind argument for a nullable integer column: NULL for nil.
func Int64Arg(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}
