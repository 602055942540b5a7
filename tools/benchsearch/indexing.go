package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchcorpus"
	"github.com/wismo/wismo/tools/meiliserver"
	"github.com/wismo/wismo/tracking"
)

// indexRow is one indexing figure of the report.
type indexRow struct {
	what, backend string
	docs          int
	took          time.Duration
	note          string
}

func (r indexRow) rate() float64 { return float64(r.docs) / r.took.Seconds() }

// measureIndexing starts Meilisearch, fills it (wismo reindex, and the baseline index), and
// measures live indexing of new parcels and the rebuild of the embedded index.
func (rep *report) measureIndexing(ctx context.Context, o options, c *corpus, log *slog.Logger, step func(string, ...any)) error {
	dir := filepath.Join(o.workDir, fmt.Sprintf("meili-%d", os.Getpid()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	srv, err := meiliserver.Start(ctx, dir, meiliserver.Options{})
	if err != nil {
		return err
	}
	c.meili = srv
	go func() { <-ctx.Done(); srv.Stop() }()
	rep.meiliDir = dir

	step("wismo reindex into Meilisearch")
	cmd := exec.CommandContext(ctx, o.bin, "reindex", "--data-dir", filepath.Join(o.workDir, "demo-data"), "--log-level", "warn")
	cmd.Env = append(os.Environ(), "WISMO_DATABASE_URL="+c.PGURL, "WISMO_SEARCH_URL="+srv.URL, "WISMO_SEARCH_KEY="+srv.Key)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wismo reindex: %w", err)
	}
	var ri struct {
		Documents int     `json:"documents"`
		Seconds   float64 `json:"seconds"`
	}
	if err := json.Unmarshal(out.Bytes(), &ri); err != nil {
		return fmt.Errorf("wismo reindex printed %q: %w", out.String(), err)
	}
	rep.indexing = append(rep.indexing, indexRow{what: "reindex (`wismo reindex`, until indexed)", backend: "wismo on Meilisearch",
		docs: ri.Documents, took: time.Duration(ri.Seconds * float64(time.Second))})
	meili := search.NewMeiliBackend(srv.URL, srv.Key, c.PG)
	c.ours = wismoBackend{"wismo on Meilisearch", search.New(c.PG, meili)}

	step("building the plain Meilisearch baseline index")
	start := time.Now()
	if c.plain, ri.Documents, err = buildPlain(ctx, c.PG, srv.URL, srv.Key); err != nil {
		return fmt.Errorf("baseline index: %w", err)
	}
	rep.indexing = append(rep.indexing, indexRow{what: "index the same parcels and cases, until indexed", backend: "plain Meilisearch (baseline)",
		docs: ri.Documents, took: time.Since(start)})

	if o.live > 0 {
		step("live indexing: %d new parcels", o.live)
		if err := rep.measureLive(ctx, o, c, meili, log); err != nil {
			return fmt.Errorf("live indexing: %w", err)
		}
	}
	return nil
}

// measureRebuilds times `wismo reindex --embedded` on both databases. It runs after the
// queries: a rebuild leaves PostgreSQL a table of dead rows (until vacuum) and SQLite's FTS5
// fresh unmerged segments, which are no state to measure searches in.
func (rep *report) measureRebuilds(ctx context.Context, c *corpus, step func(string, ...any)) error {
	for _, db := range []struct {
		label string
		db    *store.DB
	}{{"wismo embedded, SQLite (FTS5)", c.Lite}, {"wismo embedded, PostgreSQL (full text + pg_trgm)", c.PG}} {
		step("rebuilding the embedded index on %s", db.db.Dialect)
		start := time.Now()
		n, err := search.RebuildEmbeddedIndex(ctx, db.db)
		if err != nil {
			return err
		}
		rep.indexing = append(rep.indexing, indexRow{what: "reindex (`wismo reindex --embedded`, one transaction)", backend: db.label,
			docs: n, took: time.Since(start)})
	}
	return nil
}

// measureLive ingests new parcels through the ingest service on both databases (the embedded
// index is written in the same transaction: searchable at commit), then lets the outbox feed
// carry PostgreSQL's into Meilisearch and waits until they are indexed. The parcels are
// removed again afterwards.
func (rep *report) measureLive(ctx context.Context, o options, c *corpus, meili *search.MeiliBackend, log *slog.Logger) error {
	items := make([]tracking.ParcelItem, o.live)
	for i := range items {
		items[i].Input = tracking.ParcelInput{ID: tracking.MakeS10("LZ", 90000000+i, "NZ"), ServiceLevel: "standard", Kind: "packet",
			WeightKg: 0.5, OriginCountry: "NZ", DestinationCountry: "RU", Recipient: tracking.RecipientInput{
				Name: "Живой Индекс Тестович", Phone: fmt.Sprintf("+7 913 %03d-%02d-%02d", i/10000, i/100%100, i%100), Region: "RU-NVS"}}
	}
	for _, d := range []struct {
		label string
		db    *store.DB
	}{{"wismo embedded, SQLite (FTS5)", c.Lite}, {"wismo embedded, PostgreSQL (full text + pg_trgm)", c.PG}} {
		brand, _, err := access.NewService(d.db).CreateBrand(ctx, benchcorpus.LiveBrand)
		if err != nil {
			return err
		}
		svc := tracking.NewService(d.db, log, nil)
		start := time.Now()
		for from := 0; from < len(items); from += 1000 {
			res, err := svc.UpsertParcels(ctx, access.Brands(brand.ID), items[from:min(from+1000, len(items))])
			if err != nil {
				return err
			}
			for _, r := range res {
				if r.Status != tracking.StatusAccepted {
					return fmt.Errorf("live parcel %s: %s %+v", r.ID, r.Status, r.Error)
				}
			}
		}
		rep.indexing = append(rep.indexing, indexRow{what: "live: new parcels through the ingest API's service, searchable at commit",
			backend: d.label, docs: len(items), took: time.Since(start)})
		if d.db != c.PG {
			continue
		}
		// Feed until the cursor has passed every message (a consumer sees a message once every
		// older transaction in the cluster has ended, so an empty batch is not the end).
		start = time.Now()
		deadline := start.Add(5 * time.Minute)
		for {
			n, err := outbox.Consume(ctx, c.PG, search.MeiliConsumer, 1000, meili.HandleOutbox)
			if err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			var behind int
			if err := c.PG.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o JOIN outbox_cursors c ON c.consumer = $1
				WHERE (o.txid, o.id) > (c.last_txid, c.last_id)`, search.MeiliConsumer).Scan(&behind); err != nil {
				return err
			}
			if behind == 0 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the outbox feed is %d messages behind after 5 minutes", behind)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := meili.WaitIdle(ctx); err != nil {
			return err
		}
		rep.indexing = append(rep.indexing, indexRow{what: "live: the same parcels, outbox feed to searchable", backend: "wismo on Meilisearch",
			docs: len(items), took: time.Since(start), note: "after PostgreSQL's commit"})
	}
	hits, err := search.New(c.PG, meili).Find(ctx, access.Operator(), items[len(items)-1].Input.ID, 1)
	if err != nil || len(hits) == 0 {
		return fmt.Errorf("a live parcel is not searchable in Meilisearch: %v", err)
	}
	for _, db := range []*store.DB{c.Lite, c.PG} {
		if err := benchcorpus.RemoveLive(ctx, db); err != nil {
			return err
		}
	}
	return nil
}
