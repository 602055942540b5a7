// Package benchcorpus is the benchmarks' kept corpus: `wismo demo --parcels N --cases M --seed S`
// generated once into a PostgreSQL database named after its size and seed (a million parcels
// take most of an hour), and its SQLite copy made through the same index triggers. The search
// and case benchmarks open the same corpus, so it is generated once for both.
package benchcorpus

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wismo/wismo/store"
)

// LiveBrand owns the parcels the search benchmark's live-indexing measurement adds; they are
// removed again on every open, so the corpus stays what `wismo demo` made.
const LiveBrand = "Benchmark live indexing"

// Options say which corpus to open and where.
type Options struct {
	Bin, PGAdmin, WorkDir string
	Parcels, Cases        int
	Seed                  int64
}

// Info says where the corpus came from.
type Info struct {
	PGDB                     string
	Generated                bool
	GenTook                  time.Duration
	Parcels, Cases, Docs     int
	SQLitePath               string
	Copied                   bool
	CopyTook                 time.Duration
	CopyRows                 int
	PGVersion, SQLiteVersion string
}

// Corpus is the same data in PostgreSQL and SQLite.
type Corpus struct {
	PG, Lite *store.DB
	PGURL    string
	Info     Info
}

// Close closes both databases.
func (c *Corpus) Close() {
	if c.PG != nil {
		c.PG.Close()
	}
	if c.Lite != nil {
		c.Lite.Close()
	}
}

// DBURL is the admin URL with another database name.
func DBURL(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Open finds or generates the PostgreSQL corpus and its SQLite copy; step reports progress.
func Open(ctx context.Context, o Options, log *slog.Logger, step func(string, ...any)) (*Corpus, error) {
	c := &Corpus{}
	name := fmt.Sprintf("wismo_search_corpus_%d_%d_s%d", o.Parcels, o.Cases, o.Seed)
	c.Info.PGDB = name
	var err error
	if c.PGURL, err = DBURL(o.PGAdmin, name); err != nil {
		return nil, err
	}
	admin, err := sql.Open("pgx", o.PGAdmin)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", store.MaskURL(o.PGAdmin), err)
	}
	if !exists {
		step("generating the corpus into PostgreSQL %s with %s (%d parcels, %d cases)", name, o.Bin, o.Parcels, o.Cases)
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return nil, err
		}
		start := time.Now()
		cmd := exec.CommandContext(ctx, o.Bin, "demo", "--database-url", c.PGURL, "--data-dir", filepath.Join(o.WorkDir, "demo-data"),
			"--parcels", fmt.Sprint(o.Parcels), "--cases", fmt.Sprint(o.Cases), "--seed", fmt.Sprint(o.Seed), "--log-level", "warn")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("wismo demo: %w (drop the half-made database %s before the next run)", err, name)
		}
		c.Info.Generated, c.Info.GenTook = true, time.Since(start)
	}
	if c.PG, err = store.Open(ctx, c.PGURL, "", log); err != nil {
		return nil, err
	}
	if _, err := c.PG.Migrate(ctx, log); err != nil {
		return nil, err
	}
	if err := RemoveLive(ctx, c.PG); err != nil {
		return nil, err
	}
	if err := checkCounts(ctx, c.PG, o, "PostgreSQL database "+name); err != nil {
		return nil, err
	}
	c.Info.Parcels, c.Info.Cases = o.Parcels, o.Cases
	// Settle the corpus as autovacuum leaves a quiet database: statistics current, GIN's
	// pending entries merged.
	step("VACUUM ANALYZE on PostgreSQL")
	if _, err := c.PG.SQL.ExecContext(ctx, `VACUUM (ANALYZE) search_docs, parcels, cases, case_parcels`); err != nil {
		return nil, err
	}
	c.PG.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs`).Scan(&c.Info.Docs)
	c.PG.SQL.QueryRowContext(ctx, `SHOW server_version`).Scan(&c.Info.PGVersion)
	if err := c.openSQLite(ctx, o, name, log, step); err != nil {
		return nil, err
	}
	return c, nil
}

// checkCounts verifies a corpus database holds what was asked for; a half-generated or
// foreign database is an error, never silently rebuilt.
func checkCounts(ctx context.Context, db *store.DB, o Options, what string) error {
	var parcels, cases int
	if err := db.SQL.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM parcels), (SELECT COUNT(*) FROM cases)`).Scan(&parcels, &cases); err != nil {
		return err
	}
	if parcels != o.Parcels || cases != o.Cases {
		return fmt.Errorf("%s holds %d parcels and %d cases, not %d and %d: if a generation is running, wait for it; "+
			"otherwise drop it and run again", what, parcels, cases, o.Parcels, o.Cases)
	}
	return nil
}

