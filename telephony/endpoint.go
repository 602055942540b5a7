package telephony

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/throttle"
)

// Endpoint is the SIP user agent: server and client on one UDP socket and one TCP listener.
type Endpoint struct {
	cfg     Config
	log     *slog.Logger
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	cli     *sipgo.Client
	dialogs *sipgo.DialogClientCache
	uas     *sipgo.DialogServerCache
	ports   *portPool
	media   *mediaEngine
	codecs  media.Codecs
	reg     *Registrar
	inbound InboundHandler
	host    string
	port    int

	base     context.Context // teardown context of hangups the endpoint decides (RTP timeout)
	stop     chan struct{}   // closed by Close: the watchdog stops
	stopOnce sync.Once

	legs     sync.Map // SIP Call-ID -> *Leg
	active   atomic.Int64
	rtpRx    atomic.Uint64 // RTP packets received on legs that ended
	rtpTx    atomic.Uint64 // and sent
	relayed  atomic.Uint64 // RTP packets relayed by bridges, live
	onDTMF   atomic.Pointer[func(DTMF)]
	onRefer  atomic.Pointer[ReferFunc]
	draining atomic.Bool
	addr     string // host:port the sockets are bound to
	endpointState

	mu    sync.Mutex // guards socks
	socks *sockets
}

