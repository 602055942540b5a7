package telephony

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/rtp"
)

// portPool hands out even RTP ports from a range (RFC 3550 §11: RTP on an even port, RTCP
// on the next odd one).
type portPool struct {
	mu     sync.Mutex
	lo, hi int
	next   int
	ip     net.IP
}

func newPortPool(ip net.IP, lo, hi int) *portPool {
	if lo%2 == 1 {
		lo++
	}
	return &portPool{lo: lo, hi: hi, next: lo, ip: ip}
}

// listen opens a UDP socket on the next free even port, trying each port of the range at
// most once.
func (p *portPool) listen() (*net.UDPConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range (p.hi-p.lo)/2 + 1 {
		port := p.next
		p.next += 2
		if p.next > p.hi {
			p.next = p.lo
		}
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: p.ip, Port: port})
		if err == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("no free RTP port in %d-%d", p.lo, p.hi)
}

// RTPStream is one leg's RTP socket. The remote address comes from SDP and then latches to
// where the peer's packets come from (symmetric RTP, RFC 4961), which also gets through NAT.
// When the peer sends from the address its SDP gave, the socket is connect(2)ed to it: the
// kernel then drops anyone else's packets and sends without a route lookup per packet.
type RTPStream struct {
	conn      *net.UDPConn
	mu        sync.Mutex
	remote    netip.AddrPort
	connected bool
	deadline  time.Time // the read deadline now set (moved forward only when half used)
	lastRx    atomic.Int64
	rx, tx    atomic.Uint64
	// outgoing stream state for audio we generate (announcements)
	ssrc uint32
	seq  uint16
	ts   uint32
}

func newRTPStream(conn *net.UDPConn, ssrc uint32) *RTPStream {
	s := &RTPStream{conn: conn, ssrc: ssrc}
	s.lastRx.Store(time.Now().UnixNano())
	return s
}

// LocalPort is the port we receive on.
func (s *RTPStream) LocalPort() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// SetRemote sets where to send (from SDP). A socket connected to an older address is
// connected to the new one (a re-INVITE that moves the media, RFC 3264 §8.3.1).
func (s *RTPStream) SetRemote(a *net.UDPAddr) {
	ap := a.AddrPort()
	to := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connected && to != s.remote && s.connect(to) != nil {
		return // keep talking to where we are connected
	}
	s.remote = to
}

// Read reads one RTP packet into buf and pkt (its payload points into buf), waiting at most
// about wait, and returns its size and arrival time. Non-RTP datagrams are skipped.
func (s *RTPStream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	for {
		now := time.Now()
		if s.deadline.Sub(now) < wait/2 {
			s.deadline = now.Add(wait)
			if err := s.conn.SetReadDeadline(s.deadline); err != nil {
				return 0, now, err
			}
		}
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return 0, now, err
		}
		if n < 12 || buf[0]>>6 != 2 || pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		now = time.Now()
		s.received(from, now)
		return n, now, nil
	}
}

// received notes a packet from the peer at now: liveness, count, and the latch.
func (s *RTPStream) received(from netip.AddrPort, now time.Time) {
	s.lastRx.Store(now.UnixNano())
	s.rx.Add(1)
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	s.mu.Lock()
	if !s.connected {
		if from == s.remote && s.connect(from) == nil {
			s.connected = true
		}
		s.remote = from
	}
	s.mu.Unlock()
}

// connect connect(2)s the socket to the peer (IPv4; others stay unconnected).
func (s *RTPStream) connect(to netip.AddrPort) error {
	if !to.Addr().Is4() {
		return errors.New("not IPv4")
	}
	rc, err := s.conn.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(fd uintptr) {
		cerr = syscall.Connect(int(fd), &syscall.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()})
	})
	return errors.Join(err, cerr)
}

// WriteRaw sends an already marshalled RTP packet to the peer.
func (s *RTPStream) WriteRaw(b []byte) error {
	s.mu.Lock()
	to, connected := s.remote, s.connected
	s.mu.Unlock()
	var err error
	switch {
	case connected:
		_, err = s.conn.Write(b)
	case to.IsValid():
		_, err = s.conn.WriteToUDPAddrPort(b, to)
	default:
		return errors.New("no RTP peer address yet")
	}
	s.tx.Add(1)
	return err
}

// WriteAudio sends a packet of our own (announcements): our SSRC, our sequence numbers,
// timestamps advancing by the sample count (RFC 3550 §5.1).
func (s *RTPStream) WriteAudio(pt uint8, payload []byte, buf []byte) error {
	s.mu.Lock()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: s.seq, Timestamp: s.ts, SSRC: s.ssrc}, Payload: payload}
	s.seq++
	s.ts += uint32(len(payload))
	s.mu.Unlock()
	n, err := p.MarshalTo(buf)
	if err != nil {
		return err
	}
	return s.WriteRaw(buf[:n])
}

// Discard drops what queued up in the socket while nobody listened (at most 1000 packets),
// so that a bridge starts with live audio.
func (s *RTPStream) Discard() {
	buf := make([]byte, 1500)
	s.conn.SetReadDeadline(time.Now().Add(time.Millisecond)) // a passed deadline would not even look
	s.deadline = time.Time{}
	for range 1000 {
		if _, _, err := s.conn.ReadFromUDPAddrPort(buf); err != nil {
			return
		}
	}
}

// SinceLastRx is how long the peer has been silent on the wire.
func (s *RTPStream) SinceLastRx() time.Duration {
	return time.Since(time.Unix(0, s.lastRx.Load()))
}

// Close releases the port.
func (s *RTPStream) Close() error { return s.conn.Close() }
