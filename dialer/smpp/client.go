package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Config is how to reach and bind to the SMSC.
type Config struct {
	Addr       string // host:port
	SystemID   string
	Password   string
	SystemType string
	SourceAddr string // our address: a short code, "+E.164" or an alphanumeric sender id
	Window     int    // most submit_sm awaiting their response at once (default 10)

	Timeout     time.Duration // response timeout (default 10s)
	EnquireLink time.Duration // idle time before an enquire_link (default 30s)
	MinBackoff  time.Duration // first reconnect delay (default 500ms), doubling...
	MaxBackoff  time.Duration // ...up to this (default 30s)

	// Handler receives delivery receipts and mobile-originated messages. Its error answers
	// the SMSC with a temporary error, so the SMSC delivers again later.
	Handler func(ctx context.Context, d Deliver) error
	Log     *slog.Logger
}

// Client is an SMPP transceiver that keeps itself bound while Run runs.
type Client struct {
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	cur   *session
	ready chan struct{} // closed while cur is bound

	refMu sync.Mutex
	ref   byte // concatenation reference of the last long message

	deliveries chan delivery
}

type delivery struct {
	sess *session
	seq  uint32
	body []byte
}

// NewClient returns a client; call Run to connect.
func NewClient(cfg Config) *Client {
	if cfg.Window <= 0 {
		cfg.Window = 10
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.EnquireLink <= 0 {
		cfg.EnquireLink = 30 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(30*time.Second, cfg.MinBackoff)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, log: cfg.Log.With("component", "smpp", "smsc", cfg.Addr), ready: make(chan struct{}),
		deliveries: make(chan delivery, 256)}
}

// Run connects, binds and stays bound until ctx ends, reconnecting with exponential backoff
// and jitter whenever the connection drops; then it unbinds.
func (c *Client) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range deliverWorkers {
		wg.Add(1)
		go func() { defer wg.Done(); c.deliverLoop(ctx) }()
	}
	defer wg.Wait()
	backoff := c.cfg.MinBackoff
	for ctx.Err() == nil {
		sess, err := c.connect(ctx)
		if err != nil {
			c.log.Warn("SMSC connection failed; retrying", "err", err, "in", backoff)
		} else {
			backoff = c.cfg.MinBackoff
			c.log.Info("bound to the SMSC as a transceiver")
			c.serve(ctx, sess)
			if ctx.Err() != nil {
				return
			}
			c.log.Warn("SMSC connection lost; reconnecting", "err", sess.err, "in", backoff)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff/2 + rand.N(backoff/2+1)):
		}
		backoff = min(2*backoff, c.cfg.MaxBackoff)
	}
}

func (c *Client) connect(ctx context.Context) (*session, error) {
	d := net.Dialer{Timeout: c.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", c.cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := newSession(conn, c.cfg.Window, c.cfg.Timeout)
	if err := s.bind(c.cfg.SystemID, c.cfg.Password, c.cfg.SystemType); err != nil {
		s.kill(err)
		return nil, err
	}
	return s, nil
}

// serve publishes a bound session, reads from it until it dies, then withdraws it.
func (c *Client) serve(ctx context.Context, s *session) {
	c.mu.Lock()
	c.cur = s
	close(c.ready)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.cur = nil
		c.ready = make(chan struct{})
		c.mu.Unlock()
	}()
	go c.keepAlive(ctx, s)
	stop := context.AfterFunc(ctx, func() { c.unbind(ctx, s) })
	defer stop()
	for {
		p, err := readPDU(s.conn)
		if err != nil {
			s.kill(fmt.Errorf("read: %w", err))
			return
		}
		s.last.Store(time.Now().UnixNano())
		switch {
		case p.Command == EnquireLink:
			s.write(pdu{Command: EnquireLinkResp, Seq: p.Seq})
		case p.Command == DeliverSM:
			select {
			case c.deliveries <- delivery{sess: s, seq: p.Seq, body: p.Body}:
			case <-s.dead:
				return
			}
		case p.Command == Unbind:
			s.write(pdu{Command: UnbindResp, Seq: p.Seq})
			s.kill(errors.New("the SMSC unbound"))
			return
		case p.Command&0x80000000 != 0:
			s.respond(p) // submit_sm_resp, enquire_link_resp, unbind_resp, generic_nack
		default:
			s.write(pdu{Command: GenericNack, Status: StatusInvCmdID, Seq: p.Seq})
		}
	}
}

// keepAlive sends enquire_link after EnquireLink of silence (§4.11) and kills a session
// whose SMSC does not answer within the timeout.
func (c *Client) keepAlive(ctx context.Context, s *session) {
	t := time.NewTicker(max(c.cfg.EnquireLink/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.dead:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, s.last.Load())) < c.cfg.EnquireLink {
			continue
		}
		if _, err := s.request(ctx, EnquireLink, nil); err != nil {
			s.kill(fmt.Errorf("enquire_link: %w", err))
			return
		}
	}
}

// unbind says goodbye (§4.2) and closes, waiting briefly for the answer.
func (c *Client) unbind(ctx context.Context, s *session) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second) // teardown outlives the run context
	defer cancel()
	s.request(ctx, Unbind, nil)
	s.kill(errors.New("unbound"))
}

// deliverWorkers is how many deliver_sm are handled at once: a handler that stores a
// receipt waits for its transaction, and several waiting together share one.
const deliverWorkers = 16

// deliverLoop hands deliver_sm to the handler and answers each after the handler returned,
// so a receipt is acknowledged only once it is stored (an SMSC redelivers what it has no
// answer for). Several loops run; answers may go out in another order than the requests,
// which SMPP allows (responses are matched by sequence number).
func (c *Client) deliverLoop(ctx context.Context) {
	for {
		var d delivery
		select {
		case <-ctx.Done():
			return
		case d = <-c.deliveries:
		}
		status := StatusOK
		msg, err := parseDeliver(d.body)
		switch {
		case err != nil:
			c.log.Warn("malformed deliver_sm", "err", err)
		case c.cfg.Handler != nil:
			if err := c.cfg.Handler(ctx, msg); err != nil {
				c.log.Warn("deliver_sm not handled; the SMSC will retry", "err", err)
				status = StatusTempAppErr
			}
		}
		var w builder
		w.cstring("") // message_id: unused in deliver_sm_resp (§4.6.2)
		d.sess.write(pdu{Command: DeliverSMResp, Status: status, Seq: d.seq, Body: w.b})
	}
}

// Bound reports whether a session is bound now.
func (c *Client) Bound() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil
}

// session waits for a bound session, or for ctx to end.
func (c *Client) session(ctx context.Context) (*session, error) {
	for {
		c.mu.Lock()
		s, ready := c.cur, c.ready
		c.mu.Unlock()
		var pause <-chan time.Time
		if s != nil {
			select {
			case <-s.dead: // dying: serve withdraws it in a moment
				ready, pause = nil, time.After(5*time.Millisecond)
			default:
				return s, nil
			}
		}
		select {
		case <-ready:
		case <-pause:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: no bound SMSC connection: %v", ErrNotSent, ctx.Err())
		}
	}
}
