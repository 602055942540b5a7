package main

import (
	"context"
	"log/slog"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchdb"
)

func quiet() *slog.Logger { return benchdb.Quiet() }

// freshDB opens a new, migrated database of a dialect for this benchmark (tools/benchdb).
func freshDB(ctx context.Context, o options, d store.Dialect) (*store.DB, func(), error) {
	return benchdb.Fresh(ctx, o.adminURL, "benchcomms", d)
}

func serverVersion(ctx context.Context, db *store.DB) string { return benchdb.ServerVersion(ctx, db) }
