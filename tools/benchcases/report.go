package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wismo/wismo/tools/benchcorpus"
	"github.com/wismo/wismo/tools/benchmd"
)

// report is everything the markdown section shows.
type report struct {
	opts    options
	began   time.Time
	took    time.Duration
	machine benchmd.Machine
	corpus  benchcorpus.Info
	dbs     []dbResult
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// The goals at 8 clients, reported beside the figures (not a pass/fail of the run).
const (
	pageGoal = 50 * time.Millisecond
	viewGoal = 100 * time.Millisecond
)

// markdown renders the section, between its markers.
func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("<!-- cases:begin -->\n## The case workspace: case page and case views\n\n")
	fmt.Fprintf(&b, "Command: `make bench` (runs `tools/bench.sh`); this section was written by\n`go run ./tools/benchcases %s`.\n\n",
		strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&b, "- Date: %s (whole run: %s)\n", r.began.UTC().Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s CPUs, %s, %s, revision %s; shared with other work (figures are noisy); client and server on the same cores\n",
		r.machine.NProc, r.machine.CPU, r.machine.GoVersion, r.machine.Revision)
	fmt.Fprintf(&b, "- Corpus: the search benchmark's kept corpus (tools/benchcorpus), %d parcels and %d cases in `%s` and its SQLite copy; PostgreSQL %s, SQLite %s\n",
		r.corpus.Parcels, r.corpus.Cases, r.corpus.PGDB, r.corpus.PGVersion, r.corpus.SQLiteVersion)
	fmt.Fprintf(&b, "- Requests: %d per kind as an agent of every brand with one open case in a hundred assigned, once with 1 client, then spread over 8; `wismo serve` with no background jobs. "+
		"Server time is the handler's own (`Server-Timing`), the round trip is on loopback. The case page asks for %d different cases; each view asks for the same page %d times. "+
		"Baseline: a raw point SELECT of the case row by its number through database/sql on the same database in the same run.\n",
		r.opts.requests, r.opts.requests, r.opts.requests)
	fmt.Fprintf(&b, "- Goals (issue 15) at 8 clients: case page p99 under %s, views p99 under %s (server time).\n\n", pageGoal, viewGoal)
	for _, db := range r.dbs {
		fmt.Fprintf(&b, "### %s\n\n", db.name)
		b.WriteString("| Request | Clients | p50 server ms | p99 server ms | p50 round trip ms | p99 round trip ms | Errors | Goal at 8 clients |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|\n")
		for _, k := range append(db.kinds, db.baseline) {
			for _, c := range r.opts.clients {
				goal := ""
				if c == 8 && k.kind != db.baseline.kind {
					limit := viewGoal
					if k.kind == "Case page" {
						limit = pageGoal
					}
					switch p99 := pct(k.server[c], 99); {
					case len(k.server[c]) == 0:
						goal = "no answers"
					case p99 <= limit:
						goal = "met (< " + limit.String() + ")"
					default:
						goal = "**missed** (> " + limit.String() + ")"
					}
				}
				errs := fmt.Sprint(k.errors[c])
				if k.cut[c] {
					errs += " (cut by the time limit)"
				}
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", k.kind, c, ms(pct(k.server[c], 50)), ms(pct(k.server[c], 99)),
					ms(pct(k.trip[c], 50)), ms(pct(k.trip[c], 99)), errs, goal)
			}
		}
		for _, k := range append(db.kinds, db.baseline) {
			if k.firstErr != "" {
				fmt.Fprintf(&b, "\nFirst error of %q: `%s`\n", k.kind, k.firstErr)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("<!-- cases:end -->\n")
	return b.String()
}
