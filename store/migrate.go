package store

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"

	"github.com/wismo/wismo/migrations"
)

// Migrate applies every embedded migration of the DB's dialect that has not run yet and
// returns the schema version it ends at.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) (int64, error) {
	dir, err := fs.Sub(migrations.FS, string(db.Dialect))
	if err != nil {
		return 0, err
	}
	gd := goose.DialectSQLite3
	if db.Dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db.SQL, dir)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", db.Location, err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return p.GetDBVersion(ctx)
}
