// Package storetest gives each test a fresh, migrated database: a SQLite file in the test's
// temp dir by default, or a schema of its own in the PostgreSQL named by
// WISMO_TEST_DATABASE_URL. The same tests therefore run against both dialects; `make test`
// runs the suite once per dialect.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that creates test schemas

	"github.com/wismo/wismo/store"
)

// EnvURL names the PostgreSQL server tests use when set.
const EnvURL = "WISMO_TEST_DATABASE_URL"

// Open returns a fresh migrated database for t, closed (and its schema dropped) at cleanup.
func Open(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	log := Logger(t)
	db, err := store.Open(ctx, URL(t), "", log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, log); err != nil {
		t.Fatal(err)
	}
	return db
}

// URL returns the URL of a fresh, empty database for t — a SQLite file in its temp dir, or
// a new schema on the PostgreSQL of WISMO_TEST_DATABASE_URL — for tests that start wismo as
// a separate process. The schema is dropped at cleanup.
func URL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		if os.Getenv("CI") == "true" && os.Getenv("WISMO_TEST_DIALECT") == "postgres" {
			t.Fatalf("%s is not set: the PostgreSQL pass needs a server (apt-get install postgresql)", EnvURL)
		}
		return "sqlite:" + t.TempDir() + "/wismo.db"
	}
	ctx := context.Background()
	schema := "t_" + randomHex(6)
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema on %s: %v (is PostgreSQL running? pg_isready -h 127.0.0.1)", store.MaskURL(raw), err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", raw); err == nil {
			a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Logger returns a logger that writes into the test's log only when -v is given.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
