// Command benchamd measures wismo's answering-machine detector (package amd) beside the
// Asterisk AMD baseline (tools/amdbaseline, amd.conf's shipped defaults) on the same labelled
// greetings, generated in the run by tools/amdcorpus from a seed that was not used for tuning,
// and writes its section of BENCHMARKS.md.
//
//	go run ./tools/benchamd -out BENCHMARKS.md            # the bench
//	go run ./tools/benchamd -seed 77 -n 300 -v            # tuning: every miss, no file written
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/amd"
	"github.com/wismo/wismo/tools/amdbaseline"
	"github.com/wismo/wismo/tools/amdcorpus"
	"github.com/wismo/wismo/tools/benchmd"
)

// reportSeed is the bench's seed. Tuning used seeds 77 and 78 (docs/amd.md); never this one.
const reportSeed = 20261206

func main() {
	seed := flag.Uint64("seed", reportSeed, "random seed of the generated greetings")
	n := flag.Int("n", 400, "greetings (at least 300 for the report)")
	secs := flag.Float64("seconds", 6, "length of each greeting")
	out := flag.String("out", "", "BENCHMARKS.md to write the section into (empty: print only)")
	verbose := flag.Bool("v", false, "print every clip either detector got wrong")
	slow := flag.Int("slow", 0, "with -v, also print clips wismo took at least this many ms over")
	flag.Parse()
	if err := run(*seed, *n, *secs, *out, *verbose, *slow); err != nil {
		fmt.Fprintln(os.Stderr, "benchamd:", err)
		os.Exit(1)
	}
}

// tally is one detector's figures over the set.
type tally struct {
	correct, machineAsHuman, humanAsMachine, unsure int
	unsureHuman, unsureMachine                      int
	times                                           []int // decided_after_ms, every clip
}

func (t *tally) add(label, got string, ms int) {
	t.times = append(t.times, ms)
	switch {
	case got == label:
		t.correct++
	case got == "unsure":
		t.unsure++
		if label == "human" {
			t.unsureHuman++
		} else {
			t.unsureMachine++
		}
	case label == "machine":
		t.machineAsHuman++
	default:
		t.humanAsMachine++
	}
}

func (t *tally) errors() int { return t.machineAsHuman + t.humanAsMachine + t.unsure }

func pct(t []int, p float64) int {
	s := slices.Clone(t)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func baselineResult(s amdbaseline.Status) string {
	switch s {
	case amdbaseline.Human:
		return "human"
	case amdbaseline.Machine:
		return "machine"
	}
	return "unsure"
}

func run(seed uint64, n int, secs float64, out string, verbose bool, slow int) error {
	began := time.Now()
	g, err := amdcorpus.NewGenerator(secs)
	if err != nil {
		return err
	}
	defer g.Close()
	clips, err := g.Generate(context.Background(), seed, n)
	if err != nil {
		return err
	}
	var w, b tally
	humans := 0
	byKind := map[string][2]int{} // kind -> wismo correct, baseline correct
	count := map[string]int{}
	for _, c := range clips {
		if c.Label == "human" {
			humans++
		}
		d := amd.Classify(c.Samples)
		a := amdbaseline.Classify(amdbaseline.Defaults, c.Samples)
		w.add(c.Label, string(d.Result), d.DecidedAfterMs)
		b.add(c.Label, baselineResult(a.Status), a.TotalMs)
		k := byKind[c.Kind]
		if string(d.Result) == c.Label {
			k[0]++
		}
		if baselineResult(a.Status) == c.Label {
			k[1]++
		}
		byKind[c.Kind] = k
		count[c.Kind]++
		if verbose && (string(d.Result) != c.Label || baselineResult(a.Status) != c.Label || (slow > 0 && d.DecidedAfterMs >= slow)) {
			fmt.Printf("%-28s %-7s wismo %-7s %-22s %5d  asterisk %-7s %-14s %5d  %s %d %q\n", c.Name, c.Label,
				d.Result, d.Cause, d.DecidedAfterMs, a.Status, a.Cause, a.TotalMs, c.Voice, c.Speed, c.Text)
		}
	}
	section := report(seed, n, secs, humans, w, b, byKind, count, time.Since(began))
	fmt.Print(section)
	if out == "" {
		return nil
	}
	return benchmd.WriteSection(out, "amd", section)
}

func report(seed uint64, n int, secs float64, humans int, w, b tally, byKind map[string][2]int, count map[string]int, took time.Duration) string {
	begin, end := benchmd.Markers("amd")
	var s strings.Builder
	s.WriteString(begin + "\n## Answering-machine detection\n\n")
	fmt.Fprintf(&s, "Command: `make bench` (runs `tools/bench.sh`); this section was written by\n`go run ./tools/benchamd %s`.\n\n",
		strings.Join(os.Args[1:], " "))
	m := benchmd.ThisMachine(context.Background())
	fmt.Fprintf(&s, "- Date: %s (whole run: %s); revision %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), took.Round(time.Second), m.Revision)
	fmt.Fprintf(&s, "- Set: %d greetings of %.0f s generated in the run by `tools/amdcorpus` with seed %d (not a tuning seed): "+
		"%d people, %d machines; espeak-ng voices en, en-us and ru with variants, speeds 130-200, telephone band, "+
		"line noise on two in three; model and kinds in docs/amd.md\n", n, secs, seed, humans, n-humans)
	s.WriteString("- Baseline: Asterisk's AMD state machine (`tools/amdbaseline`) with amd.conf's shipped defaults " +
		"(initial_silence 2500, greeting 1500, after_greeting_silence 800, total_analysis_time 5000, min_word_length 100, " +
		"between_words_silence 50, maximum_number_of_words 2, silence_threshold 256, maximum_word_length 5000)\n")
	s.WriteString("- Errors are every clip not labelled right; unsure counts as an error (a campaign connects it to an agent). " +
		"Decision time is audio time from the answer.\n\n")
	s.WriteString("| detector | accuracy | errors | machine as human | human as machine | unsure (people / machines) | decision p50 | decision p95 |\n")
	s.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, t tally) {
		fmt.Fprintf(&s, "| %s | %.1f%% | %d | %d | %d | %d (%d / %d) | %d ms | %d ms |\n", name,
			100*float64(t.correct)/float64(n), t.errors(), t.machineAsHuman, t.humanAsMachine, t.unsure, t.unsureHuman, t.unsureMachine,
			pct(t.times, 0.5), pct(t.times, 0.95))
	}
	row("wismo (package amd)", w)
	row("Asterisk AMD baseline", b)
	ratio := "n/a (the baseline made no errors)"
	if b.errors() > 0 {
		ratio = fmt.Sprintf("%.2f", float64(w.errors())/float64(b.errors()))
	}
	fmt.Fprintf(&s, "\nwismo's errors over the baseline's: %s (goal: at most 0.5; accuracy at least 95%%; p95 at most 3000 ms).\n", ratio)
	yes := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	acc := float64(w.correct) / float64(n)
	fmt.Fprintf(&s, "Goals: accuracy %s, half the baseline's errors %s, decision p95 %s.\n\n",
		yes(acc >= 0.95), yes(2*w.errors() <= b.errors()), yes(pct(w.times, 0.95) <= 3000))
	s.WriteString("| kind | clips | wismo right | baseline right |\n|---|---:|---:|---:|\n")
	kinds := make([]string, 0, len(count))
	for k := range count {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&s, "| %s | %d | %d | %d |\n", k, count[k], byKind[k][0], byKind[k][1])
	}
	s.WriteString("\n" + end + "\n")
	return s.String()
}
