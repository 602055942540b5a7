// Command benchtranscribe measures the real-time factor of the speech engine wismo ships
// (Debian's pocketsphinx through recordings/transcribe): CPU seconds (the engine's process,
// user + system) per second of audio, and wall seconds per second, on a minute of telephone
// speech made of the committed test clip's two sides (recordings/transcribe/testdata/call.wav:
// 8 kHz, flite voices) repeated. Beside it, in the same run: the bare pocketsphinx_continuous on
// the same minute already at 16 kHz with its own settings (voice detector on), and the fixed
// cost of one run (loading the model) on one second of silence. It writes the transcribe
// section of BENCHMARKS.md.
//
//	go run ./tools/benchtranscribe -out BENCHMARKS.md [-seconds 60] [-runs 3]
//
// `make bench` runs it through tools/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/tools/benchmd"
)

const section = "transcribe"

func main() {
	out := flag.String("out", "BENCHMARKS.md", "markdown file whose transcribe section is rewritten")
	seconds := flag.Int("seconds", 60, "seconds of speech to transcribe")
	runs := flag.Int("runs", 3, "runs of each measurement (the median is reported)")
	flag.Parse()
	if err := run(*out, *seconds, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchtranscribe:", err)
		os.Exit(1)
	}
}

// childCPU is the CPU time of this process's waited-for children so far.
func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) //nolint:errcheck // RUSAGE_CHILDREN always answers on Linux
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f runs times and returns the median CPU and wall time of its children.
func measure(runs int, f func() error) (cpu, wall time.Duration, err error) {
	var cpus, walls []float64
	for range runs {
		c0, w0 := childCPU(), time.Now()
		if err := f(); err != nil {
			return 0, 0, err
		}
		cpus = append(cpus, float64(childCPU()-c0))
		walls = append(walls, float64(time.Since(w0)))
	}
	return time.Duration(benchmd.Median(cpus)), time.Duration(benchmd.Median(walls)), nil
}

func run(out string, seconds, runs int) error {
	ctx := context.Background()
	eng, err := transcribe.NewSphinx("", 1)
	if err != nil {
		return err
	}
	eng.TimePerSecond = 10 * time.Second // a loaded machine must not cut the measurement short
	rate, chans, err := media.ReadWAV("recordings/transcribe/testdata/call.wav")
	if err != nil {
		return err
	}
	var speech []int16
	for i := 0; len(speech) < seconds*rate; i++ {
		speech = append(speech, chans[i%2]...)
	}
	speech = speech[:seconds*rate]
	audio := float64(seconds)
	var heard string
	cpu, wall, err := measure(runs, func() error {
		res, err := eng.Transcribe(ctx, speech, rate, "en")
		heard = res.Text
		return err
	})
	if err != nil {
		return err
	}
	// The bare program on the same minute at 16 kHz, with its own settings.
	dir, err := os.MkdirTemp("", "wismo-benchtranscribe")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	wav16 := filepath.Join(dir, "speech16k.wav")
	if err := os.WriteFile(wav16, media.EncodeWAV(16000, 1, transcribe.Upsample2(speech)), 0o600); err != nil {
		return err
	}
	bare := func(path string) func() error {
		return func() error {
			return exec.Command(eng.Bin, "-infile", path, "-logfn", "/dev/null").Run()
		}
	}
	bareCPU, bareWall, err := measure(runs, bare(wav16))
	if err != nil {
		return err
	}
	silence := filepath.Join(dir, "silence.wav")
	if err := os.WriteFile(silence, media.EncodeWAV(16000, 1, make([]int16, 16000)), 0o600); err != nil {
		return err
	}
	loadCPU, loadWall, err := measure(runs, bare(silence))
	if err != nil {
		return err
	}
	words := len(strings.Fields(heard))
	m := benchmd.ThisMachine(ctx)
	var b strings.Builder
	begin, end := benchmd.Markers(section)
	fmt.Fprintf(&b, "%s\n## Transcription: real-time factor of the shipped speech engine\n\n", begin)
	fmt.Fprintf(&b, "`go run ./tools/benchtranscribe -seconds %d -runs %d` (package `recordings/transcribe`, docs/transcripts.md): "+
		"%d s of 8 kHz telephone speech (the committed test clip's two sides, flite voices, repeated; about half of it pauses), "+
		"one channel as the transcripts job sends it. *RTF* = seconds per second of audio (below 1 is faster than real time); CPU is "+
		"the engine process's user + system time. Medians of %d runs.\n\n", seconds, runs, seconds, runs)
	b.WriteString("| What | CPU s | CPU RTF | Wall s | Wall RTF |\n|---|---|---|---|---|\n")
	row := func(name string, cpu, wall time.Duration) {
		fmt.Fprintf(&b, "| %s | %.2f | %.3f | %.2f | %.3f |\n", name, cpu.Seconds(), cpu.Seconds()/audio, wall.Seconds(), wall.Seconds()/audio)
	}
	row(fmt.Sprintf("**wismo: `Sphinx.Transcribe`** (pauses dropped, 8→16 kHz in Go, one utterance, word times) — %d words heard", words), cpu, wall)
	row("baseline: bare `pocketsphinx_continuous` on the same audio at 16 kHz (its voice detector on)", bareCPU, bareWall)
	fmt.Fprintf(&b, "| fixed cost of one run: model loaded, 1 s of silence | %.2f | — | %.2f | — |\n", loadCPU.Seconds(), loadWall.Seconds())
	fmt.Fprintf(&b, "\nA two-minute call's two sides take about %.0f CPU seconds on one core: the job transcribes one channel at a time "+
		"per WISMO_SPEECH_CONCURRENCY run.\n", 2*120*cpu.Seconds()/audio)
	fmt.Fprintf(&b, "\nMeasured %s on %s CPU(s) (%s), %s, revision %s.\n%s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), m.NProc, m.CPU, m.GoVersion, m.Revision, end)
	fmt.Fprint(os.Stderr, b.String())
	return benchmd.WriteSection(out, section, b.String())
}
