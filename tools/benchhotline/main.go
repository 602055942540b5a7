// Command benchhotline measures the hotline's self-service under load (issue 19): SIPp callers
// dial `wismo serve`'s hotline over a large parcel database, key a tracking number's nine
// digits as SIP INFO, hear their parcel's status and hang up; beside SIPp calling SIPp on the
// same scenario (a SIPp UAS that answers, plays audio and takes the keys) in the same run.
// A step ladder of concurrent calls climbs until a step loses a call, for wismo and for the
// baseline; the first step runs with the synthesiser's cache empty (cold), the ladder after it
// warm. A call counts as served only when wismo's call log says the caller heard the status.
// Results replace the hotline section of BENCHMARKS.md. Everything stays on loopback.
package main

import (
	"bytes"
	"context"
	"embed"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/tools/benchproc"
)

//go:embed scenarios/*.xml
var scenarioFS embed.FS

type options struct {
	bin, out, workDir string
	parcels           int
	seedParcels       int
	sample            int
	levels            []int
	rate              int
	listen            time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parseFlags()
	if err == nil {
		err = run(ctx, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchhotline:", err)
		os.Exit(1)
	}
}

func parseFlags() (options, error) {
	var o options
	var levels string
	flag.StringVar(&o.bin, "bin", "bin/wismo", "the wismo binary (make build)")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "markdown file whose hotline section is replaced")
	flag.StringVar(&o.workDir, "workdir", filepath.Join(os.TempDir(), "wismo-benchhotline"), "where the kept corpus lives")
	flag.IntVar(&o.parcels, "parcels", 1000000, "parcels in the database")
	flag.IntVar(&o.seedParcels, "demo-parcels", 5000, "parcels `wismo demo` makes before they are copied up to -parcels")
	flag.IntVar(&o.sample, "sample", 5000, "parcels the callers key in (each call a different one, round robin)")
	flag.StringVar(&levels, "levels", "100,200,400,500,600,800,1000,1200,1500,2000,2500", "concurrent calls to try, ascending")
	flag.IntVar(&o.rate, "rate", 100, "new calls per second while a step ramps up")
	flag.DurationVar(&o.listen, "listen", 8*time.Second, "how long a caller listens after keying before hanging up")
	flag.Parse()
	for _, f := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 5000 {
			return o, fmt.Errorf("-levels %q: want numbers 1..5000", levels)
		}
		o.levels = append(o.levels, n)
	}
	if o.rate < 1 || o.rate > 1000 || o.parcels < o.seedParcels || o.sample < 1 {
		return o, fmt.Errorf("-rate 1..1000, -parcels at least -demo-parcels, -sample at least 1")
	}
	return o, nil
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchhotline: "+format+"\n", args...)
}

// stepResult is one step of a ladder.
type stepResult struct {
	level    int
	ok       bool
	served   int           // wismo: calls whose log says the status was heard (baseline: calls SIPp completed)
	cpu      time.Duration // the server's CPU during the step (wismo serve, or the SIPp UAS)
	wall     time.Duration
	failures string // what went wrong, for the report
}

func run(ctx context.Context, o options) error {
	started := time.Now()
	if err := os.MkdirAll(o.workDir, 0o755); err != nil {
		return err
	}
	c, err := openCorpus(ctx, o)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(o.workDir, "run-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	s, err := newSIPp(work, c.ids)
	if err != nil {
		return err
	}
	// Cold: a fresh node whose synthesiser cache is empty.
	cache := filepath.Join(c.dataDir, "prompts", "cache")
	if err := os.RemoveAll(cache); err != nil {
		return err
	}
	sipAddr, err := benchproc.FreeAddr()
	if err != nil {
		return err
	}
	srv, err := benchproc.StartWismo(ctx, o.bin, c.dataDir, filepath.Join(o.workDir, "wismo-serve.log"),
		"WISMO_SIP_ADDR="+sipAddr, "WISMO_RTP_PORTS=20000-29999",
		// The overall keyed-lookup throttle (6,000 a minute) is what a load test measures first;
		// raised, the bench measures the calls. Each caller keys once from a number of its own.
		"WISMO_HOTLINE_LOOKUPS=1000000",
		// The node runs the SIP job only: the other jobs' first passes over a million parcels
		// (expected dates, elapsed-time arming, search) would be measured with the calls.
		"WISMO_JOBS=sip")
	if err != nil {
		return err
	}
	defer srv.Stop()
	target := "127.0.0.1:" + sipAddr[strings.LastIndexByte(sipAddr, ':')+1:]
	served := servedCounter(c.dataDir)
	wismoStep := func(level int) stepResult {
		before, err := served(ctx)
		if err != nil {
			return stepResult{level: level, failures: err.Error()}
		}
		cpu0 := benchproc.CPU(srv.Pid())
		r := s.step(ctx, o, level, target)
		r.cpu = benchproc.CPU(srv.Pid()) - cpu0
		// The last calls' rows are written as they end: count until every caller is there or
		// the count has stood still for 5 s (at most 30 s).
		after, err := served(ctx)
		for last, still, waited := after, 0, 0; err == nil && after-before < level && still < 5 && waited < 30; waited++ {
			time.Sleep(time.Second)
			if after, err = served(ctx); after == last {
				still++
			} else {
				last, still = after, 0
			}
		}
		if err != nil {
			r.ok, r.failures = false, err.Error()
		}
		r.served = after - before
		if r.served != level {
			r.ok = false
			r.failures = strings.TrimSpace(r.failures + fmt.Sprintf(" wismo's call log: %d of %d callers heard the status", r.served, level))
		}
		if err := srv.Check(); err != nil {
			r.ok, r.failures = false, err.Error()
		}
		step("wismo  %5d concurrent: ok=%v served=%d cpu=%s %s", level, r.ok, r.served, r.cpu.Round(time.Millisecond), r.failures)
		return r
	}
	rep := report{opts: o, corpus: c}
	rep.cold = wismoStep(o.levels[0])
	rep.synthRuns = countFiles(cache)
	for _, level := range o.levels {
		r := wismoStep(level)
		rep.wismo = append(rep.wismo, r)
		if !r.ok {
			break
		}
	}
	srv.Stop()
	// The baseline: SIPp's UAS on the same scenario, the same ladder.
	uasAddr, err := benchproc.FreeAddr()
	if err != nil {
		return err
	}
	uas, err := s.server(ctx, uasAddr)
	if err != nil {
		return err
	}
	defer uas.Process.Kill()
	for _, level := range o.levels {
		cpu0 := benchproc.CPU(uas.Process.Pid)
		r := s.step(ctx, o, level, uasAddr)
		r.cpu = benchproc.CPU(uas.Process.Pid) - cpu0
		if r.ok {
			r.served = level
		}
		step("sipp   %5d concurrent: ok=%v cpu=%s %s", level, r.ok, r.cpu.Round(time.Millisecond), r.failures)
		rep.baseline = append(rep.baseline, r)
		if !r.ok {
			break
		}
	}
	rep.took = time.Since(started)
	return rep.write(ctx)
}

func countFiles(dir string) int {
	es, _ := os.ReadDir(dir)
	n := 0
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".wav") {
			n++
		}
	}
	return n
}