// New creates the endpoint and binds its sockets (so that a port 0 is known at once).
// creds looks up agents' HA1 for REGISTER; inbound may be nil (every INVITE is refused).
func New(ctx context.Context, cfg Config, log *slog.Logger, creds Credentials, inbound InboundHandler) (*Endpoint, error) {
	if cfg.Realm == "" {
		cfg.Realm = "wismo"
	}
	if cfg.NoRTPTimeout == 0 {
		cfg.NoRTPTimeout = 30 * time.Second
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []uint8{media.PayloadPCMU, media.PayloadPCMA}
	}
	if cfg.TCP.MaxConns == 0 {
		cfg.TCP.MaxConns = DefaultMaxConns()
	}
	e := &Endpoint{cfg: cfg, log: log.With("component", "sip"), codecs: media.NewCodecs(), inbound: inbound,
		base: context.WithoutCancel(ctx), stop: make(chan struct{})}
	socks, err := e.listen(cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	laddr := socks.udp.LocalAddr().(*net.UDPAddr)
	e.socks, e.addr = socks, laddr.String()
	e.host, e.port = laddr.IP.String(), laddr.Port
	if cfg.PublicAddr != "" {
		h, p, err := sip.ParseAddr(cfg.PublicAddr)
		if err != nil {
			socks.close()
			return nil, fmt.Errorf("SIP public address %q: %w", cfg.PublicAddr, err)
		}
		e.host, e.port = h, p
	}
	e.trunkName = e.trunkHost()
	e.ports = newPortPool(laddr.IP, cfg.RTPPortMin, cfg.RTPPortMax)
	e.reg = newRegistrar(context.WithoutCancel(ctx), cfg.Realm, creds, cfg.AuthMaxWait, e.log)
	if e.media, err = newMediaEngine(runtime.GOMAXPROCS(0)); err != nil {
		socks.close()
		return nil, fmt.Errorf("media loops: %w", err)
	}
	e.ua, err = sipgo.NewUA(sipgo.WithUserAgent("wismo"), sipgo.WithUserAgentHostname(e.host), sipgo.WithUserAgentParser(newParser()),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(e.log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(e.log)))
	if err == nil {
		e.srv, err = sipgo.NewServer(e.ua, sipgo.WithServerLogger(e.log))
	}
	if err == nil {
		e.cli, err = sipgo.NewClient(e.ua, sipgo.WithClientLogger(e.log), sipgo.WithClientHostname(e.host))
	}
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("sipgo: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "wismo", Host: e.host, Port: e.port}}
	e.dialogs = sipgo.NewDialogClientCache(e.cli, contact)
	e.uas = sipgo.NewDialogServerCache(e.cli, contact)
	e.routes()
	go e.watchMedia()
	return e, nil
}

// Addr is the SIP address the endpoint listens on (host:port).
func (e *Endpoint) Addr() string { return e.addr }

// Registrar returns the registrations of agents' phones.
func (e *Endpoint) Registrar() *Registrar { return e.reg }

// Serve answers SIP on UDP and TCP until ctx ends (nil). When a transport stops (its socket
// failed) Serve closes both and returns the error; called again, it binds new sockets to the
// same address, so a supervisor that restarts it brings SIP back.
func (e *Endpoint) Serve(ctx context.Context) error {
	s, err := e.sockets()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if e.trunkName != "" {
		go e.watchTrunk(ctx, e.trunkName)
	}
	e.log.Info("SIP endpoint listening", "addr", e.Addr(), "transports", "udp,tcp", "trunk", e.cfg.Trunk.URI,
		"tcp_max_conns", e.cfg.TCP.MaxConns, "tcp_max_conns_per_addr", e.cfg.TCP.MaxConnsPerAddr, "tcp_idle", e.cfg.TCP.Idle)
	return e.serve(ctx, s)
}

// sockets returns the sockets to serve on, binding new ones when the last Serve stopped on
// an error.
func (e *Endpoint) sockets() (*sockets, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.broken.Load() {
		s, err := e.listen(e.addr)
		if err != nil {
			return nil, err
		}
		e.socks = s
		e.broken.Store(false)
	}
	return e.socks, nil
}

// Stats are the endpoint's counts: SIP TCP connections (since the listener was last bound)
// and registrations.
type Stats struct {
	TCP      throttle.ConnStats
	Register RegisterStats
}

// Stats returns the endpoint's counts.
func (e *Endpoint) Stats() Stats {
	e.mu.Lock()
	tcp := e.socks.tcp.Stats()
	e.mu.Unlock()
	return Stats{TCP: tcp, Register: e.reg.Stats()}
}

// RTPPackets returns how many RTP packets the legs that have ended received and sent.
func (e *Endpoint) RTPPackets() (rx, tx uint64) { return e.rtpRx.Load(), e.rtpTx.Load() }

// Relayed is how many RTP packets bridges have relayed so far.
func (e *Endpoint) Relayed() uint64 { return e.relayed.Load() }

// Active is the number of calls (legs) up or being set up.
func (e *Endpoint) Active() int64 { return e.active.Load() }

// Drain stops taking new calls and waits until every active leg has ended or ctx ends,
// logging the count (STYLE.md: drain, then stop).
func (e *Endpoint) Drain(ctx context.Context) error {
	e.draining.Store(true)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := e.active.Load(); n > 0; n = e.active.Load() {
		e.log.Info("draining calls", "active", n)
		select {
		case <-ctx.Done():
			return fmt.Errorf("drain: %d calls still up: %w", n, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// Close releases the sockets and sipgo's layers.
func (e *Endpoint) Close() error {
	e.stopOnce.Do(func() { close(e.stop) })
	if e.srv != nil {
		e.srv.Close()
	}
	if e.cli != nil {
		e.cli.Close()
	}
	if e.ua != nil {
		e.ua.Close()
	}
	e.mu.Lock()
	e.socks.close()
	e.mu.Unlock()
	if e.media != nil {
		e.media.stop()
	}
	return nil
}

func (e *Endpoint) newStream() (*RTPStream, error) {
	fd, port, err := e.ports.listen()
	if err != nil {
		return nil, err
	}
	var b [4]byte
	rand.Read(b[:])
	s := newRTPStream(fd, port, binary.BigEndian.Uint32(b[:]))
	if err := e.media.add(s); err != nil {
		s.Close()
		return nil, fmt.Errorf("RTP port %d: %w", port, err)
	}
	return s, nil
}

// errDraining refuses new calls during shutdown.
var errDraining = errors.New("shutting down: not taking new calls")
