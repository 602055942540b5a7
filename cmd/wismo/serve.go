package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/editor"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// app is the wired product: what serve and the admin commands share.
type app struct {
	cfg    *Config
	log    *slog.Logger
	db     *store.DB
	reg    *prometheus.Registry
	access *access.Service
	cases  *tracking.Service
	// outbox is how every outbox consumer of the node treats messages it cannot handle.
	outbox outbox.Policy
}

func openApp(ctx context.Context, cfg *Config) (*app, error) {
	log := cfg.newLogger()
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, log); err != nil {
		db.Close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	attempts, _ := cfg.outboxMaxAttempts() // validated at start
	return &app{cfg: cfg, log: log, db: db, reg: reg, access: access.NewService(db, access.WithLogger(log), access.WithRegistry(reg)),
		cases: tracking.NewService(db, log, reg), outbox: outbox.Policy{MaxAttempts: attempts, Metrics: outbox.NewMetrics(reg)}}, nil
}

func serveCmd(ctx context.Context, args []string) error {
	cfg, _, err := parseFlags("serve", args, nil)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.db.Close()
	log := a.log
	log.Info("wismo starting", cfg.logAttrs()...)

	hints, err := a.loadDemo(ctx)
	if err != nil {
		return err
	}
	// Each domain adds its routes and its background jobs here.
	var routes []func(fiber.Router)
	var jobs []job
	// Demo mode without a trunk: the trunk is the demo carrier (democarrier.go), which stops
	// with ctx, hanging up its calls.
	car, err := a.openDemoCarrier()
	if err != nil {
		return err
	}
	defer car.stop()
	tel, err := a.openTelephony(ctx)
	if err != nil {
		return err
	}
	if err := car.start(ctx, a, tel, hints); err != nil {
		return err
	}
	routes = append(routes, tel.routes)
	jobs = append(jobs, tel.job())
	// Cases, SLA timers, escalations and the one-box search (casewiring.go). Timeline sources
	// of other domains plug in with cs.svc.AddTimelineSource; rules open cases with
	// cs.svc.OpenFromRule.
	cs := a.openCases()
	routes = append(routes, cs.routes)
	jobs = append(jobs, cs.jobs(a)...)
	// Brand communications (commswiring.go): rules plan contacts, the dialer sends them;
	// contacts join case timelines, and rules open cases through the case tracker.
	comms, err := a.openComms(cs.svc, tel.center)
	if err != nil {
		return err
	}
	cs.svc.AddTimelineSource(comms.dialer)
	cs.svc.AddTimelineSource(callTimeline{calls: tel.center.Calls})
	tel.phones.UseDispositions(comms.scripts) // the desk's wrap-up offers the brand's own words
	routes = append(routes, comms.routes)
	// The brand managers' editors (/editor): templates, call scripts, rules, calling windows.
	routes = append(routes, func(r fiber.Router) {
		editor.Routes(r, editor.Options{Access: a.access, Scripts: comms.scripts, Dialer: comms.dialer})
	})
	jobs = append(jobs, comms.jobs()...)
	var pages *portal.TrackCache
	if age, _ := cfg.trackPageAge(); age > 0 { // validated at start
		pages = portal.NewTrackCache(age, a.reg)
		jobs = append(jobs, trackPagesJob(a.db, log, pages))
	}
	// Jobs that stop while the node runs are restarted; /readyz names those that are down.
	sup := newSupervisor(log, a.reg)
	proxies, _ := cfg.trustedProxies() // validated at start
	web := portal.New(portal.Deps{Log: log, DB: a.db, Access: a.access, Cases: a.cases, Registry: a.reg, Jobs: sup,
		SecureCookies: cfg.TLSCert != "", PublicURL: cfg.PublicURL, DemoHints: hints, Routes: routes,
		Comms: trackComms{dialer: comms.dialer, calls: callcenter.NewCallLog(a.db)}, CaseDesk: cs.svc,
		Requests:  cs.svc,
		Dashboard: reports.NewDashboard(a.db, cs.svc), TrackCache: pages, DeadLetters: outbox.NewDeadLetters(a.db),
		TrustedProxies: proxies, MetricsToken: cfg.MetricsToken, IdleTimeout: cfg.httpIdleTimeout()})
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	run, _ := cfg.jobSet() // validated at start
	for _, j := range jobs {
		if !slices.Contains(jobNames, j.name) {
			return fmt.Errorf("job %q is not in jobNames (config.go): WISMO_JOBS could not name it", j.name)
		}
		if !run[j.name] {
			log.Info("job off on this node (WISMO_JOBS)", "job", j.name)
			continue
		}
		sup.start(jobsCtx, j)
	}

	if cfg.DebugAddr != "" {
		go serveProfiler(cfg.DebugAddr, log)
	}
	ln, err := listenHTTP(cfg, log, a.reg) // caps and accept retries (httplisten.go)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- web.Listener(ln) }()
	log.Info("wismo is up", "open", cfg.PublicURL+"/", "database", a.db.Location)
	fmt.Fprintf(os.Stderr, "\n  wismo is up: open %s/\n", cfg.PublicURL)
	fmt.Fprintf(os.Stderr, "  staff log in at %s/login (agents: /desk, supervisors: /dashboard, brand managers: /editor)\n", cfg.PublicURL)
	fmt.Fprintf(os.Stderr, "  customers track parcels at %s/track\n", cfg.PublicURL)
	if hints != nil {
		for _, l := range hints.Logins {
			fmt.Fprintf(os.Stderr, "  demo login: %s\n", l)
		}
		for _, p := range hints.Parcels {
			fmt.Fprintf(os.Stderr, "  demo parcel: curl -H 'Authorization: Bearer %s' %s/api/v1/parcels/%s\n", p.APIKey, cfg.PublicURL, p.ID)
		}
	}
	car.banner(os.Stderr)
	fmt.Fprintln(os.Stderr)

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	// Drain, then stop: a second signal forces the exit.
	log.Info("shutting down: draining requests (send the signal again to force)")
	force := make(chan os.Signal, 1)
	signal.Notify(force, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-force
		log.Warn("forced exit")
		os.Exit(1)
	}()
	if err := tel.drain(context.WithoutCancel(ctx)); err != nil {
		log.Warn("calls not drained", "err", err)
	}
	if err := web.ShutdownWithTimeout(30 * time.Second); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopJobs()
	sup.wait()
	log.Info("stopped")
	return nil
}

