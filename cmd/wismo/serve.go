package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/callback"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/callcenter/routing"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/csat"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/demo/partnerpost"
	"github.com/wismo/wismo/deskcase"
	"github.com/wismo/wismo/eta"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/callpages"
	"github.com/wismo/wismo/portal/callsections"
	"github.com/wismo/wismo/portal/casepages"
	"github.com/wismo/wismo/portal/editor"
	"github.com/wismo/wismo/portal/holdpages"
	"github.com/wismo/wismo/portal/wallboard"
	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/ccmetrics"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/updates"
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
	a.log.Info("wismo starting", cfg.logAttrs()...)
	hints, err := a.loadDemo(ctx)
	if err != nil {
		return err
	}
	n, err := a.wire(ctx, hints)
	if err != nil {
		return err
	}
	defer n.car.stop()
	if n.posts, err = a.openDemoPosts(ctx); err != nil {
		return err
	}
	defer n.posts.Close()
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	if err := n.startJobs(jobsCtx, cfg, a.log); err != nil {
		return err
	}
	if cfg.DebugAddr != "" {
		go serveProfiler(cfg.DebugAddr, a.log)
	}
	ln, err := listenHTTP(cfg, a.log, a.reg) // caps and accept retries (httplisten.go)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- n.web.Listener(ln) }()
	a.log.Info("wismo is up", "open", cfg.PublicURL+"/", "database", a.db.Location)
	n.announce(os.Stderr, cfg.PublicURL, hints)
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	n.drain(ctx, a.log, stopJobs)
	return nil
}

// node is the wired product of one `wismo serve`: every domain's routes and jobs, the web app
// that serves them and the supervisor that runs the jobs.
type node struct {
	car  *demoCarrier
	tel  *telephonyPart
	in   *inboundPart
	jobs []job
	sup  *supervisor
	web  *fiber.App
	// bg are one-off background tasks of the start (the prompt cache's warm-up): shutdown
	// waits for them as for the jobs, so nothing writes the data dir after serve returns.
	bg sync.WaitGroup
	// posts are the demo's partner posts (demo mode only; democarrier.go).
	posts *partnerpost.Posts
}

