// Command benchtrack measures the public tracking page (GET /track/{id}) of `wismo serve` with
// wrk (Debian `wrk`) on loopback over a demo corpus (1,000,000 parcels by default, generated
// once with `wismo demo` into a kept SQLite database), beside a fiber hello-world handler
// measured the same way in the same run as the ceiling, and writes the figures between the
// <!-- track:begin --> and <!-- track:end --> markers of BENCHMARKS.md.
//
//	go run ./tools/benchtrack -bin bin/wismo -out BENCHMARKS.md            # 1M parcels
//	go run ./tools/benchtrack -parcels 100000 -duration 10s -runs 1         # a quick run
//
// The goal: the tracking page serves at least a quarter of the hello-world rate, with p99
// under 10 ms.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/tools/benchmd"
)

type options struct {
	bin, out, workDir     string
	parcels, ids, runs    int
	seed                  int64
	duration, warmup      time.Duration
	connections, threads  int
	noReport, prepareOnly bool
	branding              bool
	section               string
	helloAddr             string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/wismo", "the wismo binary (built with `go build -o BIN ./cmd/wismo` when missing)")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "the file whose track section is rewritten")
	flag.StringVar(&o.workDir, "workdir", filepath.Join(os.TempDir(), "wismo-benchtrack"), "where the demo corpus is kept between runs")
	flag.IntVar(&o.parcels, "parcels", 1_000_000, "demo parcels in the corpus")
	flag.Int64Var(&o.seed, "seed", 1, "demo seed")
	flag.IntVar(&o.ids, "ids", 20_000, "distinct parcels the requests spread over (random sample of the corpus)")
	flag.IntVar(&o.runs, "runs", 3, "measured rounds (hello-world and tracking page each); medians are reported")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "wrk duration of each measured run")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "wrk warm-up before the measured runs of each server")
	flag.IntVar(&o.connections, "c", 32, "wrk connections")
	flag.IntVar(&o.threads, "t", 2, "wrk threads")
	flag.BoolVar(&o.noReport, "no-report", false, "print the section instead of writing it")
	flag.BoolVar(&o.prepareOnly, "prepare", false, "only generate (or check) the corpus, then exit (run it under nice ahead of time)")
	flag.BoolVar(&o.branding, "branding", true, "give every brand of the corpus the demo brand's look (logo, colours, hotline, footer, words) first")
	flag.StringVar(&o.section, "section", "track", "the BENCHMARKS.md section (between <!-- NAME:begin --> and <!-- NAME:end -->) the figures go to")
	flag.StringVar(&o.helloAddr, "serve-hello", "", "internal: serve the fiber hello-world on this address and block")
	flag.Parse()
	if o.helloAddr != "" {
		if err := serveHello(o.helloAddr); err != nil {
			fmt.Fprintln(os.Stderr, "hello:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "benchtrack:", err)
		os.Exit(1)
	}
}

// serveHello is the ceiling: fiber's hello world with default settings, nothing else.
func serveHello(addr string) error {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	return app.Listen(addr)
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtrack: "+format+"\n", args...)
}

func run(ctx context.Context, o options) error {
	if o.parcels < 1 || o.ids < 1 || o.runs < 1 || o.duration < time.Second || o.connections < 1 || o.threads < 1 {
		return errors.New("-parcels, -ids, -runs, -c and -t must be positive and -duration at least 1s")
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is needed: install the Debian package `wrk` (tools/install-test-deps.sh does it)")
	}
	if err := ensureBinary(ctx, o.bin); err != nil {
		return err
	}
	began := time.Now()
	c, err := openCorpus(ctx, o)
	if err != nil {
		return err
	}
	if o.prepareOnly {
		return nil
	}
	if err := os.MkdirAll(o.workDir, 0o755); err != nil {
		return err
	}
	script, err := writeScripts(o.workDir, c.ids)
	if err != nil {
		return err
	}
	wismo, err := startWismo(ctx, o, c.dataDir)
	if err != nil {
		return err
	}
	defer wismo.Stop()
	hello, err := startHello(ctx)
	if err != nil {
		return err
	}
	defer hello.Stop()

	trackURL, helloURL := "http://"+wismo.Addr, "http://"+hello.Addr
	step("warming up (%s each)", o.warmup)
	if _, err := runWrk(ctx, o, o.warmup, script.hello, helloURL); err != nil {
		return err
	}
	if _, err := runWrk(ctx, o, o.warmup, script.track, trackURL); err != nil {
		return err
	}
	r := report{opts: o, began: began, corpus: c, machine: machineInfo(ctx)}
	hit0, miss0, err := cacheCounts(ctx, wismo.Addr)
	if err != nil {
		return err
	}
	for i := 0; i < o.runs; i++ {
		step("round %d/%d: hello-world", i+1, o.runs)
		h, err := runWrk(ctx, o, o.duration, script.hello, helloURL)
		if err != nil {
			return err
		}
		step("round %d/%d: hello-world %.0f req/s, p99 %s", i+1, o.runs, h.rps(), h.p99())
		step("round %d/%d: tracking page", i+1, o.runs)
		t, err := runWrk(ctx, o, o.duration, script.track, trackURL)
		if err != nil {
			return err
		}
		step("round %d/%d: tracking page %.0f req/s, p99 %s, non-2xx %d", i+1, o.runs, t.rps(), t.p99(), t.Status)
		r.hello, r.track = append(r.hello, h), append(r.track, t)
	}
	if err := wismo.Check(); err != nil {
		return err
	}
	hit1, miss1, err := cacheCounts(ctx, wismo.Addr)
	if err != nil {
		return err
	}
	if views := hit1 - hit0 + miss1 - miss0; views > 0 {
		r.hitShare = 100 * (hit1 - hit0) / views
	}
	// The same page rendered for every view (WISMO_TRACK_CACHE=0): what a view costs when it
	// reads the database and runs the template.
	wismo.Stop()
	bare, err := startWismo(ctx, o, c.dataDir, "WISMO_TRACK_CACHE=0")
	if err != nil {
		return err
	}
	defer bare.Stop()
	if _, err := runWrk(ctx, o, o.warmup, script.track, "http://"+bare.Addr); err != nil {
		return err
	}
	for i := 0; i < o.runs; i++ {
		step("round %d/%d: tracking page without the page cache", i+1, o.runs)
		t, err := runWrk(ctx, o, o.duration, script.track, "http://"+bare.Addr)
		if err != nil {
			return err
		}
		step("round %d/%d: tracking page without the page cache %.0f req/s, p99 %s, non-2xx %d", i+1, o.runs, t.rps(), t.p99(), t.Status)
		r.bare = append(r.bare, t)
	}
	if err := bare.Check(); err != nil {
		return err
	}
	r.took = time.Since(began)
	section := r.markdown()
	if o.noReport {
		fmt.Print(section)
		return nil
	}
	if err := benchmd.WriteSection(o.out, o.section, section); err != nil {
		return err
	}
	step("wrote the %s section of %s", o.section, o.out)
	return nil
}

// ensureBinary builds bin when it does not exist.
func ensureBinary(ctx context.Context, bin string) error {
	if _, err := os.Stat(bin); err == nil {
		return nil
	}
	step("building %s", bin)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/wismo")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build -o %s ./cmd/wismo: %w", bin, err)
	}
	return nil
}
