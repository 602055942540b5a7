package telephony

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestTrustedMedia(t *testing.T) {
	e := &Endpoint{}
	e.trunkAddrs.Store(&[]netip.Addr{netip.MustParseAddr("10.0.0.5")})
	addr := func(s string) *net.UDPAddr { return net.UDPAddrFromAddrPort(netip.MustParseAddrPort(s)) }
	for _, tc := range []struct {
		src, sdp string
		want     bool
	}{
		{"127.0.0.1:5060", "127.0.0.1:4000", true},     // the host the INVITE came from
		{"192.0.2.1:5060", "192.0.2.1:30000", true},    // any port of it
		{"127.0.0.1:5060", "127.0.0.2:4000", false},    // a third party
		{"192.0.2.1:5060", "198.51.100.9:4000", false}, // a third party
		{"10.0.0.5:5060", "198.51.100.9:4000", true},   // the trunk's SDP names its media gateway
		{"192.0.2.1:5060", "10.0.0.5:4000", true},      // media at the trunk
		{"[::1]:5060", "127.0.0.1:4000", false},
		{"0.0.0.0:5060", "0.0.0.0:4000", false},     // RFC 2543 hold: nowhere to send
		{"224.0.0.1:5060", "224.0.0.1:4000", false}, // multicast is never trusted
		{"not an address", "127.0.0.1:4000", false},
	} {
		if got := e.trustedMedia(tc.src, addr(tc.sdp)); got != tc.want {
			t.Errorf("SIP from %s, SDP %s: trusted %v, want %v", tc.src, tc.sdp, got, tc.want)
		}
	}
}

// TestLatch drives one RTP stream with plain UDP sockets: what it sends before and after the
// far end is heard from, whose packets it takes, and what a moved SDP address does.
func TestLatch(t *testing.T) {
	e := mediaEndpoint(t, 43000)
	s, err := e.newStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: s.LocalPort()}
	peer, stranger, other := udp(t), udp(t), udp(t)
	third := udpOn(t, "127.0.0.2")
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 1}, Payload: make([]byte, 160)}
	raw, _ := pkt.Marshal()
	var got rtp.Packet
	buf := make([]byte, 1500)
	heard := func(c *net.UDPConn) bool {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err := c.Read(buf)
		return err == nil
	}
	delivered := func() bool { _, _, err := s.Read(buf, &got, 300*time.Millisecond); return err == nil }

	// Before any SDP, nobody is listened to (nor latched to).
	stranger.WriteTo(raw, to)
	if delivered() {
		t.Fatal("a packet that came before the far end's SDP was delivered")
	}
	// An untrusted SDP address (a third party's) is sent nothing.
	s.SetRemote(third.LocalAddr().(*net.UDPAddr), false)
	if err := s.WriteRaw(raw); err != errNoPeer {
		t.Fatalf("WriteRaw before any RTP: %v, want %v", err, errNoPeer)
	}
	if heard(third) {
		t.Fatal("the untrusted SDP address received RTP")
	}
	// The first RTP's source is latched to; a second source is refused.
	peer.WriteTo(raw, to)
	if !delivered() {
		t.Fatal("the first packet was not delivered")
	}
	stranger.WriteTo(raw, to)
	if delivered() {
		t.Fatal("a packet from a second source was delivered after the latch")
	}
	if s.WriteRaw(raw); !heard(peer) || heard(third) {
		t.Fatal("after the latch RTP did not go to the latched source only")
	}
	// A trusted SDP that moves the media (RFC 3264 §8.3.1) is sent to at once; only its host
	// may latch: 127.0.0.2 may not, another port of 127.0.0.1 may.
	s.SetRemote(other.LocalAddr().(*net.UDPAddr), true)
	if s.WriteRaw(raw); !heard(other) {
		t.Fatal("a trusted SDP address was not sent to")
	}
	third.WriteTo(raw, to)
	if delivered() {
		t.Fatal("a packet from another host than the trusted SDP's was delivered")
	}
	stranger.WriteTo(raw, to)
	if !delivered() {
		t.Fatal("a packet from the trusted SDP's host was not delivered")
	}
	if s.WriteRaw(raw); !heard(stranger) {
		t.Fatal("RTP did not follow the source on the trusted host")
	}
}

func udpOn(t *testing.T, ip string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
