package carrier

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestPlay: the frames go out as RTP/PCMU from the session's own port, in order, with the
// sequence number and timestamp advancing by 1 and 160 and the marker on the first packet.
func TestPlay(t *testing.T) {
	far, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	s, err := openRTP()
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	s.remote = far.LocalAddr().(*net.UDPAddr)
	tp := tape{lines: []line{{0, clip('a', 1)}, {0, clip('b', 1)}, {0, clip('c', 1)}}, loop: -1, limit: 3 * frameTime}
	if err := s.play(context.Background(), tp.frames()); err != nil {
		t.Fatal(err)
	}
	var prev rtp.Packet
	buf := make([]byte, 1500)
	far.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i, want := range []byte("abc") {
		n, from, err := far.ReadFromUDP(buf)
		if err != nil {
			t.Fatal(err)
		}
		if from.Port != s.port() {
			t.Errorf("packet %d from port %d, not the session's %d (symmetric RTP)", i, from.Port, s.port())
		}
		var p rtp.Packet
		if err := p.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if p.PayloadType != payloadPCMU || p.Marker != (i == 0) || !bytes.Equal(p.Payload, clip(want, 1)) {
			t.Errorf("packet %d: PT %d marker %v payload %q...", i, p.PayloadType, p.Marker, p.Payload[:1])
		}
		if i > 0 && (p.SequenceNumber != prev.SequenceNumber+1 || p.Timestamp != prev.Timestamp+160 || p.SSRC != prev.SSRC) {
			t.Errorf("packet %d: seq %d ts %d after %d %d", i, p.SequenceNumber, p.Timestamp, prev.SequenceNumber, prev.Timestamp)
		}
		prev = p
	}
	// Stopped by its context, play says so.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	long := tape{lines: []line{{0, clip('a', 50)}}, loop: -1, limit: time.Second}
	if err := s.play(ctx, long.frames()); !errors.Is(err, context.Canceled) {
		t.Errorf("play after cancel: %v", err)
	}
}

// TestRemoteMedia: the carrier sends PCMU to loopback addresses only.
func TestRemoteMedia(t *testing.T) {
	sdp := func(c, m string) []byte {
		return []byte("v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=x\r\n" + c + "t=0 0\r\n" + m)
	}
	for _, tc := range []struct {
		name string
		body []byte
		want string
		err  error
	}{
		{"session c=", sdp("c=IN IP4 127.0.0.1\r\n", "m=audio 4000 RTP/AVP 8 0\r\n"), "127.0.0.1:4000", nil},
		{"media c= wins", sdp("c=IN IP4 10.0.0.1\r\n", "m=audio 4002 RTP/AVP 0\r\nc=IN IP4 127.0.0.2\r\n"), "127.0.0.2:4002", nil},
		{"no PCMU", sdp("c=IN IP4 127.0.0.1\r\n", "m=audio 4000 RTP/AVP 8\r\n"), "", errNoPCMU},
		{"not loopback", sdp("c=IN IP4 192.0.2.7\r\n", "m=audio 4000 RTP/AVP 0\r\n"), "", errNotLocal},
		{"held (0.0.0.0)", sdp("c=IN IP4 0.0.0.0\r\n", "m=audio 4000 RTP/AVP 0\r\n"), "", errNotLocal},
		{"garbage", []byte("hello"), "", errSDPSyntax},
	} {
		got, err := remoteMedia(tc.body)
		switch {
		case tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
		case tc.err == nil && (err != nil || got.String() != tc.want):
			t.Errorf("%s: %v %v, want %s", tc.name, got, err, tc.want)
		}
	}
}
