// Package benchdb opens the benchmarks' throw-away databases: a migrated SQLite file in a temp
// dir or a database created on the PostgreSQL server, and names the server's version.
package benchdb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that creates benchmark databases

	"github.com/wismo/wismo/store"
)

// Quiet is a logger that writes nothing (migrations and opening are noisy).
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Fresh opens a new, migrated database of a dialect: a SQLite file in a temp dir, or a
// database created on the PostgreSQL server at adminURL, both named after prefix (the
// benchmark). drop removes it.
func Fresh(ctx context.Context, adminURL, prefix string, d store.Dialect) (db *store.DB, drop func(), err error) {
	var dbURL string
	switch d {
	case store.SQLite:
		dir, err := os.MkdirTemp("", prefix+"-")
		if err != nil {
			return nil, nil, err
		}
		dbURL, drop = "sqlite:"+filepath.Join(dir, "wismo.db"), func() { os.RemoveAll(dir) }
	case store.Postgres:
		name := fmt.Sprintf("wismo_%s_%d_%d", prefix, os.Getpid(), time.Now().UnixNano())
		admin, err := sql.Open("pgx", adminURL)
		if err != nil {
			return nil, nil, err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return nil, nil, fmt.Errorf("create database on %s: %w (is PostgreSQL running? pg_isready -h 127.0.0.1)", store.MaskURL(adminURL), err)
		}
		drop = func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if a, err := sql.Open("pgx", adminURL); err == nil {
				a.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				a.Close()
			}
		}
		u, err := url.Parse(adminURL)
		if err != nil {
			drop()
			return nil, nil, fmt.Errorf("PG_ADMIN_URL: %w", err)
		}
		u.Path = "/" + name
		dbURL = u.String()
	default:
		return nil, nil, fmt.Errorf("unknown dialect %q", d)
	}
	db, err = store.Open(ctx, dbURL, "", Quiet())
	if err != nil {
		drop()
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx, Quiet()); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	remove := drop
	return db, func() { db.Close(); remove() }, nil
}

// ServerVersion names the database engine and its version, for the benchmarks' headers.
func ServerVersion(ctx context.Context, db *store.DB) string {
	var v string
	q := `SELECT sqlite_version()`
	if db.Dialect == store.Postgres {
		q = `SHOW server_version`
	}
	db.SQL.QueryRowContext(ctx, q).Scan(&v)
	if db.Dialect == store.SQLite {
		return "SQLite " + v + " (glebarez/go-sqlite, WAL)"
	}
	return "PostgreSQL " + v
}
