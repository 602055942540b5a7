// Command benchingest measures wismo's ingest rate (batch API and file import) and parcel
// lookup rate on SQLite and PostgreSQL, each beside a raw baseline measured in the same run on
// the same database engine: plain batched INSERTs of the same event rows, and plain point
// SELECTs. It writes a markdown table to stdout and into the ingest section of BENCHMARKS.md.
//
//	go run ./tools/benchingest -bin bin/wismo -out BENCHMARKS.md [-parcels 20000] [-runs 3] [-dialects sqlite,postgres]
//
// `make bench` runs it through tools/bench.sh. Every server it starts listens on 127.0.0.1 and
// every request loop is bounded in count and time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
	"github.com/wismo/wismo/tracking"
)

// options are the command's flags.
type options struct {
	bin, binArg, out, dialects, pgAdmin   string
	jobs, debugAddr                       string
	order                                 string
	parcels, runs, clients, lookupClients int
	batch, sqliteRows                     int
	lookupFor                             time.Duration
}

// runFigures are one run's measurements on one dialect (rates per second).
type runFigures struct {
	Raw, Raw1, API, Import, Parcels float64
	HTTP, SQL                       lookupResult
}

// dialectResult is every run on one dialect.
type dialectResult struct {
	Dialect store.Dialect
	Version string
	Runs    []runFigures
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/wismo", "the wismo binary under test (make build)")
	flag.StringVar(&o.out, "out", "", "markdown file whose ingest section is rewritten (empty: stdout only)")
	flag.IntVar(&o.parcels, "parcels", 20000, "parcels in the workload (8 events each)")
	flag.IntVar(&o.runs, "runs", 3, "runs per dialect; medians are reported")
	flag.StringVar(&o.dialects, "dialects", "sqlite,postgres", "comma-separated: sqlite, postgres")
	flag.StringVar(&o.jobs, "jobs", "all", "WISMO_JOBS of the wismo serve that takes the batch API (all: every background job runs beside the ingest)")
	flag.StringVar(&o.debugAddr, "debug-addr", "", "WISMO_DEBUG_ADDR of wismo serve, to profile it while it ingests (e.g. 127.0.0.1:6061)")
	flag.IntVar(&o.clients, "clients", 4, "concurrent writers: HTTP clients and raw INSERT goroutines")
	flag.IntVar(&o.lookupClients, "lookup-clients", 8, "concurrent lookup clients")
	flag.StringVar(&o.order, "order", "time", "event order: time (a post's feed: a batch touches ~batch parcels) or parcel (each parcel's history together)")
	flag.IntVar(&o.batch, "batch", 1000, "items per API batch and per raw INSERT")
	flag.IntVar(&o.sqliteRows, "sqlite-rows", 16, "rows per raw INSERT statement on SQLite, prepared once per transaction (its driver binds parameters in quadratic time)")
	flag.DurationVar(&o.lookupFor, "lookup-time", 5*time.Second, "duration of each lookup loop")
	admin := benchmd.PGAdmin()
	flag.StringVar(&o.pgAdmin, "pg-admin", admin, "PostgreSQL server for benchmark databases ($PG_ADMIN_URL)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchingest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.parcels < 1 || o.runs < 1 || o.clients < 1 || o.lookupClients < 1 || o.batch < 1 || o.batch > tracking.MaxBatch {
		return fmt.Errorf("-parcels, -runs, -clients, -lookup-clients must be positive and -batch 1..%d", tracking.MaxBatch)
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("-bin: %w (run make build first)", err)
	}
	o.bin, o.binArg = bin, o.bin
	began := time.Now()
	tmp, err := os.MkdirTemp("", "benchingest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	if o.order != "time" && o.order != "parcel" {
		return fmt.Errorf("-order: %q is neither time nor parcel", o.order)
	}
	w := makeWorkload(o.parcels, o.order == "parcel")
	in := inputs{w: w, ids: make([]string, len(w.Parcels))}
	for i, p := range w.Parcels {
		in.ids[i] = p.ID
	}
	if in.parcelBodies, err = jsonBatches("parcels", w.Parcels, o.batch); err != nil {
		return err
	}
	if in.eventBodies, err = jsonBatches("events", w.Events, o.batch); err != nil {
		return err
	}
	in.parcelFile, in.eventFile = filepath.Join(tmp, "parcels.ndjson"), filepath.Join(tmp, "events.ndjson")
	for file, items := range map[string]func() ([]byte, error){
		in.parcelFile: func() ([]byte, error) { return ndjson(w.Parcels) },
		in.eventFile:  func() ([]byte, error) { return ndjson(w.Events) }} {
		b, err := items()
		if err != nil {
			return err
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return err
		}
	}

	var results []dialectResult
	for _, name := range strings.Split(o.dialects, ",") {
		dialect := store.Dialect(strings.TrimSpace(name))
		if dialect != store.SQLite && dialect != store.Postgres {
			return fmt.Errorf("-dialects: unknown dialect %q (sqlite, postgres)", name)
		}
		d := &databases{dialect: dialect, tmp: tmp, adminURL: o.pgAdmin}
		res, err := benchDialect(ctx, o, d, in)
		d.cleanup()
		if err != nil {
			return fmt.Errorf("%s: %w", dialect, err)
		}
		results = append(results, res)
	}
	rep := report{opts: o, began: began, took: time.Since(began), events: len(w.Events), parcels: len(w.Parcels),
		results: results, machine: machineInfo(ctx)}
	table := rep.table()
	fmt.Println(table)
	fmt.Printf("total time: %s\n", rep.took.Round(time.Second))
	if o.out == "" {
		return nil
	}
	return benchmd.WriteSection(o.out, rep.name(), rep.section())
}

