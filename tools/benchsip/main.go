// Command benchsip measures wismo's telephony engine with SIPp (Debian sip-tester), each
// figure beside SIPp calling SIPp directly in the same run (the tool's own ceiling here):
//
//   - the highest sustained call-setup rate through wismo with zero failed calls;
//   - the most concurrent bridged and recorded calls with RTP both ways, zero failed;
//   - CPU microseconds per relayed RTP packet and per call setup.
//
// wismo's engine runs in this process (the same telephony.Endpoint `wismo serve` runs, with
// a database-free B2BUA in place of call control), so its CPU time is this process's.
// Results replace the telephony section of BENCHMARKS.md. Everything stays on loopback.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/tools/benchproc"
)

//go:embed scenarios/*.xml
var scenarioFS embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "benchsip:", err)
		os.Exit(1)
	}
}

type options struct {
	out      string
	rates    []int
	levels   []int
	rateSecs int
	noRecord bool
	profile  string
	costRuns int
}

func parseFlags() (options, error) {
	var o options
	var rates, levels string
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "markdown file whose telephony section is replaced")
	flag.StringVar(&rates, "rates", "25,50,100,200,400,800", "call setup rates (calls/s) to try, ascending")
	flag.StringVar(&levels, "levels", "25,50,100,200,400", "concurrent bridged calls to try, ascending")
	flag.IntVar(&o.rateSecs, "rate-seconds", 4, "seconds each rate step lasts")
	flag.BoolVar(&o.noRecord, "no-record", false, "bridge without recording")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the media phase to this file")
	flag.IntVar(&o.costRuns, "cost-runs", 3, "media steps per audio source at the cost level (medians are reported)")
	flag.Parse()
	var err error
	if o.costRuns < 1 || o.costRuns > 9 {
		return o, fmt.Errorf("-cost-runs %d: want 1 to 9", o.costRuns)
	}
	if o.rates, err = ints(rates); err == nil {
		o.levels, err = ints(levels)
	}
	return o, err
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 5000 {
			return nil, fmt.Errorf("%q: want numbers 1..5000", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func freeUDP() int {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func run(ctx context.Context) error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "benchsip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	scen := map[string][]byte{}
	for _, n := range []string{"uac_setup.xml", "uac_media.xml", "uac_media_pcap.xml"} {
		scen[n], _ = scenarioFS.ReadFile("scenarios/" + n)
	}
	sp, err := newSIPp(work, scen)
	if err != nil {
		return err
	}
	uasPort, uasMedia := freeUDP(), 16000+2*(os.Getpid()%1000)
	uas, err := sp.server(ctx, uasPort, uasMedia)
	if err != nil {
		return err
	}
	defer func() { uas.Process.Kill(); uas.Wait() }()

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	b := &b2bua{target: fmt.Sprintf("sip:bench@127.0.0.1:%d", uasPort), dir: work, log: log, record: !o.noRecord}
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: 30000, RTPPortMax: 39999, NoRTPTimeout: 30 * time.Second}, log, nil, b)
	if err != nil {
		return err
	}
	b.eng = eng
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go eng.Serve(sctx)
	defer eng.Close()
	wismo, direct := eng.Addr(), fmt.Sprintf("127.0.0.1:%d", uasPort)
	rep := &report{started: time.Now(), recorded: !o.noRecord, levels: map[int]levelStats{}, samples: map[string][]costSample{}}

	// (a) call setup rate: ascending steps until a step loses a call.
	for _, target := range []struct {
		name string
		addr string
		best *int
		cpu  *float64
	}{{"sipp->sipp", direct, &rep.directRate, &rep.directSetupUS}, {"sipp->wismo->sipp", wismo, &rep.wismoRate, &rep.wismoSetupUS}} {
		for _, r := range o.rates {
			n := r * o.rateSecs
			waitIdle(eng)
			c0, u0 := selfCPU(), benchproc.CPU(uas.Process.Pid)
			res := sp.client(ctx, "uac_setup.xml", target.addr, "-r", strconv.Itoa(r), "-m", strconv.Itoa(n), "-l", strconv.Itoa(4*r))
			wismoCPU, uasCPU := selfCPU()-c0, benchproc.CPU(uas.Process.Pid)-u0
			fmt.Fprintf(os.Stderr, "setup %s rate %d: ok=%v in %s\n", target.name, r, res.ok, res.wall.Round(time.Millisecond))
			if !res.ok || ctx.Err() != nil {
				break
			}
			*target.best = r
			if target.addr == wismo {
				*target.cpu = us(wismoCPU) / float64(n)
			} else {
				*target.cpu = us(res.cpu+uasCPU) / float64(n)
			}
			time.Sleep(time.Second) // let the last transactions finish
		}
	}

	// (b) concurrent bridged, recorded calls with RTP both ways. A fresh UAS: an overloaded
	// step above may have left it with half-open calls.
	uas.Process.Kill()
	uas.Wait()
	if uas, err = sp.server(ctx, uasPort, uasMedia); err != nil {
		return err
	}
	waitIdle(eng)
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	step := func(scenario, name, target string, l int) (levelStats, bool, error) {
		waitIdle(eng)
		rx0, _ := eng.RTPPackets()
		f0 := b.failed.Load()
		const setupRate = 200 // calls/s, below the setup ceiling of both
		run, err := sp.start(ctx, scenario, target, "-r", strconv.Itoa(setupRate), "-m", strconv.Itoa(l), "-l", strconv.Itoa(l))
		if err != nil {
			return levelStats{}, false, err
		}
		// Steady state: every call is up and both directions flow from a second after
		// the last call started until the first call's audio (7 s) runs out.
		start := time.Duration(l)*time.Second/setupRate + time.Second
		time.Sleep(start)
		w0 := sample(eng, run, uas)
		time.Sleep(max(6*time.Second-start, time.Second))
		w1 := sample(eng, run, uas)
		res := run.wait()
		time.Sleep(500 * time.Millisecond)
		rx1, _ := eng.RTPPackets()
		ok := res.ok && b.failed.Load() == f0 && ctx.Err() == nil
		fmt.Fprintf(os.Stderr, "media %s %s %d calls: ok=%v in %s, relayed %d (window %d), b2bua failures %d\n", scenario, name, l, ok, res.wall.Round(time.Millisecond), rx1-rx0, w1.relayed-w0.relayed, b.failed.Load()-f0)
		if !res.ok {
			fmt.Fprintf(os.Stderr, "sipp said:\n%s\n", res.out)
		}
		if target == wismo && ok && rx1 == rx0 {
			return levelStats{}, false, fmt.Errorf("wismo relayed no RTP at %d calls", l)
		}
		b.cleanRecordings()
		if target == wismo {
			return levelStats{wismoCPU: w1.self - w0.self, wismoRx: w1.relayed - w0.relayed, total: rx1 - rx0}, ok, nil
		}
		return levelStats{uacCPU: w1.uac - w0.uac, uasCPU: w1.uas - w0.uas}, ok, nil
	}
	for _, target := range []struct {
		name string
		addr string
		best *int
	}{{"sipp->sipp", direct, &rep.directCalls}, {"sipp->wismo->sipp", wismo, &rep.wismoCalls}} {
		for _, l := range o.levels {
			got, ok, err := step("uac_media.xml", target.name, target.addr, l)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			*target.best = l
			rep.levels[l] = rep.levels[l].merge(got)
		}
	}
	// (c) CPU per packet: at the largest level both passed, each audio source, o.costRuns
	// times (SIPp alone, then through wismo): single windows vary by 15% on this machine.
	// uac_media_pcap.xml is SIPp's other audio source, play_pcap_audio: one sender thread per
	// call (packets spread in time, as independent phones send them), but one raw socket per
	// call too (see toneFile).
	if l := min(rep.wismoCalls, rep.directCalls); l > 0 {
		for range o.costRuns {
			for _, sc := range []string{"uac_media.xml", "uac_media_pcap.xml"} {
				d, dok, err := step(sc, "sipp->sipp", direct, l)
				if err != nil {
					return err
				}
				w, wok, err := step(sc, "sipp->wismo->sipp", wismo, l)
				if err != nil {
					return err
				}
				if dok && wok && w.wismoRx > 0 {
					rep.samples[sc] = append(rep.samples[sc], costOf(d, w))
				}
			}
		}
	}
	rep.costs()
	rep.finished = time.Now()
	return rep.write(o.out)
}

// window is a CPU and packet snapshot in the middle of a media step.
type window struct {
	self, uac, uas time.Duration
	relayed        uint64
}

func sample(eng *telephony.Endpoint, run *clientRun, uas *exec.Cmd) window {
	return window{self: selfCPU(), uac: benchproc.CPU(run.cmd.Process.Pid), uas: benchproc.CPU(uas.Process.Pid), relayed: eng.Relayed()}
}

// waitIdle gives calls left over from an overloaded step up to 40 s to end.
func waitIdle(eng *telephony.Endpoint) {
	for deadline := time.Now().Add(40 * time.Second); eng.Active() > 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
