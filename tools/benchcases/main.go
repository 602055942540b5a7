// Command benchcases measures the agent's case workspace over the kept benchmark corpus
// (tools/benchcorpus: 1,000,000 parcels and 200,000 cases, made once for the search
// benchmark): the case page GET /cases/{number} and each case view's first and a later page,
// on embedded SQLite and on PostgreSQL, with 1 and 8 clients, as an agent of every brand
// (one open case in a hundred assigned to it). Server time is the handler's own (Server-Timing); the round trip on loopback is shown
// beside it. The baseline, measured in the same run on the same database, is a raw point SELECT
// of a case row by its number through database/sql.
//
//	go run ./tools/benchcases -bin bin/wismo -out BENCHMARKS.md [-parcels 1000000] [-cases 200000] [-requests 200]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wismo/wismo/tools/benchcorpus"
	"github.com/wismo/wismo/tools/benchmd"
)

// options are the command's flags.
type options struct {
	bin, out, pgAdmin, workDir string
	parcels, cases, requests   int
	seed                       int64
	clients                    []int
	limit                      time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/wismo", "the wismo binary (make build)")
	flag.StringVar(&o.out, "out", "", "markdown file whose cases section is rewritten (empty: stdout only)")
	flag.IntVar(&o.parcels, "parcels", 1_000_000, "parcels in the corpus")
	flag.IntVar(&o.cases, "cases", 200_000, "cases in the corpus")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the corpus and of the sample")
	flag.IntVar(&o.requests, "requests", 200, "requests per kind (each run with 1 and with 8 clients)")
	flag.DurationVar(&o.limit, "limit", 60*time.Second, "time limit of one kind and client count")
	flag.StringVar(&o.workDir, "work-dir", "tools/bench-out", "where the SQLite corpus lives")
	admin := benchmd.PGAdmin()
	flag.StringVar(&o.pgAdmin, "pg-admin", admin, "PostgreSQL server of the corpus database ($PG_ADMIN_URL)")
	flag.Parse()
	o.clients = []int{1, 8}
	if o.requests < 10 {
		fmt.Fprintln(os.Stderr, "benchcases: -requests >= 10 please")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcases:", err)
		os.Exit(1)
	}
}

var began = time.Now()

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchcases: %s: %s\n", time.Since(began).Round(time.Second), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) error {
	if err := os.MkdirAll(o.workDir, 0o755); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rep := &report{opts: o, began: time.Now(), machine: benchmd.ThisMachine(ctx)}
	c, err := benchcorpus.Open(ctx, benchcorpus.Options{Bin: o.bin, PGAdmin: o.pgAdmin, WorkDir: o.workDir,
		Parcels: o.parcels, Cases: o.cases, Seed: o.seed}, log, step)
	if err != nil {
		return err
	}
	defer c.Close()
	rep.corpus = c.Info
	sample, err := sampleCases(ctx, c.PG, o)
	if err != nil {
		return err
	}
	for _, db := range []struct {
		name, url string
		c         *benchcorpus.Corpus
		lite      bool
	}{{"SQLite (embedded)", "sqlite:" + c.Info.SQLitePath, c, true}, {"PostgreSQL", c.PGURL, c, false}} {
		res, err := measureDB(ctx, o, db.name, db.url, db.lite, c, sample)
		if err != nil {
			return fmt.Errorf("%s: %w", db.name, err)
		}
		rep.dbs = append(rep.dbs, res)
	}
	rep.took = time.Since(rep.began)
	section := rep.markdown()
	fmt.Println(section)
	if o.out != "" {
		return benchmd.WriteSection(o.out, "cases", section)
	}
	return nil
}