// wire opens every domain and joins them: each adds its routes and background jobs.
func (a *app) wire(ctx context.Context, hints *portal.DemoHints) (*node, error) {
	n := &node{}
	var routes []func(fiber.Router)
	var err error
	// Demo mode without a trunk: the trunk is the demo carrier (democarrier.go), which stops
	// with ctx, hanging up its calls.
	if n.car, err = a.openDemoCarrier(); err != nil {
		return nil, err
	}
	if n.tel, err = a.openTelephony(ctx); err != nil {
		n.car.stop()
		return nil, err
	}
	if err := n.car.start(ctx, a, n.tel, hints); err != nil {
		n.car.stop()
		return nil, err
	}
	routes = append(routes, n.tel.routes)
	n.jobs = append(n.jobs, n.tel.job())
	// Expected dates from recent deliveries on every parcel view: the page, the API, messages.
	expect := eta.New(a.db, a.log)
	a.cases.SetExpecter(expect.Fill)
	n.jobs = append(n.jobs, etaJob(expect))
	// Talk analytics of every finished recording (cmd/wismo/talk.go).
	n.jobs = append(n.jobs, talkJob(n.tel.talk))
	// Quality reviews, the weekly review sample, the call export, the audit and quality pages
	// (cmd/wismo/quality.go; docs/quality-reviews.md).
	qp := a.openQuality(n.tel)
	routes = append(routes, qp.routes)
	n.jobs = append(n.jobs, qp.job())
	// Compact storage (Opus after the call) and retention with legal holds of recordings
	// (cmd/wismo/recordingstorage.go; docs/recordings-storage.md).
	rs := a.openRecordingStorage(n.tel.recs)
	qp.pages.Retention = rs.retention // the retention form of /quality (portal/quality)
	routes = append(routes, rs.routes)
	n.jobs = append(n.jobs, rs.jobs()...)
	// Transcripts of every finished recording (speechconfig.go; docs/transcripts.md): the job,
	// GET /api/v1/calls/{id}/transcript, the case page; the one-box search reads the table.
	transcripts, err := a.openTranscripts()
	if err != nil {
		n.car.stop()
		return nil, err
	}
	n.jobs = append(n.jobs, transcriptsJob(transcripts))
	rs.compact.WaitForTranscripts(transcripts.Enabled()) // Opus only after the transcript, when there is an engine
	routes = append(routes, func(r fiber.Router) { transcribe.Routes(r, transcripts) })
	// Cases, SLA timers, escalations and the one-box search (casewiring.go). Timeline sources
	// of other domains plug in with cs.svc.AddTimelineSource; rules open cases with
	// cs.svc.OpenFromRule.
	cs := a.openCases()
	routes = append(routes, cs.routes)
	n.jobs = append(n.jobs, cs.jobs(a)...)
	// Brand communications (commswiring.go): rules plan contacts, the dialer sends them;
	// contacts join case timelines, and rules open cases through the case tracker.
	comms, err := a.openComms(cs.svc, n.tel.center)
	if err != nil {
		n.car.stop()
		return nil, err
	}
	cs.svc.AddTimelineSource(comms.dialer)
	cs.svc.AddTimelineSource(callTimeline{calls: n.tel.center.Calls})
	// The desk and the cases as one workspace: cases opened from calls, calls linked to them.
	dc := deskcase.New(a.db, n.tel.center.Calls, cs.svc)
	routes = append(routes, func(r fiber.Router) { deskcase.Routes(r, dc) })
	// Transfers of live calls (docs/transfers.md) and the call page /calls/{id} with the
	// call's legs, transfers, recording and cases (package callpages; sections plug in there).
	transfers := transfer.New(a.db, n.tel.center, a.log, 0)
	var mon *monitor.Service // made below; the call page lists its monitoring log
	n.tel.eng.OnRefer(func(leg *telephony.Leg, to string, done func(int)) error { return transfers.Refer(ctx, leg, to, done) })
	routes = append(routes, func(r fiber.Router) {
		transfer.Routes(r, transfers)
	})
	n.tel.phones.UseDispositions(comms.scripts) // the desk's wrap-up offers the brand's own words
	routes = append(routes, comms.routes)
	// Supervisors on live calls (listen, whisper, barge) and three-way conferences
	// (callcenter/monitor, docs/monitoring.md): third legs on the calls' taps.
	mon, err = monitor.New(context.WithoutCancel(ctx), a.db, n.tel.center, n.tel.eng, a.cfg.softphone(), a.log)
	if err != nil {
		n.car.stop()
		return nil, err
	}
	mon.UseTransfers(transfers) // agents added to conferences are rung as transfer targets
	routes = append(routes, func(r fiber.Router) { monitor.Routes(r, mon) })
	// The call page /calls/{id} (portal/callpages) with the sections of other domains
	// (portal/callsections): the call's review, transcript, monitoring log and recording audit.
	routes = append(routes, func(r fiber.Router) {
		callpages.Routes(r, callpages.Options{Access: a.access, Calls: n.tel.center.Calls, Transfers: transfers, Cases: dc,
			Sections: callsections.Sections(callsections.Options{Access: a.access, Monitor: mon, Transcripts: transcripts, Reviews: qp.reviews})})
	})
	// Callbacks the hotline and the agents promise become the dialer's calls (docs/outbound.md).
	callbacks := callback.New(a.db, comms.dialer, a.cases, a.log)
	n.tel.center.UseCallbacks(callbacks)
	routes = append(routes, func(r fiber.Router) { callback.Routes(r, callbacks) })
	// The days a parcel may be moved to and the customer's choice (docs/delivery-days.md):
	// the API, the tracking page, phone menus; choices join case timelines.
	days := deliverydays.New(a.db, cs.svc)
	cs.svc.AddTimelineSource(days)
	routes = append(routes, func(r fiber.Router) { deliverydays.Routes(r, days) })
	// Automated calls' prompts (docs/ivr.md): brands' texts and key maps, spoken by espeak-ng
	// (optional) or recorded under <data dir>/prompts/<brand>/, with a preview.
	prompts, err := ivr.New(ivr.Config{Dir: filepath.Join(a.cfg.DataDir, "prompts"), Log: a.log})
	if err != nil {
		n.car.stop()
		return nil, err
	}
	promptSettings := ivr.NewSettings(a.db)
	routes = append(routes, func(r fiber.Router) { ivr.Routes(r, promptSettings, prompts) })
	if r := comms.robo; r != nil { // robocall campaigns (docs/ivr.md)
		r.Eng, r.Prompts, r.Settings, r.Days, r.Queue, r.Agents = n.tel.eng, prompts, promptSettings, days, n.tel.center, callbacks
		r.Start(ctx)
	}
	// Routing by language and skill (docs/routing.md): calls go first to the agents who speak
	// the recipient's language (and have the queue's skill), after the queue's wait to anyone
	// of the brand; queued callers hear their place and expected wait between the music.
	routingSvc := routing.NewService(a.db)
	router := routing.NewRouter(routingSvc, a.cases, a.log)
	n.tel.center.UseRouter(router)
	routes = append(routes, func(r fiber.Router) {
		routing.Routes(r, routingSvc, a.access)
		routing.PageRoutes(r, routingSvc, a.access)
	})
	// Queued hotline callers hear "press 1 to be called back" (docs/ivr.md).
	n.tel.center.UseQueueWait((&ivr.QueueOffer{Eng: n.tel.eng, Prompts: prompts,
		Announce: (&routing.Announcer{Router: router, Prompts: prompts}).Announce}).Wait)
	// Before the queue, a caller matched to a parcel hears its status and may choose another
	// delivery day (docs/ivr.md "Self-service on the hotline").
	selfCount := ivr.NewSelfServiceCounter()
	a.reg.MustRegister(selfCount)
	// The greeting and menu are the brand's (/editor/{brand}/hotline-menu); key 3 plans the
	// tracking link by SMS through the dialer; calls.self_service counts deflection.
	self := &ivr.SelfService{Eng: n.tel.eng, Prompts: prompts, Parcels: a.cases, Words: comms.words,
		Settings: promptSettings, Days: days, SMS: comms.dialer, PublicURL: a.cfg.PublicURL, DB: a.db, Log: a.log, Count: selfCount}
	self.NumberLookups, self.AllLookups = a.cfg.hotlineLookups()
	n.tel.center.UseSelfService(self.Serve)
	n.bg.Go(func() { self.Warm(ctx) }) // the fixed texts into the prompt cache
	// The brand managers' editors (/editor): templates, call scripts, rules, calling windows.
	// The shop's look on the tracking page (package branding; the editor's look page sets it).
	looks := branding.New(a.db)
	routes = append(routes, func(r fiber.Router) {
		editor.Routes(r, editor.Options{Access: a.access, Scripts: comms.scripts, Dialer: comms.dialer, Looks: looks, Prompts: promptSettings})
	})
	// The agents' case workspace (/cases): views and the case page.
	// Replies go through the dialer (conversation); macros bundle a reply with case changes.
	replies := conversation.New(a.db, a.log, comms.dialer, comms.scripts, cs.svc, a.cases)
	caseMacros := macros.New(a.db, cs.svc, replies)
	routes = append(routes, func(r fiber.Router) {
		macros.Routes(r, caseMacros)
		casepages.Routes(r, casepages.Options{Access: a.access, Cases: cs.svc, Tracking: a.cases, Replier: replies, Macros: caseMacros,
			Transcripts: transcripts,
			// The legal hold card for supervisors (portal/holdpages; recordings/retention's holds).
			Cards: []casepages.Card{holdpages.Card{Access: a.access, Cases: cs.svc, Holds: rs.retention}}})
	})
	// Contact-center metrics (reports/ccmetrics, portal/wallboard; docs/contact-center-metrics.md):
	// the wallboard, the report over a period with drill-down and CSV, its API and the targets.
	routes = append(routes, func(r fiber.Router) {
		wallboard.Routes(r, wallboard.Options{Log: a.log, Access: a.access, Metrics: ccmetrics.New(a.db), Live: reports.NewDashboard(a.db, cs.svc)})
	})
	n.jobs = append(n.jobs, comms.jobs()...)
	// Customers writing back (inboundwiring.go): SMS replies and e-mail onto cases.
	if n.in, err = a.openInbound(comms, cs.svc); err != nil {
		n.car.stop()
		return nil, err
	}
	routes = append(routes, n.in.routes)
	n.jobs = append(n.jobs, n.in.jobs(a)...)
	parcelUpdates := updates.New(a.db, comms.dialer)
	n.jobs = append(n.jobs, updatesJob(a, parcelUpdates))
	var pages *portal.TrackCache
	if age, _ := a.cfg.trackPageAge(); age > 0 { // validated at start
		pages = portal.NewTrackCache(age, a.reg)
		n.jobs = append(n.jobs, trackPagesJob(a.db, a.log, pages))
	}
	days.OnChoice(func(_ int64, parcel string) { pages.Drop(parcel) }) // at once on this node; others on the outbox
	// Jobs that stop while the node runs are restarted; /readyz names those that are down.
	n.sup = newSupervisor(a.log, a.reg)
	proxies, _ := a.cfg.trustedProxies() // validated at start
	n.web = portal.New(portal.Deps{Log: a.log, DB: a.db, Access: a.access, Cases: a.cases, Registry: a.reg, Jobs: n.sup,
		SecureCookies: a.cfg.TLSCert != "", PublicURL: a.cfg.PublicURL, DemoHints: hints, Routes: routes,
		Comms: trackComms{dialer: comms.dialer, calls: callcenter.NewCallLog(a.db), callbacks: callbacks}, CaseDesk: cs.svc,
		Requests: cs.svc, Days: days, Search: cs.search, Ratings: csat.New(a.db), Updates: parcelUpdates,
		Dashboard: reports.NewDashboard(a.db, cs.svc), TrackCache: pages, Looks: looks, DeadLetters: outbox.NewDeadLetters(a.db),
		TrustedProxies: proxies, MetricsToken: a.cfg.MetricsToken, IdleTimeout: a.cfg.httpIdleTimeout()})
	return n, nil
}

