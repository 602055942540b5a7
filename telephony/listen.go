package telephony

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
	"golang.org/x/sys/unix"

	"github.com/wismo/wismo/throttle"
)

// TCPLimits bound the SIP TCP listener (issue 13, defect 3: ~20,000 idle connections used
// up the process's file descriptors and SIP stopped for good). The trunk and phones
// registered now are held to neither cap.
type TCPLimits struct {
	// MaxConns caps the open connections in total; 0 picks DefaultMaxConns().
	MaxConns int
	// MaxConnsPerAddr caps the open connections from one source address; 0: no cap.
	MaxConnsPerAddr int
	// Idle closes a connection that sent nothing for this long; 0: never. Every byte
	// counts, so CRLF keep-alives (RFC 5626 §4.4.1) keep a connection open.
	Idle time.Duration
}

// DefaultMaxConns is a quarter of the process's file limit, at most 1024: the rest of the
// file limit stays for RTP sockets, recordings, the database and HTTP. An idle connection
// costs about 7 KB, but one that sent the start of a long message holds its 32 KiB read
// buffer and the partial message: 4,000 such connections grew wismo by 285 MB (about 70 KB
// each), so 1024 bounds that at about 75 MB. Registered phones and the trunk are not
// counted, so 1024 is for strangers and phones that have not registered yet.
func DefaultMaxConns() int {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == unix.RLIM_INFINITY {
		return 1024
	}
	return int(min(max(rl.Cur/4, 16), 1024))
}

// sockets are the endpoint's UDP socket and limited TCP listener.
type sockets struct {
	udp *udpSocket
	tcp *throttle.LimitedListener
}

// udpSocket remembers why its last read failed: sipgo logs the error and returns nil.
type udpSocket struct {
	net.PacketConn
	err atomic.Pointer[error]
}

func (u *udpSocket) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := u.PacketConn.ReadFrom(p)
	if err != nil {
		u.err.Store(&err)
	}
	return n, addr, err
}

// readErr is the error that ended reading, or a stand-in.
func (u *udpSocket) readErr() error {
	if err := u.err.Load(); err != nil {
		return *err
	}
	return errors.New("socket read failed")
}

func (s *sockets) close() {
	s.udp.Close()
	s.tcp.Close()
}

// listen opens the UDP socket and the TCP listener on one port. With port 0 the system picks
// a free UDP port, whose TCP twin may be taken: then it picks again.
func (e *Endpoint) listen(addr string) (*sockets, error) {
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return nil, fmt.Errorf("SIP listen udp %s: %w", addr, err)
		}
		laddr := udp.LocalAddr().(*net.UDPAddr)
		tcp, err := net.Listen("tcp4", laddr.String())
		if err == nil {
			lim := throttle.ConnLimits{Total: e.cfg.TCP.MaxConns, PerAddr: e.cfg.TCP.MaxConnsPerAddr, Idle: e.cfg.TCP.Idle, Exempt: e.exempt}
			return &sockets{udp: &udpSocket{PacketConn: udp}, tcp: throttle.Listener(tcp, lim, e.log)}, nil
		}
		udp.Close()
		if _, port, _ := net.SplitHostPort(addr); port != "0" || try == 9 {
			return nil, fmt.Errorf("SIP listen tcp %s: %w", laddr, err)
		}
	}
}

// serve answers on s until ctx ends (nil) or a transport stops; then both are closed, so
// that the next Serve starts from new sockets.
func (e *Endpoint) serve(ctx context.Context, s *sockets) error {
	errc := make(chan error, 2)
	go func() {
		err := e.srv.ServeUDP(s.udp)
		if err == nil { // sipgo's UDP loop returns nil after a read error
			err = s.udp.readErr()
		}
		errc <- fmt.Errorf("SIP udp stopped serving: %w", err)
	}()
	go func() {
		err := e.srv.ServeTCP(s.tcp) // throttle.Listener retries what can pass: this is for good
		if err == nil {
			err = errors.New("accept loop ended")
		}
		errc <- fmt.Errorf("SIP tcp stopped serving: %w", err)
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		if ctx.Err() != nil {
			return nil
		}
		e.broken.Store(true)
		s.close()
		return err
	}
}

// exempt says which addresses the TCP caps do not apply to: the trunk's and those phones
// are registered from.
func (e *Endpoint) exempt(a netip.Addr) bool {
	if addrs := e.trunkAddrs.Load(); addrs != nil {
		for _, t := range *addrs {
			if t == a {
				return true
			}
		}
	}
	return e.reg.Registered(a)
}

// trunkRefresh is how often the trunk's host name is resolved again.
const trunkRefresh = 5 * time.Minute

// trunkHost is the trunk's host when it is a name to resolve; an address is stored at once.
func (e *Endpoint) trunkHost() string {
	if e.cfg.Trunk.URI == "" {
		return ""
	}
	var u sip.Uri
	if err := sip.ParseUri(e.cfg.Trunk.URI, &u); err != nil {
		e.log.Warn("trunk URI unreadable: its address is held to the TCP caps", "uri", e.cfg.Trunk.URI, "err", err)
		return ""
	}
	if a, err := netip.ParseAddr(u.Host); err == nil {
		e.trunkAddrs.Store(&[]netip.Addr{a.Unmap()})
		return ""
	}
	return u.Host
}

// watchTrunk keeps the addresses of the trunk's host name current until ctx ends.
func (e *Endpoint) watchTrunk(ctx context.Context, host string) {
	tick := time.NewTicker(trunkRefresh)
	defer tick.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ips, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
		cancel()
		if err != nil {
			e.log.Warn("trunk host not resolved: its address is held to the TCP caps until it is", "host", host, "err", err)
		} else {
			for i := range ips {
				ips[i] = ips[i].Unmap()
			}
			e.trunkAddrs.Store(&ips)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// endpointState is what Serve needs across restarts.
type endpointState struct {
	broken     atomic.Bool // the last Serve stopped on an error: its sockets are closed
	trunkAddrs atomic.Pointer[[]netip.Addr]
	trunkName  string // the trunk's host when it is a name, resolved while serving
}