// inputs is the workload in every shape the measurements send it.
type inputs struct {
	w                     *workload
	ids                   []string
	parcelBodies          [][]byte
	eventBodies           [][]byte
	parcelFile, eventFile string
}

// benchDialect runs every measurement o.runs times on one dialect.
func benchDialect(ctx context.Context, o options, d *databases, in inputs) (dialectResult, error) {
	res := dialectResult{Dialect: d.dialect}
	v, err := serverVersion(ctx, d)
	if err != nil {
		return res, err
	}
	res.Version = v
	for r := 1; r <= o.runs; r++ {
		var f runFigures
		step := func(what string, fn func() error) error {
			t0 := time.Now()
			if err := fn(); err != nil {
				return fmt.Errorf("run %d, %s: %w", r, what, err)
			}
			fmt.Fprintf(os.Stderr, "benchingest: %s run %d/%d: %s done in %s\n", d.dialect, r, o.runs, what, time.Since(t0).Round(time.Millisecond))
			return nil
		}
		if err := step("raw INSERT baseline", func() (err error) {
			if f.Raw, err = rawStep(ctx, o, d, in.w, o.clients); err != nil {
				return err
			}
			f.Raw1, err = rawStep(ctx, o, d, in.w, 1)
			return err
		}); err != nil {
			return res, err
		}
		if err := step("batch API and lookups", func() error { return apiStep(ctx, o, d, in, &f) }); err != nil {
			return res, err
		}
		if err := step("file import", func() error { return importStep(ctx, o, d, in, &f) }); err != nil {
			return res, err
		}
		d.cleanup()
		fmt.Fprintf(os.Stderr, "benchingest: %s run %d: raw %.0f/s (1 writer %.0f/s), API %.0f events/s, import %.0f events/s, parcels %.0f/s, GET %.0f/s, SELECT %.0f/s\n",
			d.dialect, r, f.Raw, f.Raw1, f.API, f.Import, f.Parcels, f.HTTP.PerSec, f.SQL.PerSec)
		res.Runs = append(res.Runs, f)
	}
	return res, nil
}

