package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
)

// Markers delimit the section this program owns in BENCHMARKS.md.
const (
	// Each feed order keeps a section of its own: time order (the headline) and parcel order.
	beginMarker = "<!-- %s:begin -->"
	endMarker   = "<!-- %s:end -->"
	goal        = 25.0 // percent of the raw insert rate
)

// machine describes where the figures were taken.
type machine struct{ nproc, goVersion, cpu, revision string }

func machineInfo(ctx context.Context) machine {
	b := benchmd.ThisMachine(ctx)
	m := machine{nproc: b.NProc, goVersion: b.GoVersion, cpu: b.CPU, revision: b.Revision}
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	return m
}

// report is everything the markdown section shows.
type report struct {
	opts            options
	began           time.Time
	took            time.Duration
	events, parcels int
	results         []dialectResult
	machine         machine
}

func median(xs []float64) float64 { return benchmd.Median(xs) }

func medianOf(runs []runFigures, get func(runFigures) float64) (float64, []float64) {
	var xs []float64
	for _, r := range runs {
		xs = append(xs, get(r))
	}
	return median(xs), xs
}

// rate formats a per-second rate with thousands separators.
func rate(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func allRuns(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, rate(x))
	}
	return strings.Join(parts, " / ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func dialectName(d store.Dialect) string {
	if d == store.Postgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// table renders the figures: medians over the runs, each beside its raw baseline.
func (r report) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| Dialect | Figure | Median of %d run(s) | Each run |\n|---|---|---|---|\n", r.opts.runs)
	for _, d := range r.results {
		name := dialectName(d.Dialect)
		raw, rawRuns := medianOf(d.Runs, func(f runFigures) float64 { return f.Raw })
		raw1, raw1Runs := medianOf(d.Runs, func(f runFigures) float64 { return f.Raw1 })
		api, apiRuns := medianOf(d.Runs, func(f runFigures) float64 { return f.API })
		imp, impRuns := medianOf(d.Runs, func(f runFigures) float64 { return f.Import })
		par, parRuns := medianOf(d.Runs, func(f runFigures) float64 { return f.Parcels })
		get, getRuns := medianOf(d.Runs, func(f runFigures) float64 { return f.HTTP.PerSec })
		sel, _ := medianOf(d.Runs, func(f runFigures) float64 { return f.SQL.PerSec })
		p50, _ := medianOf(d.Runs, func(f runFigures) float64 { return float64(f.HTTP.P50) })
		p99, _ := medianOf(d.Runs, func(f runFigures) float64 { return float64(f.HTTP.P99) })
		sp50, _ := medianOf(d.Runs, func(f runFigures) float64 { return float64(f.SQL.P50) })
		sp99, _ := medianOf(d.Runs, func(f runFigures) float64 { return float64(f.SQL.P99) })
		row := func(fig, cell string, runs []float64) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, fig, cell, allRuns(runs))
		}
		vs := func(w, base float64, unit string) string {
			return fmt.Sprintf("wismo %s %s vs raw %s %s = **%.1f%%** of raw", rate(w), unit, rate(base), unit, 100*w/base)
		}
		row(fmt.Sprintf("events, batch API (%d HTTP clients, %d per POST)", r.opts.clients, r.opts.batch), vs(api, raw, "events/s"), apiRuns)
		row("events, file import (`wismo import`, 1 process, `--writers` default: 4 on PostgreSQL, 1 on SQLite; process start included)", vs(imp, raw, "events/s")+
			fmt.Sprintf("; vs raw with 1 writer %s events/s = %.1f%%", rate(raw1), 100*imp/raw1), impRuns)
		fmt.Fprintf(&b, "| %s | raw INSERT baseline (%d writers; 1 writer) | %s events/s; %s events/s | %s; %s |\n", name, r.opts.clients,
			rate(raw), rate(raw1), allRuns(rawRuns), allRuns(raw1Runs))
		row(fmt.Sprintf("parcels, batch API (%d HTTP clients; no raw baseline)", r.opts.clients), rate(par)+" parcels/s", parRuns)
		row(fmt.Sprintf("lookups: GET /api/v1/parcels/{id} vs point SELECT (%d clients, %s)", r.opts.lookupClients, r.opts.lookupFor),
			fmt.Sprintf("wismo %s req/s (p50 %s, p99 %s) vs raw %s queries/s (p50 %s, p99 %s) = **%.1f%%** of raw",
				rate(get), ms(time.Duration(p50)), ms(time.Duration(p99)), rate(sel), ms(time.Duration(sp50)), ms(time.Duration(sp99)), 100*get/sel), getRuns)
	}
	return b.String()
}