// servedCounter counts the calls of wismo's log whose caller heard a parcel's status (read
// beside the running node: SQLite in WAL mode lets a reader in).
func servedCounter(dataDir string) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		db, err := openDB(ctx, dataDir)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		var n int
		err = db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls WHERE to_uri = ? AND ivr_answer <> '' AND ivr_answer <> 'not_found'`, hotlineNumber).Scan(&n)
		return n, err
	}
}

// sipp runs SIPp (Debian sip-tester) with the scenarios, the injection file of keyed numbers
// and the callers' audio in its work dir.
type sipp struct {
	bin, dir string
}

func newSIPp(dir string, ids []string) (*sipp, error) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		return nil, fmt.Errorf("sipp not found: install Debian's sip-tester (bash tools/install-test-deps.sh)")
	}
	for _, name := range []string{"hotline_uac.xml", "hotline_uas.xml"} {
		b, err := scenarioFS.ReadFile("scenarios/" + name)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	var inf bytes.Buffer
	inf.WriteString("SEQUENTIAL\n")
	for i, id := range ids {
		for _, d := range id[2:11] {
			inf.WriteString(string(d) + ";")
		}
		fmt.Fprintf(&inf, "+7999%07d\n", i) // the caller's number: no parcel's, so the caller keys
	}
	if err := os.WriteFile(filepath.Join(dir, "keys.csv"), inf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	pcm := make([]int16, 8000) // 1 s of a 440 Hz tone, looped: the caller's voice
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	if err := os.WriteFile(filepath.Join(dir, "tone.alaw"), media.Encode(nil, media.PayloadPCMA, pcm), 0o644); err != nil {
		return nil, err
	}
	return &sipp{bin: bin, dir: dir}, nil
}

// step places level calls at o.rate a second, each holding long enough that all of them are
// up together (the last starts while the first still listens), against target.
func (s *sipp) step(ctx context.Context, o options, level int, target string) stepResult {
	ramp := time.Duration(level) * time.Second / time.Duration(o.rate)
	listen := o.listen + ramp
	ctx, cancel := context.WithTimeout(ctx, ramp+listen+2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, "-sf", "hotline_uac.xml", "-inf", "keys.csv", "-s", hotlineNumber,
		"-i", "127.0.0.1", "-p", "0", "-mi", "127.0.0.1", "-nostdin", "-timeout", "300s", "-max_socket", "4096",
		"-m", fmt.Sprint(level), "-l", fmt.Sprint(level), "-r", fmt.Sprint(o.rate),
		"-d", fmt.Sprint(listen.Milliseconds()), "-recv_timeout", "20000", target)
	cmd.Dir = s.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := stepResult{level: level, ok: err == nil, wall: time.Since(start)}
	if err != nil {
		r.failures = fmt.Sprintf("SIPp: %v (%s)", err, lastLine(out.String()))
	}
	return r
}

// server starts SIPp as the baseline's far end on addr.
func (s *sipp) server(ctx context.Context, addr string) (*exec.Cmd, error) {
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	cmd := exec.CommandContext(ctx, s.bin, "-sf", "hotline_uas.xml", "-i", "127.0.0.1", "-p", port, "-mi", "127.0.0.1",
		"-nostdin", "-max_socket", "4096")
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(300 * time.Millisecond) // let it bind
	return cmd, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
