package main

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/tools/benchmd"
)

// The goals of the tracking page against the hello-world ceiling.
const (
	goalShare  = 25.0 // percent of the hello-world rate
	goalP99    = 10 * time.Millisecond
	defaultTTL = "10m" // WISMO_TRACK_CACHE's default
)

type report struct {
	opts         options
	began        time.Time
	took         time.Duration
	corpus       *corpus
	machine      machine
	hello, track []result
	bare         []result // the page without the node's page cache
	hitShare     float64  // share of the cached rounds' views served from the page cache, %
}

type machine struct{ nproc, goVersion, cpu, revision, wrk string }

func machineInfo(ctx context.Context) machine {
	b := benchmd.ThisMachine(ctx)
	m := machine{nproc: b.NProc, goVersion: b.GoVersion, cpu: b.CPU, revision: b.Revision, wrk: "wrk"}
	if out, _ := exec.CommandContext(ctx, "wrk", "--version").CombinedOutput(); len(out) > 0 {
		m.wrk = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
		m.wrk, _, _ = strings.Cut(m.wrk, " Copyright")
	}
	return m
}

// median of xs by get (the lower middle for an even count: no invented values).
func median(xs []result, get func(result) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = get(x)
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

func ms(us float64) string { return fmt.Sprintf("%.2f ms", us/1000) }

func metOrNot(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func (r report) markdown() string {
	o := r.opts
	hRPS, tRPS := median(r.hello, result.rps), median(r.track, result.rps)
	hP99 := median(r.hello, func(x result) float64 { return float64(x.P99US) })
	tP99 := median(r.track, func(x result) float64 { return float64(x.P99US) })
	tP50 := median(r.track, func(x result) float64 { return float64(x.P50US) })
	hP50 := median(r.hello, func(x result) float64 { return float64(x.P50US) })
	share := 100 * tRPS / hRPS
	var errs int64
	for _, x := range append(append(slices.Clone(r.hello), r.track...), r.bare...) {
		errs += x.errors()
	}
	var b strings.Builder
	title := "## Public tracking page: requests per second and p99"
	if r.corpus.branded > 0 {
		title += ", every brand in its look"
	}
	fmt.Fprintf(&b, "<!-- %s:begin -->\n%s\n\n", o.section, title)
	fmt.Fprintf(&b, "`GET /track/{id}` of `wismo serve` (embedded SQLite, every middleware; a view is either served from the node's page "+
		"cache or reads the parcel, events, communications and requests and renders the template) over **%d demo parcels**, requests spread over %d randomly chosen parcels, "+
		"beside fiber's hello-world handler (`c.SendString`, default config, its own process) as the ceiling, both driven by "+
		"wrk on loopback in the same run, alternating, %d round(s) of %s each after a %s warm-up; medians.\n\n",
		r.corpus.parcels, len(r.corpus.ids), o.runs, o.duration, o.warmup)
	if r.corpus.branded > 0 {
		fmt.Fprintf(&b, "Branding on: each of the corpus's %d brands has a look (logo, header and link colours as a stylesheet, hotline, shop link, "+
			"footer, its own words for a delivery; `-branding`, as `make run`'s first demo brand), so every page measured links its brand's stylesheet and logo "+
			"and reads the brand's look when it is rendered.\n\n", r.corpus.branded)
	}
	b.WriteString("| | requests/s | p50 | p99 | rounds (req/s) |\n|---|---:|---:|---:|---|\n")
	fmt.Fprintf(&b, "| fiber hello-world (ceiling) | %.0f | %s | %s | %s |\n", hRPS, ms(hP50), ms(hP99), rounds(r.hello))
	fmt.Fprintf(&b, "| tracking page (node page cache %s, as shipped) | %.0f | %s | %s | %s |\n", defaultTTL, tRPS, ms(tP50), ms(tP99), rounds(r.track))
	if len(r.bare) > 0 {
		fmt.Fprintf(&b, "| tracking page rendered for every view (`WISMO_TRACK_CACHE=0`) | %.0f | %s | %s | %s |\n",
			median(r.bare, result.rps), ms(median(r.bare, func(x result) float64 { return float64(x.P50US) })),
			ms(median(r.bare, func(x result) float64 { return float64(x.P99US) })), rounds(r.bare))
	}
	fmt.Fprintf(&b, "\n- Tracking page at **%.1f%%** of the ceiling: goal ≥ %.0f%% %s.\n", share, goalShare, metOrNot(share >= goalShare))
	fmt.Fprintf(&b, "- Tracking page p99 **%s**: goal < %s %s.\n", ms(tP99), ms(float64(goalP99/time.Microsecond)), metOrNot(tP99 < float64(goalP99/time.Microsecond)))
	fmt.Fprintf(&b, "- Views served from the page cache in the cached rounds: %.1f%% (each of the %d parcels is asked for about "+
		"every %.1f s at this rate; a page is kept %s unless its parcel changes).\n", r.hitShare, len(r.corpus.ids), float64(len(r.corpus.ids))/tRPS, defaultTTL)
	if len(r.bare) > 0 {
		bRPS := median(r.bare, result.rps)
		fmt.Fprintf(&b, "- Rendered for every view: **%.1f%%** of the ceiling, p99 %s.\n", 100*bRPS/hRPS,
			ms(median(r.bare, func(x result) float64 { return float64(x.P99US) })))
	}
	fmt.Fprintf(&b, "- Socket errors and non-2xx answers over all runs: %d.\n", errs)
	if o.parcels < 1_000_000 {
		fmt.Fprintf(&b, "- **A smaller corpus than the goal's 1,000,000 parcels** (a quick run): rerun with the default `-parcels`.\n")
	}
	gen := "reused from an earlier run"
	if r.corpus.generated {
		gen = "generated in this run"
	}
	fmt.Fprintf(&b, "\nCorpus: `wismo demo --parcels %d --seed %d` into SQLite (%s, %s, %.0f MB). The rules' outbox cursor is set to "+
		"the head first, so the node is measured settled rather than replaying the demo's backlog.\n\n", o.parcels, o.seed, gen,
		r.corpus.genTook.Round(time.Second), float64(r.corpus.sizeBytes)/(1<<20))
	extra := ""
	if o.section != "track" {
		extra = " -section " + o.section
	}
	fmt.Fprintf(&b, "Command: `go run ./tools/benchtrack -bin %s -parcels %d -runs %d -duration %s -c %d -t %d%s` (in `make bench`: 1,000,000 parcels); "+
		"each run is `%s`.\n\n", o.bin, o.parcels, o.runs, o.duration, o.connections, o.threads, extra,
		wrkCommand(o, "track.lua", "http://127.0.0.1:PORT"))
	fmt.Fprintf(&b, "Machine: %s CPU(s), %s; %s; %s; revision %s. Date: %s (took %s). The machine is shared and "+
		"wrk runs on the same cores as the server: compare the ratio more than the absolute figures.\n",
		r.machine.nproc, r.machine.cpu, r.machine.goVersion, r.machine.wrk, r.machine.revision,
		r.began.UTC().Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	b.WriteString(whereTheTimeGoes)
	fmt.Fprintf(&b, "\n<!-- %s:end -->\n", o.section)
	return b.String()
}

func rounds(xs []result) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", x.rps())
	}
	return strings.Join(parts, ", ")
}

// whereTheTimeGoes is what a CPU profile of the server under this load showed (pprof via
// WISMO_DEBUG_ADDR, 100,000 parcels, 2026-11-21); rerun it after changing the page.
const whereTheTimeGoes = `
Where the time goes (CPU profiles at 100,000 parcels: of ` + "`wismo serve`" + ` under this load, and of the handler in-process): reading the
parcel and its events (` + "`tracking.Service.Parcel`" + `, two queries) about 45% of the handler, rendering the
page with html/template about 40% (reflection for each action and escaper; the forms are most
of the actions), the customer's requests about 12% and the communications (one query each for
contacts and calls) about 6%; SQLite statement preparation is about 15% of all of it. The first
profile found the requests list walking every case of the brand (` + "`CaseService.List`" + ` by parcel: the
planner took the brand's index, 0.7 ms per page at 10,000 cases and growing with the brand);
the page now reads them starting from ` + "`case_parcels`" + ` (20 µs). A quarter of a hello-world's rate
leaves about 50 µs per page on this machine: not reachable with per-request SQLite reads and
template rendering, hence the node's page cache: a page is rendered once and kept until the
outbox names its parcel (scans, cases, and every contact status change and call, written by
database triggers), at most WISMO_TRACK_CACHE (10m); a kept page costs a map lookup and the
visitor's form token put in. p99 is measured at saturation (32 connections): it is mostly
queueing.
`
