package telephony

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestMediaLoopRelaysQueuesAndCloses drives two RTP streams of a real endpoint with plain UDP
// sockets as the phones: packets are relayed while a relay is installed, queue for Read
// when none is, and Read fails once the stream is closed.
func TestMediaLoopRelaysQueuesAndCloses(t *testing.T) {
	e := mediaEndpoint(t, 41000)
	a, b := streamPair(t, e)
	phoneA := udp(t)
	phoneB := udp(t)
	a.SetRemote(phoneA.LocalAddr().(*net.UDPAddr), true)
	b.SetRemote(phoneB.LocalAddr().(*net.UDPAddr), true)
	toA := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: a.LocalPort()}

	send := func(seq uint16) {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, SSRC: 7}, Payload: make([]byte, 160)}
		raw, _ := p.Marshal()
		if _, err := phoneA.WriteTo(raw, toA); err != nil {
			t.Fatal(err)
		}
	}

	// Relay: A's packets go out of B to phone B, unchanged.
	a.Relay(func(buf []byte, pkt *rtp.Packet, at time.Time) { b.WriteRaw(buf) })
	for seq := range uint16(20) {
		send(seq)
	}
	got := map[uint16]bool{}
	buf := make([]byte, 1500)
	phoneB.SetReadDeadline(time.Now().Add(3 * time.Second))
	for len(got) < 20 {
		n, _, err := phoneB.ReadFrom(buf)
		if err != nil {
			t.Fatalf("phone B got %d of 20 relayed packets: %v", len(got), err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		got[p.SequenceNumber] = true
	}
	// The counters move just after the syscall, so phone B can hold the last packet a moment
	// before stream B has counted it: wait (bounded) for them to settle.
	settled := time.Now().Add(time.Second)
	for {
		rxA, _ := a.Packets()
		_, txB := b.Packets()
		if rxA == 20 && txB == 20 || time.Now().After(settled) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if rx, tx := a.Packets(); rx != 20 {
		t.Errorf("stream A counted %d received (%d sent), want 20", rx, tx)
	}
	if rx, tx := b.Packets(); tx != 20 {
		t.Errorf("stream B counted %d sent (%d received), want 20", tx, rx)
	}

	// No relay: packets queue for Read, in order.
	a.Unrelay()
	send(100)
	send(101)
	var p rtp.Packet
	for _, want := range []uint16{100, 101} {
		if _, _, err := a.Read(buf, &p, 2*time.Second); err != nil {
			t.Fatalf("Read after Unrelay: %v", err)
		}
		if p.SequenceNumber != want {
			t.Errorf("Read got sequence %d, want %d", p.SequenceNumber, want)
		}
	}
	if _, _, err := a.Read(buf, &p, 50*time.Millisecond); !isTimeout(err) {
		t.Errorf("Read with nothing sent: %v, want a timeout", err)
	}

	// Not RTP: dropped.
	phoneA.WriteTo([]byte("hello, not RTP"), toA)
	if _, _, err := a.Read(buf, &p, 100*time.Millisecond); !isTimeout(err) {
		t.Errorf("Read after a non-RTP datagram: %v, want a timeout", err)
	}

	// Closed: Read fails at once, writes fail, the port is free again.
	a.Close()
	if _, _, err := a.Read(buf, &p, time.Second); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v, want net.ErrClosed", err)
	}
	if err := a.WriteRaw(make([]byte, 12)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteRaw after Close: %v, want net.ErrClosed", err)
	}
	c, err := net.ListenUDP("udp4", toA)
	if err != nil {
		t.Errorf("port %d still taken after Close: %v", toA.Port, err)
	} else {
		c.Close()
	}
	b.Close()
}

// TestMediaLoopCloseDuringRelay closes streams while packets are being relayed between
// them (run with -race): no panic, no write to a closed or reused descriptor.
func TestMediaLoopCloseDuringRelay(t *testing.T) {
	e := mediaEndpoint(t, 42000)
	phone := udp(t)
	p := rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 9}, Payload: make([]byte, 160)}
	raw, _ := p.Marshal()
	for round := range 20 {
		a, b := streamPair(t, e)
		a.SetRemote(phone.LocalAddr().(*net.UDPAddr), true)
		b.SetRemote(phone.LocalAddr().(*net.UDPAddr), true)
		a.Relay(func(buf []byte, pkt *rtp.Packet, at time.Time) { b.WriteRaw(buf) })
		to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: a.LocalPort()}
		for range 50 {
			phone.WriteTo(raw, to)
		}
		time.Sleep(time.Duration(round%4) * 3 * time.Millisecond) // close before, during, after the loop's tick
		if round%2 == 0 {
			b.Close() // the destination first: the relay's writes fail cleanly
			a.Close()
		} else {
			a.Close()
			b.Close()
		}
	}
}

// mediaEndpoint is an endpoint with RTP ports from lo to lo+999, closed with the test.
func mediaEndpoint(t *testing.T, lo int) *Endpoint {
	t.Helper()
	e, err := New(context.Background(), Config{ListenAddr: "127.0.0.1:0", RTPPortMin: lo, RTPPortMax: lo + 999}, slog.New(slog.DiscardHandler), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func streamPair(t *testing.T, e *Endpoint) (*RTPStream, *RTPStream) {
	t.Helper()
	a, err := e.newStream()
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.newStream()
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func udp(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