// verdicts says per dialect whether ingest reaches the goal.
func (r report) verdicts() string {
	var b strings.Builder
	for _, d := range r.results {
		raw, _ := medianOf(d.Runs, func(f runFigures) float64 { return f.Raw })
		api, _ := medianOf(d.Runs, func(f runFigures) float64 { return f.API })
		imp, _ := medianOf(d.Runs, func(f runFigures) float64 { return f.Import })
		pa, pi := 100*api/raw, 100*imp/raw
		var verdict string
		switch {
		case pa >= goal && pi >= goal:
			verdict = "the goal is **met**"
		case pa >= goal || pi >= goal:
			verdict = "the goal is **met only in part**"
		default:
			verdict = "the goal is **not met**"
		}
		fmt.Fprintf(&b, "- %s: %s — batch API ingest reaches %.1f%% and file import %.1f%% of the raw insert rate (goal: at least %.0f%%).\n",
			dialectName(d.Dialect), verdict, pa, pi, goal)
	}
	return b.String()
}

// name is the section's marker name.
func (r report) name() string {
	if r.opts.order == "parcel" {
		return "ingest-by-parcel"
	}
	return "ingest"
}

// section renders the whole ingest section, markers included.
func (r report) section() string {
	var b strings.Builder
	title := "Ingest and parcel lookups (events in time order)"
	if r.opts.order == "parcel" {
		title = "Ingest and parcel lookups (events parcel by parcel)"
	}
	b.WriteString(fmt.Sprintf(beginMarker, r.name()) + "\n## " + title + "\n\n")
	args := strings.Join(os.Args[1:], " ")
	fmt.Fprintf(&b, "Command: `make bench` (runs `tools/bench.sh`); this section was written by\n`go run ./tools/benchingest %s`.\n\n", args)
	fmt.Fprintf(&b, "- Date: %s (whole run: %s)\n", r.began.UTC().Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s CPUs (nproc), %s; %s\n", r.machine.nproc, r.machine.cpu, r.machine.goVersion)
	fmt.Fprintf(&b, "- wismo: `%s`, built from commit %s\n", r.opts.binArg, r.machine.revision)
	for _, d := range r.results {
		fmt.Fprintf(&b, "- %s: %s\n", dialectName(d.Dialect), d.Version)
	}
	order := "in time order (as a post's feed delivers them, so a batch touches about as many parcels as it has events)"
	if r.opts.order == "parcel" {
		order = "parcel by parcel (each parcel's eight events together)"
	}
	fmt.Fprintf(&b, "- Workload: %s parcels (GB/DE/CN to RU, Russian mobiles, five regions), 8 events each "+
		"(EMA EMB EMC EMD EDD EMG EDG EMI) = %s events, sent %s in batches of %d; %d run(s) per dialect, "+
		"each on fresh databases; medians reported.\n\n",
		rate(float64(r.parcels)), rate(float64(r.events)), order, r.opts.batch, r.opts.runs)
	b.WriteString("What is measured:\n\n" +
		"- **raw**: the same event rows (`INSERT INTO events (" + rawEventCols + ") VALUES (...),(...)`) into a freshly " +
		"migrated wismo schema, events only, one transaction per batch of " + fmt.Sprint(r.opts.batch) + " rows (`BEGIN IMMEDIATE` on SQLite), " +
		fmt.Sprintf("from %d writers (and from 1 writer, beside the single-process import). ", r.opts.clients) +
		fmt.Sprintf("PostgreSQL gets one %d-row statement per transaction, measured two ways on fresh databases — multi-row VALUES and "+
			"`INSERT ... SELECT * FROM unnest($1::text[], ...)` with one array per column, as wismo writes — and the faster counts; SQLite gets %d-row statements prepared once per transaction, "+
			"because its driver (glebarez/go-sqlite) binds parameters in quadratic time and a single %s-parameter statement "+
			"would make the baseline several times slower than SQLite really is.\n", r.opts.batch, r.opts.sqliteRows, rate(float64(12*r.opts.batch))) +
		"- **batch API**: `POST /api/v1/events` to `wismo serve` over keep-alive loopback HTTP, after the parcels were posted; " +
		"wismo's figure includes everything its ingest does: validation, dedup lookup, parcel phase update, outbox rows. " +
		"Every item must come back `accepted`. " +
		fmt.Sprintf("The server runs with `WISMO_JOBS=%s`%s.\n", r.opts.jobs, map[bool]string{true: " (every background job, the outbox consumers too, runs beside the ingest)", false: ""}[r.opts.jobs == "all"]) +
		"- **file import**: `wismo import --brand ID events.ndjson` (NDJSON, after the parcels file; `--writers` left at its default: 4 transactions in flight on PostgreSQL, 1 on SQLite), timed from process start to exit.\n" +
		"- **lookups**: `GET /api/v1/parcels/{id}` (auth, parcel and its 8 events, JSON) for random ids, beside an in-process " +
		"prepared `SELECT <all columns> FROM parcels WHERE id = ?`, on the database the batch API filled.\n\n")
	b.WriteString(r.table())
	b.WriteString("\n" + r.verdicts() + "\n" + fmt.Sprintf(endMarker, r.name()) + "\n")
	return b.String()
}
