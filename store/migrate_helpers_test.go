package store_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/wismo/wismo/migrations"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// migratedTo opens a test database migrated up to version (and no further), for tests of
// one migration on rows written before it: the goose provider to go on with and an exec
// that fails the test on error.
func migratedTo(t *testing.T, version int64) (*store.DB, *goose.Provider, func(q string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.URL(t), "", storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir, err := fs.Sub(migrations.FS, string(db.Dialect))
	if err != nil {
		t.Fatal(err)
	}
	gd := goose.DialectSQLite3
	if db.Dialect == store.Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db.SQL, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return db, p, exec
}
