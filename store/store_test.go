package store_test

import (
	"context"
	"testing"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// wismo's PostgreSQL sessions run without JIT: compiling a plan cost more than running it.
func TestPostgresSessionsRunWithoutJIT(t *testing.T) {
	db := storetest.Open(t)
	if db.Dialect != store.Postgres {
		t.Log("JIT is a PostgreSQL setting")
		return
	}
	var jit string
	if err := db.SQL.QueryRowContext(context.Background(), `SHOW jit`).Scan(&jit); err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Fatalf("jit = %q on a wismo connection, want off", jit)
	}
}

// A panic inside a write transaction (a handler's bug, recovered by the HTTP middleware)
// rolls it back: the connection goes back to the pool usable, nothing half-written stays.
func TestWriteTxRollsBackOnPanic(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	func() {
		defer func() { recover() }()
		db.WriteTx(ctx, func(tx store.Tx) error { //nolint:errcheck // it panics
			if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO brands (name, created_at) VALUES (?, CURRENT_TIMESTAMP)`), "half-written"); err != nil {
				t.Fatal(err)
			}
			panic("a bug")
		})
	}()
	for range 20 { // every pooled connection must begin cleanly
		if err := db.WriteTx(ctx, func(tx store.Tx) error { return nil }); err != nil {
			t.Fatalf("a write transaction after the panic: %v", err)
		}
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM brands WHERE name = ?`), "half-written").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the panicking transaction left %d rows (%v)", n, err)
	}
}