// rawStep measures the raw INSERT baseline on a fresh database.
// On PostgreSQL it measures both multi-row VALUES and unnest arrays (each on a fresh
// database) and returns the faster: the baseline is the database's best, not one way.
func rawStep(ctx context.Context, o options, d *databases, w *workload, writers int) (float64, error) {
	best := 0.0
	for _, unnest := range []bool{false, true} {
		if unnest && d.dialect != store.Postgres {
			break
		}
		dbURL, err := d.fresh(ctx)
		if err != nil {
			return 0, err
		}
		rate, err := rawInsert(ctx, dbURL, w, writers, o.batch, o.stmtRows(d.dialect), unnest)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(os.Stderr, "benchingest: %s raw (%d writers, unnest %v): %.0f events/s\n", d.dialect, writers, unnest, rate)
		best = max(best, rate)
	}
	return best, nil
}

// stmtRows is how many rows one raw INSERT statement carries on dialect: the whole batch on
// PostgreSQL, -sqlite-rows on SQLite.
func (o options) stmtRows(dialect store.Dialect) int {
	if dialect == store.SQLite {
		return o.sqliteRows
	}
	return o.batch
}

// newInstance makes a fresh database and data dir for wismo.
func newInstance(ctx context.Context, o options, d *databases) (instance, error) {
	dbURL, err := d.fresh(ctx)
	if err != nil {
		return instance{}, err
	}
	dir, err := os.MkdirTemp(d.tmp, "data-")
	if err != nil {
		return instance{}, err
	}
	return instance{bin: o.bin, dbURL: dbURL, dataDir: dir, jobs: o.jobs, debugAddr: o.debugAddr}, nil
}

// apiStep ingests the workload through `wismo serve`'s batch API, then measures lookups
// through the API and raw point SELECTs on the same database.
func apiStep(ctx context.Context, o options, d *databases, in inputs, f *runFigures) error {
	inst, err := newInstance(ctx, o, d)
	if err != nil {
		return err
	}
	_, key, err := inst.brandAdd(ctx, "Bench")
	if err != nil {
		return err
	}
	srv, err := inst.serve(ctx)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.stop()
		}
	}()
	client := newClient(o.clients)
	defer client.CloseIdleConnections()
	ingest, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	counts, took, err := postAll(ingest, client, srv, key, "/api/v1/parcels", in.parcelBodies, o.clients)
	if err == nil {
		err = allAccepted("parcels", counts, len(in.w.Parcels))
	}
	if err != nil {
		return fmt.Errorf("%w\nserver log:\n%.4000s", err, srv.logs)
	}
	f.Parcels = float64(len(in.w.Parcels)) / took.Seconds()
	counts, took, err = postAll(ingest, client, srv, key, "/api/v1/events", in.eventBodies, o.clients)
	if err == nil {
		err = allAccepted("events", counts, len(in.w.Events))
	}
	if err != nil {
		return fmt.Errorf("%w\nserver log:\n%.4000s", err, srv.logs)
	}
	f.API = float64(len(in.w.Events)) / took.Seconds()
	if f.HTTP, err = httpLookups(ctx, srv, key, in.ids, o.lookupClients, o.lookupFor); err != nil {
		return fmt.Errorf("API lookups: %w", err)
	}
	if f.SQL, err = rawLookups(ctx, inst.dbURL, in.ids, o.lookupClients, o.lookupFor); err != nil {
		return fmt.Errorf("raw lookups: %w", err)
	}
	stopped = true
	return srv.stop()
}

// importStep imports the parcels file (untimed), then times importing the events file.
func importStep(ctx context.Context, o options, d *databases, in inputs, f *runFigures) error {
	inst, err := newInstance(ctx, o, d)
	if err != nil {
		return err
	}
	brand, _, err := inst.brandAdd(ctx, "Bench")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	want := map[string]map[tracking.Status]int{"parcels": {tracking.StatusAccepted: len(in.w.Parcels)}}
	if _, err := inst.importFile(ctx, brand, in.parcelFile, want); err != nil {
		return err
	}
	want = map[string]map[tracking.Status]int{"events": {tracking.StatusAccepted: len(in.w.Events)}}
	took, err := inst.importFile(ctx, brand, in.eventFile, want)
	if err != nil {
		return err
	}
	f.Import = float64(len(in.w.Events)) / took.Seconds()
	return nil
}
