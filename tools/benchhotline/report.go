package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/tools/benchmd"
)

type report struct {
	opts            options
	corpus          *corpus
	cold            stepResult
	synthRuns       int
	wismo, baseline []stepResult
	took            time.Duration
}

// best is the highest level that passed and the first that failed (0: none).
func best(rs []stepResult) (passed, failed int) {
	for _, r := range rs {
		if !r.ok {
			return passed, r.level
		}
		passed = r.level
	}
	return passed, 0
}

func (rep report) write(ctx context.Context) error {
	m := benchmd.ThisMachine(ctx)
	begin, end := benchmd.Markers("hotline")
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n## Hotline self-service: concurrent callers hearing their parcel's status\n\n", begin)
	b.WriteString("Command: `make bench` (runs `tools/bench.sh`); this section was written by `go run ./tools/benchhotline -out BENCHMARKS.md`.\n\n")
	fmt.Fprintf(&b, "- Date: %s (whole run: %s); machine: %s CPUs (%s), %s, revision %s; shared with other work, one run each\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), rep.took.Round(time.Second), m.NProc, m.CPU, m.GoVersion, m.Revision)
	made := "reused from an earlier run"
	if rep.corpus.generated {
		made = "made in this run"
	}
	fmt.Fprintf(&b, "- Database: SQLite (the embedded default) with %d parcels: `wismo demo --parcels %d` copied under new S10 ids with their events (%s, %s); the callers key %d different parcels of one brand\n",
		rep.corpus.parcels, rep.opts.seedParcels, made, rep.corpus.took.Round(time.Second), len(rep.corpus.ids))
	fmt.Fprintf(&b, "- Each call (SIPp 3.6, `tools/benchhotline/scenarios/hotline_uac.xml`): INVITE to the hotline, RTP from the caller all call long, after 1 s the tracking number's nine digits and # as SIP INFO (one every 150 ms), then it listens %s plus the step's ramp-up and hangs up; new calls at %d/s, so every call of a step is up at once\n",
		rep.opts.listen, rep.opts.rate)
	b.WriteString("- wismo: `wismo serve` answers, greets, takes the keys, finds the parcel (index `parcels_serial`), reads it as the tracking page does and speaks its status from cached fragments; a call counts only when wismo's call log says its caller heard the status (`calls.ivr_answer`)\n")
	b.WriteString("- The overall keyed-lookup throttle is raised for the run (`WISMO_HOTLINE_LOOKUPS=1000000`; by default 6,000 a minute, which at these rates answers \"too many tracking numbers\"); each caller keys once from a number of its own, inside the per-number limit; the node runs its SIP job only (`WISMO_JOBS=sip`), so the other jobs' first passes over the corpus are not measured with the calls\n")
	b.WriteString("- Baseline: SIPp calling SIPp on the same scenario (`hotline_uas.xml`: answers, streams audio all call long, answers the ten INFOs, takes the BYE), the same ladder\n\n")
	wp, wf := best(rep.wismo)
	bp, bf := best(rep.baseline)
	ratio := "-"
	if bp > 0 {
		ratio = fmt.Sprintf("%.0f%%", 100*float64(wp)/float64(bp))
	}
	b.WriteString("| Figure | SIPp -> wismo | SIPp -> SIPp (baseline) | wismo / baseline |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| most concurrent self-service calls with zero failed (warm cache) | %d | %d | %s |\n", wp, bp, ratio)
	fmt.Fprintf(&b, "| first step that lost a call | %s | %s | |\n", stepName(wf), stepName(bf))
	if w, s := cpuPerCall(rep.wismo, wp), cpuPerCall(rep.baseline, wp); w > 0 && s > 0 {
		fmt.Fprintf(&b, "| server CPU per call at %d calls (wismo serve; SIPp's UAS) | %s | %s | %.0f%% |\n", wp, w.Round(time.Microsecond), s.Round(time.Microsecond), 100*float64(w)/float64(s))
	}
	fmt.Fprintf(&b, "\nCold cache: the first step (%d calls) ran on a node whose synthesiser cache was empty: %s, %d callers heard the status, espeak-ng ran %d times (the fragments it cached); the ladder after it ran warm.\n\n",
		rep.cold.level, passFail(rep.cold), rep.cold.served, rep.synthRuns)
	b.WriteString("| Concurrent calls | wismo | baseline |\n|---|---|---|\n")
	for i, r := range rep.wismo {
		base := "-"
		if i < len(rep.baseline) {
			base = passFail(rep.baseline[i])
		}
		fmt.Fprintf(&b, "| %d | %s | %s |\n", r.level, passFail(r), base)
	}
	for _, r := range rep.baseline[min(len(rep.wismo), len(rep.baseline)):] {
		fmt.Fprintf(&b, "| %d | - | %s |\n", r.level, passFail(r))
	}
	met := map[bool]string{true: "met", false: "not met"}
	fmt.Fprintf(&b, "\n- Goal: at least 500 concurrent: **%s** (%d); at least half of what SIPp holds: **%s** (%d of at least %d).\n",
		met[wp >= 500], wp, met[2*wp >= bp], wp, bp)
	largest := rep.opts.levels[len(rep.opts.levels)-1]
	if wf == 0 || bf == 0 {
		fmt.Fprintf(&b, "- A ladder that never failed stopped at its largest step (%d): that is a floor, not a ceiling (`-levels` goes higher).\n", largest)
	}
	for _, r := range append(append([]stepResult{}, rep.wismo...), rep.baseline...) {
		if !r.ok {
			fmt.Fprintf(&b, "- At %d: %s\n", r.level, r.failures)
		}
	}
	b.WriteString(end + "\n")
	return benchmd.WriteSection(rep.opts.out, "hotline", b.String())
}

func cpuPerCall(rs []stepResult, level int) time.Duration {
	for _, r := range rs {
		if r.level == level && r.ok {
			return r.cpu / time.Duration(level)
		}
	}
	return 0
}

func stepName(level int) string {
	if level == 0 {
		return "none"
	}
	return fmt.Sprint(level)
}

func passFail(r stepResult) string {
	if r.ok {
		return fmt.Sprintf("passed (%s)", r.wall.Round(time.Second))
	}
	return "failed"
}
