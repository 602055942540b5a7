package telephony

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

// portPool hands out even RTP ports from a range (RFC 3550 §11: RTP on an even port, RTCP
// on the next odd one).
type portPool struct {
	mu     sync.Mutex
	lo, hi int
	next   int
	ip     [4]byte
}

func newPortPool(ip net.IP, lo, hi int) *portPool {
	if lo%2 == 1 {
		lo++
	}
	p := &portPool{lo: lo, hi: hi, next: lo}
	if v4 := ip.To4(); v4 != nil {
		p.ip = [4]byte(v4)
	}
	return p
}

// listen opens a non-blocking UDP socket on the next free even port, trying each port of
// the range at most once.
func (p *portPool) listen() (fd, port int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range (p.hi-p.lo)/2 + 1 {
		port := p.next
		p.next += 2
		if p.next > p.hi {
			p.next = p.lo
		}
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return -1, 0, fmt.Errorf("RTP socket: %w", err)
		}
		if err := unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: p.ip}); err == nil {
			return fd, port, nil
		}
		unix.Close(fd)
	}
	return -1, 0, fmt.Errorf("no free RTP port in %d-%d", p.lo, p.hi)
}

// RTPStream is one leg's RTP socket. Where it sends is decided by latch.go: an SDP address
// only when it is trusted, otherwise the source of the first RTP packet received (symmetric
// RTP, RFC 4961), to which the socket is then connect(2)ed: the kernel drops anyone else's
// packets and sends without a route lookup per packet.
//
// The socket is read by the endpoint's media loops (medialoop.go), never by a goroutine of
// its own: a bridge installs a relay that the loop calls with each packet; otherwise the
// packets queue (up to a second's worth) for Read.
type RTPStream struct {
	fd     int
	port   int
	id     uint32
	loop   *mediaLoop
	life   sync.RWMutex // read-held around every use of fd; Close write-holds it
	closed bool
	done   chan struct{} // closed by Close

	mu      sync.Mutex              // the latch: sdp, trusted, remote, latched
	sdp     netip.AddrPort          // the address the far end's SDP named; zero before any SDP
	trusted bool                    // sdp may be sent to before any RTP came from it
	remote  netip.AddrPort          // where we send: sdp when trusted, the latched source, or nowhere
	latched bool                    // remote is the source of the first RTP accepted
	dest    atomic.Pointer[rtpDest] // where WriteRaw sends (immutable snapshots); nil: nowhere yet
	muted   atomic.Bool             // the far end wants no RTP (sendonly or inactive, RFC 3264 §6.1)

	sinkMu sync.Mutex // held while a relay runs, so that Unrelay waits for it
	sink   relayFunc
	queue  chan []byte // packets for Read while no relay is installed
	timer  *time.Timer // Read's, reused

	lastRx atomic.Int64
	rx, tx atomic.Uint64
	// outgoing stream state for audio we generate (announcements)
	ssrc uint32
	seq  uint16
	ts   uint32
}

// relayFunc handles one received packet: buf is the datagram (valid during the call only),
// pkt its parsed form, at when the loop picked it up.
type relayFunc func(buf []byte, pkt *rtp.Packet, at time.Time)

// rtpDest is where to send: connected (write(2)) or an address (sendto(2)).
type rtpDest struct {
	connected bool
	to        netip.AddrPort
	sa        unix.RawSockaddrInet4
}

func newRTPStream(fd, port int, ssrc uint32) *RTPStream {
	s := &RTPStream{fd: fd, port: port, ssrc: ssrc, done: make(chan struct{}), queue: make(chan []byte, 50)}
	s.lastRx.Store(time.Now().UnixNano())
	return s
}

// LocalPort is the port we receive on.
func (s *RTPStream) LocalPort() int { return s.port }

// Relay installs fn to be called by the media loop with every packet from now on, in place
// of queueing for Read.
func (s *RTPStream) Relay(fn relayFunc) {
	s.sinkMu.Lock()
	s.sink = fn
	s.sinkMu.Unlock()
}

// Unrelay removes the relay; when it returns, the relay is not running and will not run.
func (s *RTPStream) Unrelay() { s.Relay(nil) }

// deliver is called by the media loop with each datagram read from the socket.
func (s *RTPStream) deliver(b []byte, pkt *rtp.Packet, from netip.AddrPort, at time.Time) {
	if len(b) < 12 || b[0]>>6 != 2 || pkt.Unmarshal(b) != nil {
		return // not RTP (RTCP goes to the odd port; anything else is noise)
	}
	if !s.accept(from) {
		return // not from the far end (latch.go)
	}
	s.lastRx.Store(at.UnixNano())
	s.rx.Add(1)
	s.sinkMu.Lock()
	defer s.sinkMu.Unlock()
	if s.sink != nil {
		s.sink(b, pkt, at)
		return
	}
	if len(s.queue) == cap(s.queue) {
		return // nobody reads: drop, as a full socket buffer would (and copy nothing)
	}
	select { // the loop is the only sender: there is room unless a Read took none
	case s.queue <- append(make([]byte, 0, len(b)), b...):
	default:
	}
}

// Read reads one RTP packet into buf and pkt (its payload points into buf), waiting at most
// wait, and returns its size and when it arrived. Only one goroutine may Read at a time,
// and only while no relay is installed.
func (s *RTPStream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	if s.timer == nil {
		s.timer = time.NewTimer(wait)
	} else {
		s.timer.Reset(wait)
	}
	defer s.timer.Stop()
	for {
		select {
		case b := <-s.queue:
			n := copy(buf, b)
			if pkt.Unmarshal(buf[:n]) != nil {
				continue
			}
			return n, time.Unix(0, s.lastRx.Load()), nil
		case <-s.done:
			return 0, time.Now(), net.ErrClosed
		case <-s.timer.C:
			return 0, time.Now(), os.ErrDeadlineExceeded
		}
	}
}

// WriteRaw sends an already marshalled RTP packet to the peer. The socket never blocks: a
// packet the kernel cannot take at once is dropped, as the network would.
func (s *RTPStream) WriteRaw(b []byte) error {
	d := s.dest.Load()
	if d == nil {
		return errNoPeer
	}
	if len(b) == 0 || s.muted.Load() {
		return nil
	}
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return net.ErrClosed
	}
	var errno unix.Errno
	if d.connected {
		_, _, errno = unix.RawSyscall(unix.SYS_WRITE, uintptr(s.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	} else {
		_, _, errno = unix.RawSyscall6(unix.SYS_SENDTO, uintptr(s.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0,
			uintptr(unsafe.Pointer(&d.sa)), unix.SizeofSockaddrInet4)
	}
	s.life.RUnlock()
	s.tx.Add(1)
	if errno != 0 {
		return errno
	}
	return nil
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

// Discard drops what queued up while nobody listened, so that a bridge starts with live
// audio.
func (s *RTPStream) Discard() {
	for {
		select {
		case <-s.queue:
		default:
			return
		}
	}
}

// SinceLastRx is how long the peer has been silent on the wire.
func (s *RTPStream) SinceLastRx() time.Duration {
	return time.Since(time.Unix(0, s.lastRx.Load()))
}

// Close releases the port; Read then fails and the media loop forgets the socket.
func (s *RTPStream) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	if s.loop != nil {
		s.loop.remove(s)
	}
	return unix.Close(s.fd)
}

// sockaddrPort converts a kernel IPv4 address.
func sockaddrPort(sa *unix.RawSockaddrInet4) netip.AddrPort {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), port)
}
