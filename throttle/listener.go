package throttle

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ConnLimits bound a listener's connections.
type ConnLimits struct {
	// Total caps the open connections from addresses that are not exempt (0: no cap).
	Total int
	// PerAddr caps the open connections from one source address (0: no cap).
	PerAddr int
	// Idle closes a connection that has sent nothing for this long (0: never; HTTP servers
	// keep their own timeouts). Every byte read counts as activity, so SIP's CRLF keep-alives
	// (RFC 5626 §4.4.1) keep a connection open; a connection from an address that is exempt
	// when its idle time runs out stays open.
	Idle time.Duration
	// Exempt reports addresses held to neither cap: a SIP trunk, registered phones, a trusted
	// reverse proxy. They are trusted peers; the process's file limit still bounds them.
	Exempt func(netip.Addr) bool
}

// Listener wraps ln so that connections beyond the limits are closed as soon as they are
// accepted, idle connections time out, and accept errors that a server would treat as fatal
// (the process ran out of file descriptors: EMFILE, ENFILE) are retried with backoff instead,
// so that a flood of connections never stops the server for good.
func Listener(ln net.Listener, lim ConnLimits, log *slog.Logger) *LimitedListener {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LimitedListener{Listener: ln, lim: lim, log: log, perAddr: map[netip.Addr]int{}}
}

// LimitedListener is a net.Listener under ConnLimits.
type LimitedListener struct {
	net.Listener
	lim ConnLimits
	log *slog.Logger

	mu      sync.Mutex
	open    int // connections from addresses that are not exempt
	perAddr map[netip.Addr]int

	refusedTotal, refusedAddr, acceptRetries atomic.Int64
	lastLog                                  atomic.Int64 // unix nanoseconds of the last retry log line
}

// Accept returns the next connection within the limits.
func (l *LimitedListener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !retryable(err) {
				return nil, err
			}
			// net/http's Serve does the same for temporary errors: 5 ms doubling to 1 s.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			l.acceptRetries.Add(1)
			if now := time.Now().UnixNano(); now-l.lastLog.Load() > int64(time.Second) {
				l.lastLog.Store(now)
				l.log.Warn("accept failed; retrying", "addr", l.Addr().String(), "err", err, "retry_in", delay)
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		if lc, ok := l.admit(c); ok {
			return lc, nil
		}
		c.Close()
	}
}

// retryable reports accept errors that pass: out of file descriptors or memory, or a
// connection the peer aborted before it was accepted.
func retryable(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// admit counts c in, or says it is over a limit.
func (l *LimitedListener) admit(c net.Conn) (net.Conn, bool) {
	addr := remoteAddr(c)
	if l.lim.Exempt != nil && addr.IsValid() && l.lim.Exempt(addr) {
		return &limitedConn{Conn: c, l: l, addr: addr}, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lim.Total > 0 && l.open >= l.lim.Total {
		l.refusedTotal.Add(1)
		return nil, false
	}
	if l.lim.PerAddr > 0 && l.perAddr[addr] >= l.lim.PerAddr {
		l.refusedAddr.Add(1)
		return nil, false
	}
	l.open++
	l.perAddr[addr]++
	return &limitedConn{Conn: c, l: l, addr: addr, counted: true}, true
}

func (l *LimitedListener) release(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.perAddr[addr]--; l.perAddr[addr] <= 0 {
		delete(l.perAddr, addr)
	}
}

// ConnStats are a listener's counts since it started.
type ConnStats struct {
	Open          int   // connections open now, from addresses that are not exempt
	RefusedTotal  int64 // closed at accept: the total cap was reached
	RefusedAddr   int64 // closed at accept: their address had its cap
	AcceptRetries int64 // accepts that failed and were retried (out of file descriptors...)
}

// Stats returns the listener's counts.
func (l *LimitedListener) Stats() ConnStats {
	l.mu.Lock()
	open := l.open
	l.mu.Unlock()
	return ConnStats{Open: open, RefusedTotal: l.refusedTotal.Load(), RefusedAddr: l.refusedAddr.Load(), AcceptRetries: l.acceptRetries.Load()}
}

// remoteAddr is c's source address without port, IPv4-mapped addresses unmapped.
func remoteAddr(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// limitedConn gives its slot back when closed and times out when idle.
type limitedConn struct {
	net.Conn
	l       *LimitedListener
	addr    netip.Addr
	counted bool // it holds a slot (its address is not exempt)
	closed  atomic.Bool
}

// Read reads with the idle deadline. When it passes, a connection whose address is exempt
// now is left open: a phone that registered over this very connection (so it was not exempt
// when it was accepted) must stay reachable through it.
func (c *limitedConn) Read(p []byte) (int, error) {
	for {
		if c.l.lim.Idle > 0 {
			c.Conn.SetReadDeadline(time.Now().Add(c.l.lim.Idle))
		}
		n, err := c.Conn.Read(p)
		var ne net.Error
		if n == 0 && c.l.lim.Idle > 0 && errors.As(err, &ne) && ne.Timeout() &&
			c.l.lim.Exempt != nil && c.addr.IsValid() && c.l.lim.Exempt(c.addr) {
			continue
		}
		return n, err
	}
}

func (c *limitedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) && c.counted {
		c.l.release(c.addr)
	}
	return c.Conn.Close()
}
