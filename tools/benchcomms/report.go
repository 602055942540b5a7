package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
)

// Markers delimit the section this program owns in BENCHMARKS.md.
const (
	beginMarker = "<!-- comms:begin -->"
	endMarker   = "<!-- comms:end -->"
)

type dialectResult struct {
	dialect store.Dialect
	version string
	runs    []dbFigures
}

type report struct {
	opts     options
	began    time.Time
	took     time.Duration
	dialects []dialectResult
	smpp     []smppFigures
}

func median(xs []float64) float64 { return benchmd.Median(xs) }

func rate(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// figure is the median of one measurement over the runs, with every run shown.
func figure[T any](runs []T, get func(T) float64) (float64, string) {
	var xs []float64
	var parts []string
	for _, r := range runs {
		xs = append(xs, get(r))
		parts = append(parts, rate(get(r)))
	}
	return median(xs), strings.Join(parts, " / ")
}

func (r report) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| Where | Figure | Median of %d run(s) | Baseline (same run) | Ratio | Each run |\n|---|---|---|---|---|---|\n", r.opts.runs)
	row := func(where, what string, w float64, wRuns string, base float64, baseName string) {
		fmt.Fprintf(&b, "| %s | %s | %s /s | %s: %s /s | **%.1f%%** | %s |\n", where, what, rate(w), baseName, rate(base), 100*w/base, wRuns)
	}
	for _, d := range r.dialects {
		name := "SQLite"
		if d.dialect == store.Postgres {
			name = "PostgreSQL"
		}
		raw, _ := figure(d.runs, func(f dbFigures) float64 { return f.RawInsert })
		rules, rulesRuns := figure(d.runs, func(f dbFigures) float64 { return f.Rules })
		plan, planRuns := figure(d.runs, func(f dbFigures) float64 { return f.Plan })
		disp, dispRuns := figure(d.runs, func(f dbFigures) float64 { return f.Dispatch })
		rawClaim, _ := figure(d.runs, func(f dbFigures) float64 { return f.RawClaim })
		row(name, "contacts planned by the rules (fresh EDD in the outbox → rules → SMS planned)", rules, rulesRuns, raw, "raw INSERT of contact rows")
		row(name, "contacts planned by `dialer.Plan` (windows, opt-outs, encoding), 200 a transaction", plan, planRuns, raw, "raw INSERT of contact rows")
		row(name, "due contacts claimed and dispatched (log channel, results recorded)", disp, dispRuns, rawClaim, "raw claim loop (SELECT … LIMIT, UPDATE ×2)")
	}
	raw, _ := figure(r.smpp, func(f smppFigures) float64 { return f.Raw })
	client, clientRuns := figure(r.smpp, func(f smppFigures) float64 { return f.Client })
	w1, w1Runs := figure(r.smpp, func(f smppFigures) float64 { return f.Window1 })
	dl, dlRuns := figure(r.smpp, func(f smppFigures) float64 { return f.Dialer })
	base := fmt.Sprintf("minimal client, window %d", r.opts.window)
	row("SMPP", fmt.Sprintf("SMS through the dialer (SQLite: claim, submit, record; receipts coming back), window %d", r.opts.window), dl, dlRuns, raw, base)
	row("SMPP", fmt.Sprintf("SMS through wismo's SMPP client, window %d", r.opts.window), client, clientRuns, raw, base)
	row("SMPP", "SMS through wismo's SMPP client, window 1 (no windowing)", w1, w1Runs, raw, base)
	return b.String()
}

func (r report) section() string {
	var b strings.Builder
	b.WriteString(beginMarker + "\n## Communications: planning, dispatching, SMPP\n\n")
	fmt.Fprintf(&b, "Command: `make bench` (runs `tools/bench.sh`); this section was written by\n`go run ./tools/benchcomms %s`.\n\n",
		strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&b, "- Date: %s (whole run: %s)\n", r.began.UTC().Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	m := benchmd.ThisMachine(context.Background())
	fmt.Fprintf(&b, "- Machine: %s CPUs, %s; %s\n", m.NProc, m.CPU, m.GoVersion)
	for _, d := range r.dialects {
		fmt.Fprintf(&b, "- %s\n", d.version)
	}
	fmt.Fprintf(&b, "- Workload: %s parcels to English-speaking recipients in Russia's eleven zones, one fresh EDD scan each "+
		"(the standard flow plans one SMS per scan); %s SMS per SMPP figure into `tools/smsc.pl` (Perl Net::SMPP, "+
		"one connection, receipts on); %d run(s), fresh databases and a fresh SMSC each; medians.\n\n",
		rate(float64(r.opts.contacts)), rate(float64(r.opts.sms)), r.opts.runs)
	b.WriteString("The baselines do the same database or wire work with nothing of wismo's around it: the raw INSERT writes " +
		"the same contact rows in 200-row transactions; the raw claim selects due ids (FOR UPDATE SKIP LOCKED on PostgreSQL), " +
		"marks them sending and then sent, with no windows, opt-outs, log rows or sending; the minimal SMPP client keeps " +
		"the same window of submit_sm in flight on one connection and answers receipts. The SMSC is single-threaded Perl, " +
		"so the SMPP figures are bounded by it: the ratio says how much of the peer's capacity wismo uses.\n\n")
	b.WriteString(r.table())
	b.WriteString("\n" + endMarker + "\n")
	return b.String()
}
