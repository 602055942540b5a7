package storetest

import (
	"context"
	"testing"

	"github.com/wismo/wismo/store"
)

// Counter returns a function that runs a COUNT query (with ? placeholders) on db and fails
// t when it cannot.
func Counter(t testing.TB, db *store.DB) func(q string, args ...any) int {
	return func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRowContext(context.Background(), db.Rebind(q), args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
}
