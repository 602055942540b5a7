// Command benchcomms measures brand communications on SQLite and PostgreSQL, each figure
// beside a baseline measured in the same run:
//
//   - contacts planned per second: the rules pipeline (outbox -> rules -> dialer.Plan) and
//     dialer.Plan alone, beside a raw batched INSERT of the same contact rows;
//   - due contacts claimed and dispatched per second through the log channel (claim in one
//     transaction, send, record), beside a raw claim loop (SELECT ... LIMIT, UPDATE) that does
//     only the database work;
//   - SMS submitted per second to the Perl SMSC (tools/smsc.pl): through the whole dialer, through
//     wismo's SMPP client with its window and with a window of 1, beside a minimal pipelined
//     client with the same window.
//
// It writes a markdown table into the comms section of BENCHMARKS.md.
//
//	go run ./tools/benchcomms -out BENCHMARKS.md [-contacts 20000] [-sms 5000] [-runs 3] [-dialects sqlite,postgres]
//
// `make bench` runs it through tools/bench.sh. Every server it starts listens on 127.0.0.1 and
// every loop is bounded in count and time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
)

type options struct {
	out      string
	contacts int
	sms      int
	runs     int
	window   int
	dialects []store.Dialect
	adminURL string
}

func main() {
	var o options
	var dialects string
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "markdown file whose comms section is rewritten")
	flag.IntVar(&o.contacts, "contacts", 20000, "contacts planned and dispatched per run")
	flag.IntVar(&o.sms, "sms", 5000, "SMS submitted to the SMSC per run")
	flag.IntVar(&o.runs, "runs", 3, "runs per figure; medians are reported")
	flag.IntVar(&o.window, "window", 10, "SMPP send window")
	flag.StringVar(&dialects, "dialects", "sqlite,postgres", "databases to measure")
	flag.Parse()
	o.adminURL = benchmd.PGAdmin()
	for _, d := range strings.Split(dialects, ",") {
		o.dialects = append(o.dialects, store.Dialect(strings.TrimSpace(d)))
	}
	if o.contacts < 100 || o.sms < 100 || o.runs < 1 || o.window < 1 {
		fmt.Fprintln(os.Stderr, "benchcomms: -contacts and -sms at least 100, -runs and -window at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Hour) // bounded whatever happens
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "benchcomms:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	r := report{opts: o, began: time.Now()}
	for _, d := range o.dialects {
		dr := dialectResult{dialect: d}
		for i := range o.runs {
			fmt.Fprintf(os.Stderr, "benchcomms: %s run %d/%d (%d contacts)\n", d, i+1, o.runs, o.contacts)
			f, version, err := dbRun(ctx, o, d)
			if err != nil {
				return fmt.Errorf("%s: %w", d, err)
			}
			dr.version = version
			dr.runs = append(dr.runs, f)
		}
		r.dialects = append(r.dialects, dr)
	}
	for i := range o.runs {
		fmt.Fprintf(os.Stderr, "benchcomms: SMPP run %d/%d (%d SMS, window %d)\n", i+1, o.runs, o.sms, o.window)
		f, err := smppRun(ctx, o)
		if err != nil {
			return fmt.Errorf("smpp: %w", err)
		}
		r.smpp = append(r.smpp, f)
	}
	r.took = time.Since(r.began)
	section := r.section()
	fmt.Print(section)
	return benchmd.WriteSection(o.out, "comms", section)
}
