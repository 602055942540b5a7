package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// The corpus: `wismo demo` makes a few thousand realistic parcels with their events, which are
// then copied under new S10 ids (new serials, valid check digits) up to the size asked, each
// copy with its events, through the same triggers (search index) as any parcel. A million
// demo parcels take about a quarter of an hour to make; the copies take a few minutes. The
// copies keep each original's phase and history, which is all the hotline reads.
type corpus struct {
	dataDir   string
	parcels   int
	generated bool
	took      time.Duration
	brand     int64
	ids       []string // parcels of brand the callers key in
}

type corpusMark struct {
	Parcels int     `json:"parcels"`
	TookSec float64 `json:"took_seconds"`
}

const (
	hotlineNumber = "+78005550300"
	serialBase    = 60000000 // copies get serials from here up (the demo's are random below)
)

func openCorpus(ctx context.Context, o options) (*corpus, error) {
	c := &corpus{dataDir: filepath.Join(o.workDir, fmt.Sprintf("corpus-%d", o.parcels))}
	markPath := filepath.Join(c.dataDir, "benchhotline.json")
	var mark corpusMark
	if b, err := os.ReadFile(markPath); err == nil && json.Unmarshal(b, &mark) == nil && mark.Parcels == o.parcels {
		step("reusing the corpus in %s (%d parcels)", c.dataDir, mark.Parcels)
		c.took = time.Duration(mark.TookSec * float64(time.Second))
	} else {
		start := time.Now()
		if err := os.RemoveAll(c.dataDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
			return nil, err
		}
		step("generating %d demo parcels into %s", o.seedParcels, c.dataDir)
		cmd := exec.CommandContext(ctx, o.bin, "demo", "--data-dir", c.dataDir, "--parcels", fmt.Sprint(o.seedParcels),
			"--seed", "1", "--log-level", "warn")
		cmd.Env = append(os.Environ(), "WISMO_DATABASE_URL=")
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("wismo demo: %w", err)
		}
		if err := amplify(ctx, c.dataDir, o.parcels); err != nil {
			return nil, err
		}
		c.generated, c.took = true, time.Since(start)
		b, _ := json.Marshal(corpusMark{Parcels: o.parcels, TookSec: c.took.Seconds()})
		if err := os.WriteFile(markPath, b, 0o644); err != nil {
			return nil, err
		}
	}
	return c, c.prepare(ctx, o)
}

// amplify copies the demo's parcels (and their events) under new ids until there are want.
func amplify(ctx context.Context, dir string, want int) error {
	db, err := openDB(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	var have int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM parcels`).Scan(&have); err != nil {
		return err
	}
	var originals []string
	rows, err := db.SQL.QueryContext(ctx, `SELECT id FROM parcels ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		originals = append(originals, id)
	}
	rows.Close()
	if len(originals) == 0 {
		return fmt.Errorf("the demo made no parcels")
	}
	pcols, err := columns(ctx, db, "parcels", "id")
	if err != nil {
		return err
	}
	ecols, err := columns(ctx, db, "events", "id", "item_id")
	if err != nil {
		return err
	}
	insParcel := `INSERT INTO parcels (id, ` + pcols + `) SELECT ?, ` + pcols + ` FROM parcels WHERE id = ?`
	insEvents := `INSERT INTO events (item_id, ` + ecols + `) SELECT ?, ` + ecols + ` FROM events WHERE item_id = ?`
	step("copying them up to %d parcels (%d to add)", want, want-have)
	start, serial := time.Now(), serialBase
	for have < want {
		n := min(want-have, 5000)
		err := db.WriteTx(ctx, func(tx store.Tx) error {
			for range n {
				orig := originals[serial%len(originals)]
				s := fmt.Sprintf("%08d", serial)
				id := orig[:2] + s + fmt.Sprint(tracking.S10CheckDigit(s)) + orig[11:]
				serial++
				if _, err := tx.ExecContext(ctx, insParcel, id, orig); err != nil {
					return fmt.Errorf("copy parcel %s: %w", orig, err)
				}
				if _, err := tx.ExecContext(ctx, insEvents, id, orig); err != nil {
					return fmt.Errorf("copy events of %s: %w", orig, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		have += n
		if have%100000 < n {
			step("  %d parcels (%s)", have, time.Since(start).Round(time.Second))
		}
	}
	return nil
}

// columns lists table's columns but skip, comma-separated.
func columns(ctx context.Context, db *store.DB, table string, skip ...string) (string, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == name
		}
		if !skipped {
			out = append(out, name)
		}
	}
	return strings.Join(out, ", "), rows.Err()
}

func openDB(ctx context.Context, dir string) (*store.DB, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, "", dir, log)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// prepare gives the corpus a hotline queue of its first brand (the number the callers dial),
// puts the rules' outbox cursor at the head (a settled node, not one replaying the demo's
// backlog) and samples the parcels the callers key in.
func (c *corpus) prepare(ctx context.Context, o options) error {
	db, err := openDB(ctx, c.dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM parcels`).Scan(&c.parcels); err != nil {
		return err
	}
	if c.parcels != o.parcels {
		return fmt.Errorf("the corpus in %s holds %d parcels, want %d: remove it and run again", c.dataDir, c.parcels, o.parcels)
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT MIN(id) FROM brands`).Scan(&c.brand); err != nil {
		return err
	}
	var queues int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM hotline_numbers WHERE number = ?`, hotlineNumber).Scan(&queues); err != nil {
		return err
	}
	if queues == 0 {
		err := db.WriteTx(ctx, func(tx store.Tx) error {
			var q int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO hotline_queues (name, brand_id, ring_seconds, max_wait_seconds)
				VALUES ('Benchmark hotline', ?, 15, 120) RETURNING id`, c.brand).Scan(&q); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO hotline_numbers (number, queue_id) VALUES (?, ?)`, hotlineNumber, q)
			return err
		})
		if err != nil {
			return fmt.Errorf("hotline queue: %w", err)
		}
	}
	if _, err := db.SQL.ExecContext(ctx, `INSERT INTO outbox_cursors (consumer, last_txid, last_id, updated_at)
		SELECT ?, COALESCE(MAX(txid), 0), COALESCE(MAX(id), 0), ? FROM outbox WHERE true
		ON CONFLICT (consumer) DO UPDATE SET last_txid = excluded.last_txid, last_id = excluded.last_id, updated_at = excluded.updated_at`,
		scripts.Consumer, time.Now().UTC()); err != nil {
		return fmt.Errorf("position the rules' cursor: %w", err)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT id FROM parcels WHERE brand_id = ? ORDER BY random() LIMIT ?`, c.brand, o.sample)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		c.ids = append(c.ids, id)
	}
	return rows.Err()
}
