package main

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

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// freshDB opens a new, migrated database of a dialect: a SQLite file in a temp dir, or a
// database created on the PostgreSQL server. drop removes it.
func freshDB(ctx context.Context, o options, d store.Dialect) (db *store.DB, drop func(), err error) {
	var dbURL string
	switch d {
	case store.SQLite:
		dir, err := os.MkdirTemp("", "benchelapsed-")
		if err != nil {
			return nil, nil, err
		}
		dbURL, drop = "sqlite:"+filepath.Join(dir, "wismo.db"), func() { os.RemoveAll(dir) }
	case store.Postgres:
		name := fmt.Sprintf("wismo_benchelapsed_%d_%d", os.Getpid(), time.Now().UnixNano())
		admin, err := sql.Open("pgx", o.adminURL)
		if err != nil {
			return nil, nil, err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return nil, nil, fmt.Errorf("create database on %s: %w (is PostgreSQL running? pg_isready -h 127.0.0.1)", store.MaskURL(o.adminURL), err)
		}
		drop = func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if a, err := sql.Open("pgx", o.adminURL); err == nil {
				a.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
				a.Close()
			}
		}
		u, err := url.Parse(o.adminURL)
		if err != nil {
			drop()
			return nil, nil, fmt.Errorf("PG_ADMIN_URL: %w", err)
		}
		u.Path = "/" + name
		dbURL = u.String()
	default:
		return nil, nil, fmt.Errorf("unknown dialect %q", d)
	}
	db, err = store.Open(ctx, dbURL, "", quiet())
	if err != nil {
		drop()
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx, quiet()); err != nil {
		db.Close()
		drop()
		return nil, nil, err
	}
	remove := drop
	return db, func() { db.Close(); remove() }, nil
}

func serverVersion(ctx context.Context, db *store.DB) string {
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
