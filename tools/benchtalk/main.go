// Command benchtalk measures talk analytics (package recordings/talk, docs/talk-analytics.md)
// as the talk-analytics job runs them: a finished stereo recording read from its WAV and
// analysed, in CPU time per recorded minute on one core, beside the baseline of only reading
// the same WAV into memory (the floor any analysis of the file pays) in the same run. The
// recording is a synthetic two-minute call at 8 kHz: the customer and the agent take turns in
// bursts of 300 Hz-3 kHz band noise shaped like syllables, over line noise, with overtalk and
// dead air in it. Results replace the talk section of BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/tools/benchmd"
)

func main() {
	out := flag.String("out", "BENCHMARKS.md", "markdown file whose talk section is replaced")
	minutes := flag.Int("minutes", 2, "length of the recorded call")
	runs := flag.Int("runs", 20, "analyses measured (medians reported)")
	flag.Parse()
	if err := run(*out, *minutes, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchtalk:", err)
		os.Exit(1)
	}
}

func run(out string, minutes, runs int) error {
	if minutes < 1 || minutes > 60 || runs < 1 || runs > 1000 {
		return fmt.Errorf("-minutes 1..60, -runs 1..1000")
	}
	runtime.GOMAXPROCS(1) // one core, as the goal says
	dir, err := os.MkdirTemp("", "benchtalk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "call.wav")
	if err := writeCall(path, minutes); err != nil {
		return err
	}
	var read, analyse []float64
	var m talk.Metrics
	for range runs {
		c0 := cpu()
		if _, _, err := media.ReadWAV(path); err != nil {
			return err
		}
		c1 := cpu()
		m, _, err = talk.AnalyzeFile(path)
		if err != nil {
			return err
		}
		c2 := cpu()
		read = append(read, (c1-c0).Seconds()/float64(minutes))
		analyse = append(analyse, (c2-c1).Seconds()/float64(minutes))
	}
	r, a := benchmd.Median(read), benchmd.Median(analyse)
	rt := 60 / a
	mach := benchmd.ThisMachine(context.Background())
	begin, end := benchmd.Markers("talk")
	s := fmt.Sprintf(`%s
## Talk analytics: CPU per recorded minute

Command: `+"`make bench`"+` (runs `+"`tools/bench.sh`"+`); this section was written by `+"`go run ./tools/benchtalk -out BENCHMARKS.md`"+`.

A synthetic %d-minute stereo call at 8 kHz (customer and agent taking turns in syllable-shaped bursts of band noise over line noise, with overtalk and dead air; the analysis found %d ms of customer talk, %d ms of agent talk, %d ms of overtalk), read from its WAV and analysed as the job does (`+"`talk.AnalyzeFile`"+`), on one core (GOMAXPROCS=1), median of %d runs. The baseline reads the same WAV into memory and does nothing else, in the same run.

| Figure | talk analytics | baseline: reading the WAV | analytics / baseline |
|---|---|---|---|
| CPU per recorded minute | %.2f ms | %.2f ms | %.1fx |
| recorded time analysed per CPU second | %.0fx real time | %.0fx real time | |

- Goal: at least 1,000 times faster than real time on one core: **%s**.
- Measured %s on %s CPU(s) (%s), %s, revision %s.
%s
`, begin, minutes, m.CustomerTalkMS, m.AgentTalkMS, m.OvertalkMS, runs, a*1000, r*1000, a/r, rt, 60/r,
		map[bool]string{true: "met", false: "not met"}[rt >= 1000], time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		mach.NProc, mach.CPU, mach.GoVersion, mach.Revision, end)
	fmt.Print(s)
	return benchmd.WriteSection(out, "talk", s)
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeCall writes the synthetic call: 6 s turns, the customer 2.5 s, the agent 2.8 s starting
// 3 s in, every fifth agent turn starting 1 s early (0.5 s of overtalk), every seventh turn silent.
func writeCall(path string, minutes int) error {
	const rate = 8000
	n := minutes * 60 * rate
	r := rand.New(rand.NewPCG(20, 26))
	c, a := make([]int16, n), make([]int16, n)
	for i := range n {
		c[i], a[i] = int16(r.NormFloat64()*30), int16(r.NormFloat64()*30)
	}
	turn := 0
	for s := 0; s+6*rate <= n; s += 6 * rate {
		turn++
		if turn%7 == 0 {
			continue
		}
		speak(r, c, s, s+rate*5/2)
		start := s + 3*rate
		if turn%5 == 0 {
			start -= rate
		}
		speak(r, a, start, s+rate*58/10)
	}
	w, err := media.CreateWAV(path, rate, 2)
	if err != nil {
		return err
	}
	inter := make([]int16, 2*n)
	for i := range n {
		inter[2*i], inter[2*i+1] = c[i], a[i]
	}
	if err := w.WriteSamples(inter); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// speak fills [from, to) with syllables: 200 ms of band noise at speech level with an
// envelope, 50 ms gaps.
func speak(r *rand.Rand, ch []int16, from, to int) {
	var lp1, lp2 float64
	for i := from; i < to && i < len(ch); i++ {
		pos := (i - from) % 2000 // 250 ms syllable cycle at 8 kHz
		if pos >= 1600 {
			continue
		}
		env := math.Sin(math.Pi * float64(pos) / 1600)
		x := r.NormFloat64() * 4000
		lp1 += 0.6 * (x - lp1) // a rough 300 Hz-3 kHz band: low-pass minus a slower low-pass
		lp2 += 0.05 * (x - lp2)
		ch[i] = int16(math.Max(-32000, math.Min(32000, env*(lp1-lp2)*1.5)))
	}
}
