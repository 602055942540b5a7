// Command benchrecordings measures compact storage of call recordings (package
// recordings/compact, docs/recordings-storage.md): the size of Opus in Ogg against the 16-bit
// stereo WAV it replaces, and the conversion (opusenc plus compact.Verify) time per recorded
// minute, beside two baselines measured in the same run on the same file: FLAC (Debian's
// flac, the lossless alternative) and a plain copy of the WAV with fsync (the least any
// storage step costs). The recording is a call made in the run: two espeak-ng voices taking
// turns, one per channel, at 8 kHz, with a faint line noise, as wismo records calls.
//
//	go run ./tools/benchrecordings -out BENCHMARKS.md [-minutes 2] [-runs 5]
//
// `make bench` runs it through tools/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/tools/benchmd"
)

const section = "recordings"

var customer = []string{
	"Hello, I am calling about my parcel. It was supposed to arrive on Monday and it is still not here.",
	"The tracking page says it is at the delivery office, but nobody came to my door.",
	"Can you tell me when the courier will come? I work from nine to six.",
}

var agent = []string{
	"Good afternoon, thank you for calling. Could you tell me the tracking number, please?",
	"Thank you. I can see the parcel arrived at your local office yesterday evening.",
	"The courier can bring it tomorrow between six and nine in the evening. Does that suit you?",
}

func main() {
	out := flag.String("out", "BENCHMARKS.md", "markdown file whose recordings section is rewritten")
	minutes := flag.Int("minutes", 2, "length of the recorded call")
	runs := flag.Int("runs", 5, "runs of each measurement (medians are reported)")
	flag.Parse()
	if err := run(context.Background(), *out, *minutes, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchrecordings:", err)
		os.Exit(1)
	}
}

type result struct {
	name       string
	size       int64
	wall, cpus []float64 // seconds
}

func (r *result) add(wall, cpu float64, size int64) {
	r.wall, r.cpus, r.size = append(r.wall, wall), append(r.cpus, cpu), size
}

func run(ctx context.Context, out string, minutes, runs int) error {
	for _, bin := range []string{"espeak-ng", "sox", "opusenc", "flac"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found: make test-deps (tools/install-test-deps.sh) installs it", bin)
		}
	}
	dir, err := os.MkdirTemp("", "wismo-benchrecordings")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	wav := filepath.Join(dir, "call.wav")
	if err := makeCall(ctx, dir, wav, minutes); err != nil {
		return err
	}
	st, err := os.Stat(wav)
	if err != nil {
		return err
	}
	copyRes := result{name: "copy of the WAV, fsynced (baseline)"}
	flacRes := result{name: "FLAC, `flac` level 5 (lossless baseline)"}
	opusRes := result{name: fmt.Sprintf("Opus in Ogg, `opusenc --bitrate %d` + verify (wismo)", compact.DefaultBitrate)}
	enc, _ := exec.LookPath("opusenc")
	for range runs {
		t, cpu, size, err := timed(func(dst string) error { return copyFile(wav, dst) }, filepath.Join(dir, "copy.wav"))
		if err != nil {
			return err
		}
		copyRes.add(t, cpu, size)
		t, cpu, size, err = timed(func(dst string) error {
			return exec.CommandContext(ctx, "flac", "-s", "-f", "-o", dst, wav).Run()
		}, filepath.Join(dir, "call.flac"))
		if err != nil {
			return err
		}
		flacRes.add(t, cpu, size)
		t, cpu, size, err = timed(func(dst string) error {
			if err := compact.Encode(ctx, enc, compact.DefaultBitrate, wav, dst); err != nil {
				return err
			}
			_, err := compact.Verify(dst)
			return err
		}, filepath.Join(dir, "call.opus"))
		if err != nil {
			return err
		}
		opusRes.add(t, cpu, size)
	}
	m := benchmd.ThisMachine(ctx)
	var b strings.Builder
	begin, end := benchmd.Markers(section)
	fmt.Fprintf(&b, "%s\n## Compact storage of recordings (Opus against the 16-bit WAV)\n\n", begin)
	fmt.Fprintf(&b, "`go run ./tools/benchrecordings -minutes %d -runs %d` on %s CPUs (%s), %s, revision %s. "+
		"A %d-minute stereo call at 8 kHz (two espeak-ng voices taking turns, one per channel, faint line noise), "+
		"%d bytes as 16-bit WAV. Times are medians of %d runs, per recorded minute: CPU (user+system of wismo and "+
		"the encoder it runs; what a core spends) and wall (what the job waits, on a shared machine: load average %s).\n\n",
		minutes, runs, m.NProc, m.CPU, m.GoVersion, m.Revision, minutes, st.Size(), runs, loadAvg())
	b.WriteString("| storage | bytes | share of the WAV | CPU per recorded minute | times faster than real time (CPU) | wall per recorded minute |\n|---|---:|---:|---:|---:|---:|\n")
	for _, r := range []result{copyRes, flacRes, opusRes} {
		cpu, wall := benchmd.Median(r.cpus), benchmd.Median(r.wall)
		fmt.Fprintf(&b, "| %s | %d | %.3f (1/%.1f) | %.1f ms | %.0f | %.1f ms |\n", r.name, r.size, float64(r.size)/float64(st.Size()),
			float64(st.Size())/float64(r.size), cpu*1000/float64(minutes), float64(minutes)*60/max(cpu, 1e-6), wall*1000/float64(minutes))
	}
	fmt.Fprintf(&b, "\nGoal: Opus at most a quarter of the WAV. Verify reads every Ogg page and its CRC and the "+
		"end-of-stream granule (compact.Verify); the job also compares the duration with the WAV's.\n%s\n", end)
	fmt.Print(b.String())
	return benchmd.WriteSection(out, section, b.String())
}

