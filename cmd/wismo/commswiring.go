package main

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/elapsed"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/trackwords"
)

// commsPart is brand communications as serve wires them: the rules (scripts) that plan
// contacts from the outbox, and the dialer that sends them inside recipients' windows.
type commsPart struct {
	dialer  *dialer.Service
	scripts *scripts.Service
	mo      *moForward        // SMPP replies to the inbound service (inboundwiring.go)
	robo    *ivr.Robocall     // places robocall campaigns' calls, the rest through the center (nil: no center)
	elapsed *elapsed.Service  // the rules on elapsed time (docs/elapsed.md)
	words   *trackwords.Cache // customers' words with the brands' overrides: messages and the hotline speak them
}

// openComms builds the dialer on the channels the settings choose and the rules over it.
// cases opens the cases rules ask for (nil: they wait, pending); center, when set, places the
// dialer's progressive calls (nil: due calls wait in their campaign's queue,
// GET /api/v1/campaigns/{id}/queue).
func (a *app) openComms(cases scripts.CaseOpener, center *callcenter.Center) (*commsPart, error) {
	opts := a.cfg.dialerOptions()
	opts.Registry = a.reg
	mo := &moForward{}
	opts.MO, opts.Prepare = mo.handle, mo.prepare
	outcomes := &dialerOutcomes{}
	var robo *ivr.Robocall
	if center != nil {
		// Robocall campaigns' calls are placed by package ivr, the others by the call center;
		// serve completes robo (prompts, delivery days) once those are built.
		robo = &ivr.Robocall{DB: a.db, Calls: center.Calls, Next: callcenter.NewPlacer(center, outcomes), Outcomes: outcomes, Log: a.log}
		opts.Calls = robo
	}
	// Demo mode without an SMSC or a mail server: the demo provider delivers every message
	// and says so with a receipt, so that the demo's messages show as delivered.
	var providers []*demo.Provider
	if a.cfg.Demo && opts.SMPP == nil && opts.SMSHTTP == "" && opts.SMS == nil {
		p := &demo.Provider{Channel: dialer.SMS, Log: a.log}
		opts.SMS, providers = p, append(providers, p)
	}
	if a.cfg.Demo && opts.SMTPURL == "" && opts.Email == nil {
		p := &demo.Provider{Channel: dialer.Email, Log: a.log}
		opts.Email, providers = p, append(providers, p)
	}
	d, err := dialer.New(a.db, a.log, opts)
	if err != nil {
		return nil, err
	}
	for _, p := range providers {
		p.Receipts = d
	}
	outcomes.d = d
	words := trackwords.NewCache(branding.New(a.db))
	s := scripts.New(a.db, a.log, scripts.Options{PublicURL: a.cfg.PublicURL, Planner: d, Parcels: a.cases, Cases: cases, Brands: a.access, Outbox: a.outbox,
		Words: words}) // the customer words of messages (issue 18)
	el := elapsed.New(a.db, a.log, s, elapsed.Options{Outbox: a.outbox})
	return &commsPart{dialer: d, scripts: s, mo: mo, robo: robo, elapsed: el, words: words}, nil
}

// dialerOutcomes hands call outcomes from the call center to the dialer, which is created
// after the placer that reports them (the dialer takes its CallPlacer at construction).
type dialerOutcomes struct{ d *dialer.Service }

func (o *dialerOutcomes) RecordCallOutcome(ctx context.Context, contactID int64, outcome, disposition, actor string, callbackAt time.Time) error {
	return o.d.RecordCallOutcome(ctx, contactID, outcome, disposition, actor, callbackAt)
}

func (o *dialerOutcomes) OptOut(ctx context.Context, brand int64, ch dialer.Channel, address, source string) error {
	return o.d.OptOut(ctx, brand, ch, address, source)
}

// routes mounts the editors' API, the contacts API and the unsubscribe page.
func (p *commsPart) routes(r fiber.Router) {
	dialer.Routes(r, p.dialer)
	scripts.Routes(r, p.scripts)
	elapsed.Routes(r, p.scripts)
}

// jobs are the rules' outbox consumer and the dialer (claims, sweeps, the SMSC link).
func (p *commsPart) jobs() []job {
	return []job{
		{name: "comms-rules", run: p.scripts.Run},
		{name: "elapsed-rules", run: func(ctx context.Context) { p.elapsed.Run(ctx) }},
		{name: "dialer", run: func(ctx context.Context) { p.dialer.Run(ctx) }},
	}
}