// startJobs starts the background jobs WISMO_JOBS names on this node, under the supervisor.
func (n *node) startJobs(ctx context.Context, cfg *Config, log *slog.Logger) error {
	run, _ := cfg.jobSet() // validated at start
	for _, j := range n.jobs {
		if !slices.Contains(jobNames, j.name) {
			return fmt.Errorf("job %q is not in jobNames (config.go): WISMO_JOBS could not name it", j.name)
		}
		if !run[j.name] {
			log.Info("job off on this node (WISMO_JOBS)", "job", j.name)
			continue
		}
		n.sup.start(ctx, j)
	}
	return nil
}

// announce tells the person who started wismo where to click.
func (n *node) announce(w io.Writer, publicURL string, hints *portal.DemoHints) {
	fmt.Fprintf(w, "\n  wismo is up: open %s/\n", publicURL)
	fmt.Fprintf(w, "  staff log in at %s/login (agents: /desk and /cases, supervisors: /dashboard, brand managers: /editor; /settings for your language and time zone)\n", publicURL)
	fmt.Fprintf(w, "  customers' SMS and e-mail from unknown senders wait at %s/inbound/review; a brand's tracking-page look and automated call are at /editor/{brand}/look and /robocall\n", publicURL)
	fmt.Fprintf(w, "  the floor: %s/wallboard and /reports/contact-center (supervisors; Listen on the dashboard's live calls), /quality (reviews, talk analytics, the recordings' audit), /routing/{brand}, /editor/{brand}/hotline-menu, a call's page at /calls/{id}\n", publicURL)
	fmt.Fprintf(w, "  customers track parcels at %s/track\n", publicURL)
	if hints != nil {
		for _, l := range hints.Logins {
			fmt.Fprintf(w, "  demo login: %s\n", l)
		}
		for _, p := range hints.Parcels {
			fmt.Fprintf(w, "  demo parcel: curl -H 'Authorization: Bearer %s' %s/api/v1/parcels/%s\n", p.APIKey, publicURL, p.ID)
		}
	}
	n.car.banner(w)
	if n.posts != nil {
		fmt.Fprintf(w, "  demo partner posts at %s take escalations; they answer a case you escalate within %s\n", n.posts.URL(), demoPostDelay)
	}
	fmt.Fprintln(w)
}

// drain stops the node in order (STYLE.md: drain, then stop): live calls end, requests
// drain, then the jobs stop. A second signal forces the exit.
func (n *node) drain(ctx context.Context, log *slog.Logger, stopJobs func()) {
	log.Info("shutting down: draining requests (send the signal again to force)")
	force := make(chan os.Signal, 1)
	signal.Notify(force, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-force
		log.Warn("forced exit")
		os.Exit(1)
	}()
	if err := n.tel.drain(context.WithoutCancel(ctx)); err != nil {
		log.Warn("calls not drained", "err", err)
	}
	if err := n.web.ShutdownWithTimeout(30 * time.Second); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	stopJobs()
	n.sup.wait()
	n.bg.Wait()
	log.Info("stopped")
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
			sum, _, err := a.loadDemoData(ctx, demoLoad{Parcels: a.cfg.DemoParcels, Cases: -1, Seed: time.Now().UnixNano(), Now: time.Now().UTC()})
			if err != nil {
				return nil, err
			}
			a.log.Info("demo data loaded", "parcels", sum.Parcels, "events", sum.Events, "took", time.Since(start).Round(time.Millisecond))
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
