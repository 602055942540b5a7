package telephony

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Where a leg's RTP goes.
//
// The SDP of an INVITE or of an answer says where the far end wants RTP, but anyone can write
// any address there: a caller who names a third party's address makes us send that party a
// call's worth of audio (an amplifier: a 761-byte INVITE and ACK brought 387 KB). So an SDP
// address is sent to at once only when it is trusted: it names the host the SIP message came
// from, or the SIP or the SDP is the trunk's. Otherwise nothing is sent until RTP arrives, and
// then it goes to where that RTP came from (latching, RFC 7362 §3; symmetric RTP, RFC 4961),
// which is also how media gets through NAT. The first source accepted is kept: the socket is
// connect(2)ed to it and the kernel drops anyone else's packets, so a stranger who sprays RTP
// at our ports cannot take a stream over ("RTP bleed"). With a trusted SDP only its host may
// be latched to.

// errNoPeer is WriteRaw's answer while the far end has not shown where it is.
var errNoPeer = errors.New("no RTP peer address yet")

// trustedMedia reports whether RTP may go to addr, an SDP address, before any came from it:
// when it names the host the SIP message carrying it came from (src, "ip:port", the transport's
// source, never a header), or when the message or the address is the trunk's. Multicast and
// unspecified addresses are never trusted.
func (e *Endpoint) trustedMedia(src string, addr *net.UDPAddr) bool {
	if addr == nil {
		return false
	}
	to, ok := netip.AddrFromSlice(addr.IP)
	if !ok || to.Unmap().IsUnspecified() || to.Unmap().IsMulticast() {
		return false
	}
	to = to.Unmap()
	from, err := netip.ParseAddrPort(src)
	if err == nil && from.Addr().Unmap() == to {
		return true
	}
	// The trunk's addresses, kept current while serving (listen.go): its SDP is trusted.
	var trunk []netip.Addr
	if addrs := e.trunkAddrs.Load(); addrs != nil {
		trunk = *addrs
	}
	for _, t := range trunk {
		if t == to || err == nil && t == from.Addr().Unmap() {
			return true
		}
	}
	return false
}

// SetRemote takes the address the far end's SDP names. A trusted one is sent to at once; an
// untrusted one is only noted: nothing is sent until RTP comes, then it goes where the RTP
// came from. A later SDP with a new address (a re-INVITE that moves the media, RFC 3264
// §8.3.1) drops the latch so the new source can be learned; one with the same address (hold,
// resume) keeps it.
func (s *RTPStream) SetRemote(a *net.UDPAddr, trusted bool) {
	ap := a.AddrPort()
	to := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	s.mu.Lock()
	defer s.mu.Unlock()
	if to == s.sdp && trusted == s.trusted {
		return
	}
	s.sdp, s.trusted = to, trusted
	if s.latched {
		s.disconnect()
		s.latched = false
	}
	if trusted {
		s.publish(to, false)
	} else {
		s.publish(netip.AddrPort{}, false)
	}
}

// accept reports whether a packet from is the far end's, latching to it if it is the first.
func (s *RTPStream) accept(from netip.AddrPort) bool {
	if d := s.dest.Load(); d != nil && d.connected {
		return from == d.to // packets queued before connect(2) may still be someone else's
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.latched:
		return from == s.remote
	case !s.sdp.IsValid():
		// Before the far end's SDP is ours (our answer, or its answer to our INVITE) nobody
		// has a reason to send: early media is not relayed, and a stranger must not latch.
		return false
	case s.trusted && from.Addr() != s.sdp.Addr():
		return false // with a trusted SDP, only its host may take the stream
	}
	s.latched = true
	s.publish(from, s.connect(from) == nil)
	return true
}

// publish records where we send and makes it WriteRaw's destination (nowhere for a zero
// address); s.mu is held.
func (s *RTPStream) publish(to netip.AddrPort, connected bool) {
	s.remote = to
	if !to.IsValid() || !to.Addr().Is4() {
		s.dest.Store(nil) // IPv4 sockets only
		return
	}
	d := &rtpDest{connected: connected, to: to}
	d.sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: to.Addr().As4()}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&d.sa.Port))[:], to.Port())
	s.dest.Store(d)
}

// connect connect(2)s the socket to the peer (IPv4; others stay unconnected).
func (s *RTPStream) connect(to netip.AddrPort) error {
	if !to.Addr().Is4() {
		return errors.New("not IPv4")
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return net.ErrClosed
	}
	return unix.Connect(s.fd, &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()})
}

// disconnect dissolves the socket's association, so packets from anyone reach it again
// (udp(7): connect(2) with AF_UNSPEC).
func (s *RTPStream) disconnect() {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return
	}
	sa := unix.RawSockaddr{Family: unix.AF_UNSPEC}
	unix.Syscall(unix.SYS_CONNECT, uintptr(s.fd), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
}