// RemoveLive deletes what an earlier live-indexing measurement added.
func RemoveLive(ctx context.Context, db *store.DB) error {
	var id int64
	err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT id FROM brands WHERE name = ?`), LiveBrand).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return db.WriteTx(ctx, func(tx store.Tx) error {
		for _, q := range []string{`DELETE FROM search_docs WHERE brand_id = ?`, `DELETE FROM outbox WHERE brand_id = ?`,
			`DELETE FROM events WHERE brand_id = ?`, `DELETE FROM parcels WHERE brand_id = ?`, `DELETE FROM api_keys WHERE brand_id = ?`,
			`DELETE FROM brands WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, db.Rebind(q), id); err != nil {
				return fmt.Errorf("remove live-indexing parcels: %w", err)
			}
		}
		return nil
	})
}

// Columns copied from PostgreSQL into the SQLite corpus.
var copyTables = []struct{ table, cols string }{
	{"brands", "id, name, created_at"},
	{"parcels", `id, brand_id, origin_country, destination_country, service_level, kind, weight_g, cod_minor, cod_currency,
		declared_minor, declared_currency, contents, sender, recipient_name, recipient_phone, recipient_email, recipient_address,
		recipient_region, recipient_language, time_zone, time_zone_rule, promised_date, phase, phase_at, is_returning,
		last_event_at, posted_at, delivered_at, fingerprint, created_at, updated_at`},
	{"cases", `id, brand_id, number, seq, parcel_id, type, priority, status, source, subject, origin_country, destination_country,
		contact_name, contact_phone, contact_email, assignee_id, queue, resolution_code, created_by, created_at, updated_at,
		first_response_at, resolved_at, closed_at, first_response_due, resolution_due, sla_paused_at,
		first_response_breached_at, resolution_breached_at`},
	{"case_parcels", "case_id, parcel_id"},
}

// openSQLite opens the SQLite copy of the corpus, copying it first when it is missing: the
// rows go through the same triggers as ingest, so the copy is also the SQLite indexing run.
func (c *Corpus) openSQLite(ctx context.Context, o Options, name string, log *slog.Logger, step func(string, ...any)) error {
	path, err := filepath.Abs(filepath.Join(o.WorkDir, name+".db"))
	if err != nil {
		return err
	}
	c.Info.SQLitePath = path
	if _, err := os.Stat(path); err == nil {
		if c.Lite, err = store.Open(ctx, "sqlite:"+path, "", log); err != nil {
			return err
		}
		if _, err := c.Lite.Migrate(ctx, log); err != nil {
			return err
		}
		if err := RemoveLive(ctx, c.Lite); err != nil {
			return err
		}
		if checkCounts(ctx, c.Lite, o, path) == nil {
			return c.settleSQLite(ctx, step)
		}
		c.Lite.Close()
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	step("copying the corpus into SQLite %s (through the search-index triggers)", path)
	if c.Lite, err = store.Open(ctx, "sqlite:"+path, "", log); err != nil {
		return err
	}
	if _, err := c.Lite.Migrate(ctx, log); err != nil {
		return err
	}
	start := time.Now()
	for _, t := range copyTables {
		n, err := copyTable(ctx, c.PG, c.Lite, t.table, t.cols)
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.table, err)
		}
		c.Info.CopyRows += n
		step("copied %d %s", n, t.table)
	}
	c.Info.Copied, c.Info.CopyTook = true, time.Since(start)
	return c.settleSQLite(ctx, step)
}

// settleSQLite folds the FTS5 segments a bulk load or a rebuild leaves (its automerge would
// fold them over time) and gathers statistics, as a settled database has them.
func (c *Corpus) settleSQLite(ctx context.Context, step func(string, ...any)) error {
	step("FTS5 optimize and ANALYZE on SQLite")
	for _, q := range []string{`INSERT INTO search_names (search_names) VALUES ('optimize')`,
		`INSERT INTO search_codes (search_codes) VALUES ('optimize')`, `ANALYZE`} {
		if _, err := c.Lite.SQL.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("settle SQLite: %w", err)
		}
	}
	c.Lite.SQL.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&c.Info.SQLiteVersion)
	return nil
}

// copyTable streams a table from src into dst, 20,000 rows per transaction.
func copyTable(ctx context.Context, src, dst *store.DB, table, cols string) (int, error) {
	n := len(strings.Split(cols, ","))
	rows, err := src.SQL.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" ORDER BY 1")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	const batch = 20000
	buf := make([][]any, 0, batch)
	total := 0
	flush := func() error {
		err := dst.WriteTx(ctx, func(tx store.Tx) error {
			return dst.BulkExec(ctx, tx, "INSERT INTO "+table+" ("+cols+")", "", n, len(buf), nil,
				func(i int, d []any) []any { return append(d, buf[i]...) })
		})
		total += len(buf)
		buf = buf[:0]
		return err
	}
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return total, err
		}
		for i, v := range vals {
			switch v := v.(type) {
			case []byte:
				vals[i] = string(v)
			case map[string]any, []any: // jsonb, decoded by pgx: SQLite keeps JSON as text
				b, err := json.Marshal(v)
				if err != nil {
					return total, err
				}
				vals[i] = string(b)
			}
		}
		if buf = append(buf, vals); len(buf) == batch {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return total, err
	}
	if len(buf) > 0 {
		return total, flush()
	}
	return total, nil
}
