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
