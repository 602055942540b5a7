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
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that creates benchmark databases

	"github.com/wismo/wismo/store"
)

// quietLog discards the store's logging.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// databases makes fresh, empty databases of one dialect and removes them again.
type databases struct {
	dialect  store.Dialect
	tmp      string // SQLite files live under here
	adminURL string // PostgreSQL server on which databases are created
	seq      atomic.Int64
	drops    []func()
}

// fresh returns the URL of a new, empty database. It is removed by cleanup.
func (d *databases) fresh(ctx context.Context) (string, error) {
	n := d.seq.Add(1)
	if d.dialect == store.SQLite {
		dir := filepath.Join(d.tmp, fmt.Sprintf("sqlite-%d", n))
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", err
		}
		d.drops = append(d.drops, func() { os.RemoveAll(dir) })
		return "sqlite:" + filepath.Join(dir, "wismo.db"), nil
	}
	name := fmt.Sprintf("wismo_bench_%d_%d_%d", os.Getpid(), time.Now().Unix(), n)
	admin, err := sql.Open("pgx", d.adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database on %s: %w (is PostgreSQL running? pg_isready -h 127.0.0.1)", store.MaskURL(d.adminURL), err)
	}
	d.drops = append(d.drops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if a, err := sql.Open("pgx", d.adminURL); err == nil {
			if _, err := a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				fmt.Fprintf(os.Stderr, "benchingest: drop database %s: %v\n", name, err)
			}
			a.Close()
		}
	})
	u, err := url.Parse(d.adminURL)
	if err != nil {
		return "", fmt.Errorf("PG_ADMIN_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// cleanup removes every database made so far.
func (d *databases) cleanup() {
	for _, drop := range d.drops {
		drop()
	}
	d.drops = nil
}

// openMigrated opens dbURL with wismo's own store package and applies the migrations.
func openMigrated(ctx context.Context, dbURL string) (*store.DB, error) {
	db, err := store.Open(ctx, dbURL, "", quietLog)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, quietLog); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// serverVersion returns the database's own version string: SELECT version() on PostgreSQL,
// select sqlite_version() on SQLite.
func serverVersion(ctx context.Context, d *databases) (string, error) {
	dbURL, err := d.fresh(ctx)
	if err != nil {
		return "", err
	}
	db, err := store.Open(ctx, dbURL, "", quietLog)
	if err != nil {
		return "", err
	}
	defer db.Close()
	q := "SELECT version()"
	if d.dialect == store.SQLite {
		q = "select sqlite_version()"
	}
	var v string
	if err := db.SQL.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return "", err
	}
	if d.dialect == store.SQLite {
		v = "SQLite " + v + " (modernc.org/sqlite, as wismo embeds it)"
	}
	return v, nil
}