// demoFile keeps what the demo loader created, so later starts can show the hints again.
const demoFile = "demo.json"

// loadDemo loads demo data into an empty database when configured, and returns the hints for
// the home page (also on later starts, from the data dir).
func (a *app) loadDemo(ctx context.Context) (*portal.DemoHints, error) {
	path := filepath.Join(a.cfg.DataDir, demoFile)
	if a.cfg.Demo {
		brands, err := a.access.Brands(ctx, access.Operator())
		if err != nil {
			return nil, err
		}
		if len(brands) == 0 {
			a.log.Info("empty database: loading demo data", "parcels", a.cfg.DemoParcels)
			start := time.Now()
			sum, err := demo.Run(ctx, demo.Options{Parcels: a.cfg.DemoParcels, Seed: time.Now().UnixNano(), Now: time.Now().UTC()}, a.access, a.cases, a.log)
			if err != nil {
				return nil, fmt.Errorf("demo data: %w", err)
			}
			a.log.Info("demo data loaded", "parcels", sum.Parcels, "events", sum.Events, "took", time.Since(start).Round(time.Millisecond))
			if _, err := demo.Cases(ctx, demo.CaseOptions{Cases: a.cfg.DemoParcels / 10, Seed: time.Now().UnixNano(), Now: time.Now().UTC()},
				a.db, a.caseService(), a.log); err != nil {
				return nil, fmt.Errorf("demo cases: %w", err)
			}
			if err := store.EnsurePrivateDir(a.cfg.DataDir, a.log); err != nil {
				return nil, err
			}
			b, _ := json.MarshalIndent(sum, "", "  ")
			if err := os.WriteFile(path, b, store.PrivateFileMode); err != nil { // demo logins and API keys
				return nil, err
			}
		}
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var sum demo.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	keys := map[int64]string{}
	for _, b := range sum.Brands {
		keys[b.ID] = b.APIKey
	}
	h := &portal.DemoHints{}
	for _, id := range sum.Sample {
		brand, err := tracking.Owner(ctx, a.db, access.Operator(), id)
		if err != nil {
			continue // the demo file outlived its database
		}
		h.Parcels = append(h.Parcels, portal.DemoParcel{ID: id, APIKey: keys[brand]})
	}
	for _, u := range sum.Users {
		h.Logins = append(h.Logins, fmt.Sprintf("%s / %s (%s)", u.Email, u.Password, u.Role))
	}
	return h, nil
}

func migrateCmd(ctx context.Context, args []string) error {
	cfg, _, err := parseFlags("migrate", args, nil)
	if err != nil {
		return err
	}
	log := cfg.newLogger()
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.Migrate(ctx, log)
	if err != nil {
		return err
	}
	fmt.Printf("%s is at schema version %d\n", db.Location, v)
	return nil
}
