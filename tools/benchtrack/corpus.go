package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store"
)

// corpus is a kept demo database and the parcels the requests spread over.
type corpus struct {
	dataDir   string
	parcels   int
	generated bool
	genTook   time.Duration
	ids       []string
	sizeBytes int64
	branded   int // brands given the demo look (logo, colours, hotline, footer, words)
}

// corpusMark records a finished corpus; a directory without it is half-made and is redone.
type corpusMark struct {
	Parcels int       `json:"parcels"`
	Seed    int64     `json:"seed"`
	Made    time.Time `json:"made"`
	TookSec float64   `json:"took_seconds"`
}

// openCorpus finds the corpus of o's size and seed, or generates it with `wismo demo`, then
// samples the parcels the requests go to.
func openCorpus(ctx context.Context, o options) (*corpus, error) {
	c := &corpus{dataDir: filepath.Join(o.workDir, fmt.Sprintf("corpus-%d-s%d", o.parcels, o.seed))}
	markPath := filepath.Join(c.dataDir, "benchtrack.json")
	var mark corpusMark
	if b, err := os.ReadFile(markPath); err == nil && json.Unmarshal(b, &mark) == nil && mark.Parcels == o.parcels {
		step("reusing the corpus in %s (%d parcels, made %s)", c.dataDir, mark.Parcels, mark.Made.Format(time.RFC3339))
		c.genTook = time.Duration(mark.TookSec * float64(time.Second))
	} else {
		if err := os.RemoveAll(c.dataDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
			return nil, err
		}
		step("generating %d demo parcels into %s with %s demo (once; later runs reuse it)", o.parcels, c.dataDir, o.bin)
		start := time.Now()
		cmd := exec.CommandContext(ctx, o.bin, "demo", "--data-dir", c.dataDir, "--parcels", fmt.Sprint(o.parcels),
			"--seed", fmt.Sprint(o.seed), "--log-level", "warn")
		cmd.Env = append(os.Environ(), "WISMO_DATABASE_URL=")
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("wismo demo: %w", err)
		}
		c.generated, c.genTook = true, time.Since(start)
		mark = corpusMark{Parcels: o.parcels, Seed: o.seed, Made: time.Now().UTC(), TookSec: c.genTook.Seconds()}
		b, _ := json.Marshal(mark)
		if err := os.WriteFile(markPath, b, 0o644); err != nil {
			return nil, err
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, "", c.dataDir, log)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, log); err != nil {
		return nil, err
	}
	if o.branding {
		if c.branded, err = brandAll(ctx, db); err != nil {
			return nil, err
		}
	}
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM parcels`).Scan(&c.parcels); err != nil {
		return nil, err
	}
	if c.parcels != o.parcels {
		return nil, fmt.Errorf("the corpus in %s holds %d parcels, want %d: remove it and run again", c.dataDir, c.parcels, o.parcels)
	}
	// The demo's parcels and events are all in the outbox. The page is measured on a settled
	// node, not one whose rules are still working through a million-message backlog: the rules'
	// cursor starts at the head, as a node that has kept up would be.
	if _, err := db.SQL.ExecContext(ctx, `INSERT INTO outbox_cursors (consumer, last_txid, last_id, updated_at)
		SELECT ?, COALESCE(MAX(txid), 0), COALESCE(MAX(id), 0), ? FROM outbox WHERE true
		ON CONFLICT (consumer) DO UPDATE SET last_txid = excluded.last_txid, last_id = excluded.last_id, updated_at = excluded.updated_at`,
		scripts.Consumer, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("position the rules' cursor: %w", err)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT id FROM parcels ORDER BY random() LIMIT ?`, o.ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		c.ids = append(c.ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(c.ids) == 0 {
		return nil, errors.New("the corpus has no parcels")
	}
	if fi, err := os.Stat(filepath.Join(c.dataDir, "wismo.db")); err == nil {
		c.sizeBytes = fi.Size()
	}
	step("requests spread over %d parcels of %d", len(c.ids), c.parcels)
	return c, nil
}

// brandAll gives every brand of the corpus the demo brand's look where it has none, so that
// every page measured is branded: it links its brand's stylesheet and logo, shows the hotline,
// the shop link and the footer, and reads the brand's words over the catalog's.
func brandAll(ctx context.Context, db *store.DB) (int, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT id, name FROM brands ORDER BY id`)
	if err != nil {
		return 0, err
	}
	var brands []demo.BrandInfo
	for rows.Next() {
		var b demo.BrandInfo
		if err := rows.Scan(&b.ID, &b.Name); err != nil {
			rows.Close()
			return 0, err
		}
		brands = append(brands, b)
	}
	rows.Close()
	looks := branding.New(db)
	for _, b := range brands {
		l, err := looks.Get(ctx, b.ID)
		if err != nil {
			return 0, err
		}
		if l.Version > 0 {
			continue
		}
		if err := demo.Looks(ctx, looks, demo.Summary{Brands: []demo.BrandInfo{b}}); err != nil {
			return 0, err
		}
	}
	return len(brands), nil
}