// timed runs f(dst) and returns its wall and CPU time (this process and the children it
// waited for) in seconds, and dst's size.
func timed(f func(dst string) error, dst string) (wall, cpu float64, size int64, err error) {
	os.Remove(dst)
	before := cpuSeconds()
	start := time.Now()
	if err := f(dst); err != nil {
		return 0, 0, 0, err
	}
	wall, cpu = time.Since(start).Seconds(), cpuSeconds()-before
	st, err := os.Stat(dst)
	if err != nil {
		return 0, 0, 0, err
	}
	return wall, cpu, st.Size(), nil
}

func cpuSeconds() float64 {
	var total float64
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		}
	}
	return total
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// makeCall writes a stereo call of minutes at 8 kHz 16-bit to wav: the customer's turns on the
// left, the agent's on the right, each side silent (but for line noise) while the other speaks.
func makeCall(ctx context.Context, dir, wav string, minutes int) error {
	sh := func(args ...string) error {
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	var left, right []string
	for i := range customer {
		for side, text := range []string{customer[i], agent[i]} {
			raw := filepath.Join(dir, fmt.Sprintf("t%d%d.wav", i, side))
			turn := filepath.Join(dir, fmt.Sprintf("u%d%d.wav", i, side))
			quiet := filepath.Join(dir, fmt.Sprintf("q%d%d.wav", i, side))
			voice := []string{"en", "en+f2"}[side]
			if err := sh("espeak-ng", "-v", voice, "-s", "160", "-w", raw, text); err != nil {
				return err
			}
			if err := sh("sox", raw, "-r", "8000", "-c", "1", "-b", "16", turn, "pad", "0", "0.4"); err != nil {
				return err
			}
			if err := sh("sox", turn, quiet, "vol", "0"); err != nil {
				return err
			}
			if side == 0 {
				left, right = append(left, turn), append(right, quiet)
			} else {
				left, right = append(left, quiet), append(right, turn)
			}
		}
	}
	l, r := filepath.Join(dir, "left.wav"), filepath.Join(dir, "right.wav")
	if err := sh(append(append([]string{"sox"}, left...), l)...); err != nil {
		return err
	}
	if err := sh(append(append([]string{"sox"}, right...), r)...); err != nil {
		return err
	}
	merged := filepath.Join(dir, "merged.wav")
	if err := sh("sox", "-M", l, r, merged); err != nil {
		return err
	}
	long := filepath.Join(dir, "long.wav")
	if err := sh("sox", merged, long, "repeat", fmt.Sprint(minutes*60/5+1), "trim", "0", fmt.Sprint(minutes*60)); err != nil {
		return err
	}
	// Line noise about 60 dB under full scale on both channels, mixed in.
	noise := filepath.Join(dir, "noise.wav")
	if err := sh("sox", "-n", "-r", "8000", "-c", "2", "-b", "16", noise, "synth", fmt.Sprint(minutes*60), "whitenoise", "vol", "0.002"); err != nil {
		return err
	}
	return sh("sox", "-m", long, noise, "-b", "16", wav)
}
