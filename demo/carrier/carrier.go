// Package carrier is the demo's telephone network: a SIP endpoint on loopback that wismo's
// trunk points at in demo mode, so that every call `make run` places reaches someone. A call
// to a phone number is answered by the number's rule (Rule: busy, no answer, voicemail or a
// person, by the last digit), in the number's language (Language: Russian for +7, else
// English), with recorded voices (voices/, made by tools/demo-voices.sh) sent as PCMU RTP in
// real time. Now and then a demo customer calls wismo's hotline (Hotline).
//
// It guarantees: it binds and sends to loopback addresses only; every call ends by itself
// (a party's tape is bounded, ringing is bounded); at most Config.MaxCalls calls run at
// once; and Run returns only after every call has been hung up and the socket closed.
package carrier

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Config sets the carrier up.
type Config struct {
	// Addr is the loopback host:port the carrier's SIP listens on (UDP); port 0 picks a free one.
	Addr string
	// MaxCalls bounds the calls at once (more are refused with 503); default 8.
	MaxCalls int
	Timing   Timing
}

// Carrier is the demo carrier: bound by New, serving from Run until its context ends.
type Carrier struct {
	cfg    Config
	log    *slog.Logger
	voices map[string]*voices
	conn   net.PacketConn
	addr   *net.UDPAddr
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	uas    *sipgo.DialogServerCache
	uac    *sipgo.DialogClientCache
	// answers holds the SDP of each answered call by Call-ID: a re-INVITE gets it again.
	answers sync.Map

	mu       sync.Mutex
	base     context.Context // Run's: calls end when it does
	stopping bool
	active   int
	calls    sync.WaitGroup
	closed   sync.Once
}

// New binds the carrier's SIP socket on cfg.Addr, which must be a loopback address.
func New(cfg Config, log *slog.Logger) (*Carrier, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("demo carrier address %q: must be a loopback host:port such as 127.0.0.1:0", cfg.Addr)
	}
	if cfg.MaxCalls <= 0 {
		cfg.MaxCalls = 8
	}
	cfg.Timing = cfg.Timing.withDefaults()
	v, err := loadVoices()
	if err != nil {
		return nil, fmt.Errorf("demo carrier voices: %w", err)
	}
	conn, err := net.ListenPacket("udp4", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("demo carrier: %w", err)
	}
	c := &Carrier{cfg: cfg, log: log.With("component", "demo-carrier"), voices: v, conn: conn, addr: conn.LocalAddr().(*net.UDPAddr)}
	ip := c.addr.IP.String()
	c.ua, err = sipgo.NewUA(sipgo.WithUserAgent("wismo-demo-carrier"), sipgo.WithUserAgentHostname(ip))
	var cli *sipgo.Client
	if err == nil {
		c.srv, err = sipgo.NewServer(c.ua, sipgo.WithServerLogger(c.log))
	}
	if err == nil {
		// Requests leave from the listening socket, so that wismo answers where we listen.
		cli, err = sipgo.NewClient(c.ua, sipgo.WithClientHostname(ip), sipgo.WithClientConnectionAddr(c.addr.String()),
			sipgo.WithClientLogger(c.log))
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("demo carrier: sipgo: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "carrier", Host: ip, Port: c.addr.Port}}
	c.uas = sipgo.NewDialogServerCache(cli, contact)
	c.uac = sipgo.NewDialogClientCache(cli, contact)
	c.routes()
	return c, nil
}

// Addr is the host:port the carrier listens on.
func (c *Carrier) Addr() string { return c.addr.String() }

// URI is the carrier as a trunk: wismo's WISMO_TRUNK_URI.
func (c *Carrier) URI() string { return "sip:" + c.Addr() }

// Run answers calls, and places the hotline's demo calls when h is not nil, until ctx ends;
// then it hangs up every call (BYE), waits for them and closes its socket.
func (c *Carrier) Run(ctx context.Context, h *Hotline) error {
	var target sip.Uri
	if h != nil {
		var err error
		if target, err = h.target(); err != nil {
			c.Close()
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	c.base = ctx
	c.mu.Unlock()
	defer c.Close()
	served := make(chan error, 1)
	go func() { served <- c.srv.ServeUDP(c.conn) }()
	var loops sync.WaitGroup
	err := c.ready(ctx)
	if err == nil {
		if h != nil {
			loops.Go(func() { c.hotline(ctx, *h, target) })
		}
		c.log.Info("demo carrier listening", "addr", c.Addr(), "hotline_calls", h != nil)
		select {
		case <-ctx.Done():
		case err = <-served:
			err = fmt.Errorf("demo carrier stopped serving: %w", err)
		}
	}
	cancel()
	c.mu.Lock()
	c.stopping = true // from here on begin refuses: no Add races the Wait below
	c.mu.Unlock()
	loops.Wait()
	c.calls.Wait()
	c.log.Info("demo carrier stopped")
	return err
}

// ready waits until the listening socket is in sipgo's pool: a request sent before would
// make sipgo bind the same address a second time, and fail.
func (c *Carrier) ready(ctx context.Context) error {
	for deadline := time.Now().Add(5 * time.Second); ; {
		if conn, _ := c.ua.TransportLayer().GetConnection("udp", c.Addr()); conn != nil {
			return nil
		}
		if ctx.Err() != nil {
			return nil // stopping already: Run winds down
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo carrier: socket %s did not start serving", c.Addr())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Close releases the socket of a carrier that never ran (Run closes its own).
func (c *Carrier) Close() {
	c.closed.Do(func() {
		if c.srv != nil {
			c.srv.Close()
		}
		if c.ua != nil {
			c.ua.Close()
		}
		c.conn.Close()
	})
}

// begin counts a new call in, returning the context it runs under; false when the carrier
// is full or stopping.
func (c *Carrier) begin() (context.Context, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.base == nil || c.stopping || c.base.Err() != nil || c.active >= c.cfg.MaxCalls {
		return nil, false
	}
	c.active++
	c.calls.Add(1)
	return c.base, true
}

// end counts a call out.
func (c *Carrier) end() {
	c.mu.Lock()
	c.active--
	c.mu.Unlock()
	c.calls.Done()
}

// converse runs an answered call: the party says its tape over m until the tape ends (the
// party hangs up), the far end hangs up (dialog ends), or the carrier stops (we hang up).
func (c *Carrier) converse(ctx context.Context, m *rtpSession, t tape, dialog context.Context, bye func(context.Context) error, log *slog.Logger) {
	playCtx, stop := context.WithCancel(ctx)
	defer stop()
	defer context.AfterFunc(dialog, stop)()
	m.play(playCtx, t.frames())
	if dialog.Err() != nil {
		log.Info("demo call ended by the far end", "rtp_sent", m.tx.Load(), "rtp_received", m.rx.Load())
		return
	}
	// RFC 3261 §15: either party ends the call with BYE; the teardown outlives ctx.
	byeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := bye(byeCtx); err != nil {
		log.Warn("demo carrier's BYE failed", "err", err)
	}
	log.Info("demo carrier hung up", "rtp_sent", m.tx.Load(), "rtp_received", m.rx.Load(), "stopping", ctx.Err() != nil)
}
