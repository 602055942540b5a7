package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/demo/carrier"
	"github.com/wismo/wismo/demo/partnerpost"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/store"
)

// demoHotline is the demo's hotline number: a queue for every brand that the demo carrier's
// customers call (README "The demo carrier").
const demoHotline = "+78005550100"

// demoCarrier is the demo's telephone network (package demo/carrier) on a node in demo mode
// that has no trunk of its own.
type demoCarrier struct {
	car    *carrier.Carrier
	log    *slog.Logger
	every  time.Duration // demo hotline calls; 0: off
	ran    chan error    // Run's result, once started
	cancel context.CancelFunc
	calls  bool   // the hotline calls run
	reason string // why they do not, when they do not
}

// openDemoCarrier binds the demo carrier and points the trunk at it, so that every call to a
// phone number (the desk's preview calls, campaigns) reaches it. Only in demo mode and only
// when no trunk is configured: otherwise it returns nil and nothing listens.
func (a *app) openDemoCarrier() (*demoCarrier, error) {
	cfg := a.cfg
	if !cfg.Demo || cfg.TrunkURI != "" {
		return nil, nil
	}
	car, err := carrier.New(carrier.Config{Addr: cfg.DemoCarrierAddr}, a.log)
	if err != nil {
		return nil, fmt.Errorf("WISMO_DEMO_CARRIER_ADDR: %w", err)
	}
	cfg.TrunkURI = car.URI()
	every, _ := cfg.demoCallsEvery() // validated at start
	return &demoCarrier{car: car, log: a.log, every: every}, nil
}

// start creates the demo hotline queue when it is missing and runs the carrier until ctx
// ends, its customers calling the hotline unless WISMO_DEMO_CALLS is off. Nil-safe.
func (d *demoCarrier) start(ctx context.Context, a *app, tel *telephonyPart, hints *portal.DemoHints) error {
	if d == nil {
		return nil
	}
	if err := ensureDemoHotline(ctx, tel.center); err != nil {
		return err
	}
	var h *carrier.Hotline
	switch addr, err := loopbackSIP(tel.eng.Addr()); {
	case d.every == 0:
		d.reason = "off (WISMO_DEMO_CALLS=off)"
	case err != nil:
		d.reason = "off: " + err.Error()
	default:
		h = &carrier.Hotline{Every: d.every, Target: "sip:" + demoHotline + "@" + addr, Ready: tel.center.Reachable,
			Callers: func(ctx context.Context) ([]string, error) { return demoCallers(ctx, a, hints), nil }}
		d.calls = true
	}
	ctx, d.cancel = context.WithCancel(ctx)
	d.ran = make(chan error, 1)
	go func() { d.ran <- d.car.Run(ctx, h) }()
	return nil
}

// ensureDemoHotline creates the demo hotline's queue, for every brand, unless an earlier
// start did.
func ensureDemoHotline(ctx context.Context, center *callcenter.Center) error {
	_, err := center.AddQueue(ctx, callcenter.Queue{Name: "Demo hotline", Ring: 15 * time.Second, MaxWait: 2 * time.Minute}, demoHotline)
	if err != nil && !store.IsUniqueViolation(err) { // a unique violation: made on an earlier start
		return fmt.Errorf("demo hotline: %w", err)
	}
	return nil
}

// stop stops the carrier (on a signal it has begun already: it runs under serve's context),
// waits for it to hang up its calls and close, or releases it if it never ran. Nil-safe.
func (d *demoCarrier) stop() {
	if d == nil {
		return
	}
	if d.ran == nil {
		d.car.Close()
		return
	}
	d.cancel()
	if err := <-d.ran; err != nil {
		d.log.Warn("demo carrier", "err", err)
	}
}

// banner tells the person who ran `make run` where calls go. Nil-safe.
func (d *demoCarrier) banner(w io.Writer) {
	if d == nil {
		return
	}
	fmt.Fprintf(w, "  demo carrier: calls to phone numbers go to %s; last digit 0 busy, 1 no answer, 2 voicemail, 3-9 a person\n", d.car.URI())
	if d.calls {
		fmt.Fprintf(w, "  demo hotline %s: a demo customer calls every %s while an agent is available (WISMO_DEMO_CALLS=off stops it)\n", demoHotline, d.every)
	} else {
		fmt.Fprintf(w, "  demo hotline %s: demo calls %s\n", demoHotline, d.reason)
	}
}

// demoCallers are the phone numbers of the demo's sample parcels' recipients: the demo
// customers who call the hotline, so that the agent's screen pop finds their parcels.
func demoCallers(ctx context.Context, a *app, hints *portal.DemoHints) []string {
	if hints == nil {
		return nil
	}
	var out []string
	for _, p := range hints.Parcels {
		v, err := a.cases.Parcel(ctx, access.Operator(), p.ID)
		if err == nil && v.Recipient.Phone != "" {
			out = append(out, v.Recipient.Phone)
		}
	}
	return out
}

// loopbackSIP is where the demo carrier reaches wismo's SIP listener: its address, with an
// unspecified host (0.0.0.0, ::) read as 127.0.0.1. The carrier calls loopback only.
func loopbackSIP(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return "", fmt.Errorf("WISMO_SIP_ADDR %q is no IP address", addr)
	case ip.IsUnspecified():
		return net.JoinHostPort("127.0.0.1", port), nil
	case !ip.IsLoopback():
		return "", fmt.Errorf("WISMO_SIP_ADDR %q is not a loopback address, and the demo carrier calls loopback only", addr)
	}
	return addr, nil
}

// validateDemoCarrier checks the demo carrier's settings (used in demo mode only, checked
// always), naming the field of each problem through bad.
func (c *Config) validateDemoCarrier(bad func(field, format string, args ...any)) {
	if host, _, err := net.SplitHostPort(c.DemoCarrierAddr); err != nil || net.ParseIP(host) == nil || !net.ParseIP(host).IsLoopback() {
		bad("WISMO_DEMO_CARRIER_ADDR", "%q must be a loopback host:port such as 127.0.0.1:0 (port 0 picks a free one): the demo carrier is not for the network", c.DemoCarrierAddr)
	}
	if _, err := c.demoCallsEvery(); err != nil {
		bad("WISMO_DEMO_CALLS", "%v", err)
	}
}

// demoCallsEvery is WISMO_DEMO_CALLS: 0 for off.
func (c *Config) demoCallsEvery() (time.Duration, error) {
	v := strings.TrimSpace(c.DemoCalls)
	if v == "off" {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimPrefix(v, "every "))
	if err != nil || d < 10*time.Second || d > 24*time.Hour {
		return 0, fmt.Errorf("%q must be off or a duration between 10s and 24h, such as 2m", c.DemoCalls)
	}
	return d, nil
}

// demoPostDelay is how long a demo partner post takes to answer an escalation.
const demoPostDelay = 20 * time.Second

// openDemoPosts starts the demo's partner posts (package demo/partnerpost) in demo mode, so
// an escalation is delivered, and one made while the node runs is answered; nil otherwise.
func (a *app) openDemoPosts(ctx context.Context) (*partnerpost.Posts, error) {
	if !a.cfg.Demo {
		return nil, nil
	}
	return partnerpost.Start(ctx, a.db, a.caseService(), demoPostDelay, a.log)
}
