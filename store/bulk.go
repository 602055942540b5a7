package store

import (
	"context"
	"strings"
)

// BulkExec runs `head VALUES (...),(...) tail` over n rows of cols values, in chunks that fit
// the dialect's parameter budget (see MaxParams: on SQLite parsing a statement costs about as
// much as binding a few hundred parameters, and the driver parses even prepared statements on
// every execution, so chunks of ~240 parameters are the sweet spot). row(i, dst) appends row i's values to dst. casts, when
// given, are PostgreSQL types for each column (VALUES lists need them where the column type
// cannot be inferred, as in UPDATE ... FROM (VALUES ...)); SQLite ignores them.
func (db *DB) BulkExec(ctx context.Context, tx Tx, head, tail string, cols, n int, casts []string, row func(i int, dst []any) []any) error {
	if n == 0 {
		return nil
	}
	per := max(1, db.MaxParams()/cols)
	if db.Dialect == SQLite {
		casts = nil
	}
	build := func(rows int) string {
		return db.Rebind(head + " VALUES " + Placeholders(rows, cols, casts) + " " + tail)
	}
	args := make([]any, 0, per*cols)
	full := n / per
	if full > 1 {
		stmt, err := tx.PrepareContext(ctx, build(per))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for c := 0; c < full; c++ {
			args = args[:0]
			for i := c * per; i < (c+1)*per; i++ {
				args = row(i, args)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
	} else {
		full = 0
	}
	for start := full * per; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		if _, err := tx.ExecContext(ctx, build(end-start), args...); err != nil {
			return err
		}
	}
	return nil
}

// Placeholders returns "(?,?,?),(?,?,?)" for rows of n columns, with PostgreSQL casts
// ("?::timestamptz") where casts names one.
func Placeholders(rows, n int, casts []string) string {
	var b strings.Builder
	b.Grow(rows * (n*3 + 3))
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < n; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('?')
			if casts != nil && casts[c] != "" {
				b.WriteString("::")
				b.WriteString(casts[c])
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
