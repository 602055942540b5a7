package ivr

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

func startEndpoint(t testing.TB) *telephony.Endpoint {
	t.Helper()
	p := telephonytest.FreePort(t, "udp") &^ 1
	cfg := telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 200}
	e, err := telephony.New(context.Background(), cfg, storetest.Logger(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go e.Serve(ctx)
	t.Cleanup(func() { cancel(); e.Close() })
	return e
}

// fakeStream is a leg's media whose inbound packets the test sends.
type fakeStream struct {
	in      chan []byte
	written atomic.Int64 // audio packets played to the far end
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func (s *fakeStream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	select {
	case b, ok := <-s.in:
		if !ok {
			return 0, time.Time{}, os.ErrClosed
		}
		n := copy(buf, b)
		return n, time.Now(), pkt.Unmarshal(buf[:n])
	case <-time.After(wait):
		return 0, time.Time{}, timeoutErr{}
	}
}
func (s *fakeStream) WriteRaw([]byte) error { return nil }
func (s *fakeStream) WriteAudio(uint8, []byte, []byte) error {
	s.written.Add(1)
	return nil
}
func (s *fakeStream) Discard()                   {}
func (s *fakeStream) SinceLastRx() time.Duration { return 0 }
func (s *fakeStream) Packets() (uint64, uint64)  { return 0, 0 }
func (s *fakeStream) Close() error               { return nil }

// event sends one RFC 4733 key as a phone does: a start packet, a repeat and three end
// packets, all with the event's timestamp.
func (s *fakeStream) event(key uint8, ts uint32) {
	for i, end := range []bool{false, false, true, true, true} {
		flags := byte(10) // volume
		if end {
			flags |= 0x80
		}
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: uint16(ts/160) + uint16(i), Timestamp: ts, Marker: i == 0},
			Payload: []byte{key, flags, 0, byte(40 * (i + 1))}}
		b, _ := p.Marshal()
		s.in <- b
	}
	audio := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, Timestamp: ts + 800}, Payload: make([]byte, 160)}
	b, _ := audio.Marshal()
	s.in <- b
}

func fakeLeg(t *testing.T, e *telephony.Endpoint) (*telephony.Leg, *fakeStream) {
	s := &fakeStream{in: make(chan []byte, 64)}
	leg := e.AttachLeg(telephony.ExternalLeg{ID: t.Name(), Stream: s, Remote: telephony.Media{Codec: 0, DTMF: 101}})
	t.Cleanup(func() { leg.End(telephony.EndedRemote) })
	return leg, s
}

func seconds(n float64) []int16 { return make([]int16, int(n*8000)) }

// TestCollectKeysOnceEach: a key's five packets are one key; three keys fill max digits.
func TestCollectKeysOnceEach(t *testing.T) {
	e := startEndpoint(t)
	leg, s := fakeLeg(t, e)
	go func() { s.event(1, 1000); s.event(2, 3000); s.event(3, 5000) }()
	r, err := PlayCollect(context.Background(), e, leg, seconds(0.1), Collect{MaxDigits: 3})
	if err != nil || r.Digits != "123" || r.Stop != StopMaxDigits || r.Via != "rrr" {
		t.Fatalf("%+v %v", r, err)
	}
}

// TestCollectTerminator: '#' ends the input and is not part of it; '*' is a key.
func TestCollectTerminator(t *testing.T) {
	e := startEndpoint(t)
	leg, s := fakeLeg(t, e)
	go func() { s.event(10, 1000); s.event(4, 2000); s.event(11, 3000) }()
	r, err := PlayCollect(context.Background(), e, leg, seconds(0.1), Collect{MaxDigits: 5})
	if err != nil || r.Digits != "*4" || r.Stop != StopTerminator {
		t.Fatalf("%+v %v", r, err)
	}
}

// TestCollectBargeIn: a key during a 5-second prompt stops the prompt at once.
func TestCollectBargeIn(t *testing.T) {
	e := startEndpoint(t)
	leg, s := fakeLeg(t, e)
	go func() { time.Sleep(300 * time.Millisecond); s.event(7, 1000) }()
	r, err := PlayCollect(context.Background(), e, leg, seconds(5), Collect{})
	if err != nil || r.Digits != "7" || !r.Barged {
		t.Fatalf("%+v %v", r, err)
	}
	if played := s.written.Load(); played >= 250 {
		t.Fatalf("the whole prompt played (%d of 250 packets) after the key", played)
	}
	// Without barge-in the prompt plays to its end.
	leg2, s2 := fakeLeg(t, e)
	go func() { s2.event(7, 1000) }()
	r, err = PlayCollect(context.Background(), e, leg2, seconds(1), Collect{NoBargeIn: true, MaxDigits: 2, InterDigit: 100 * time.Millisecond})
	if err != nil || r.Barged || r.Digits != "7" || r.Stop != StopTimeout || s2.written.Load() < 49 {
		t.Fatalf("no barge-in: %+v %v, %d packets played", r, err, s2.written.Load())
	}
}

// TestCollectTimeouts: silence after the prompt times out after the first-digit wait; a key
// and then silence times out after the inter-digit wait with the key kept.
func TestCollectTimeouts(t *testing.T) {
	e := startEndpoint(t)
	leg, _ := fakeLeg(t, e)
	r, err := PlayCollect(context.Background(), e, leg, seconds(0.1), Collect{FirstDigit: 200 * time.Millisecond})
	if err != nil || r.Digits != "" || r.Stop != StopTimeout {
		t.Fatalf("%+v %v", r, err)
	}
	leg2, s := fakeLeg(t, e)
	go s.event(9, 1000)
	r, err = PlayCollect(context.Background(), e, leg2, seconds(0.1), Collect{MaxDigits: 4, InterDigit: 200 * time.Millisecond, FirstDigit: time.Minute})
	if err != nil || r.Digits != "9" || r.Stop != StopTimeout {
		t.Fatalf("%+v %v", r, err)
	}
}

// TestCollectHangup: the far end hanging up ends the collection.
func TestCollectHangup(t *testing.T) {
	e := startEndpoint(t)
	leg, _ := fakeLeg(t, e)
	go func() { time.Sleep(200 * time.Millisecond); leg.End(telephony.EndedRemote) }()
	r, err := PlayCollect(context.Background(), e, leg, seconds(3), Collect{FirstDigit: time.Minute})
	if err != nil || r.Stop != StopHangup {
		t.Fatalf("%+v %v", r, err)
	}
}

// TestCollectIgnoresTheTailOfTheLastKey: a key answers the first question on its first
// packet; its repeats and end packets, arriving while the next question plays, are not an
// answer to it (found with baresip: "2" then "1" read as "2", "2").
func TestCollectIgnoresTheTailOfTheLastKey(t *testing.T) {
	e := startEndpoint(t)
	leg, s := fakeLeg(t, e)
	first := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, Timestamp: 1000, Marker: true}, Payload: []byte{2, 10, 0, 40}}
	b, _ := first.Marshal()
	s.in <- b
	r, err := PlayCollect(context.Background(), e, leg, seconds(0.1), Collect{})
	if err != nil || r.Digits != "2" {
		t.Fatalf("first question: %+v %v", r, err)
	}
	go func() {
		for i := range 4 { // the tail of 2: a repeat and three end packets
			p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, Timestamp: 1000, SequenceNumber: uint16(i + 1)}, Payload: []byte{2, 10 | 0x80, 0, 80}}
			b, _ := p.Marshal()
			s.in <- b
		}
		s.event(1, 5000)
	}()
	r, err = PlayCollect(context.Background(), e, leg, seconds(0.1), Collect{FirstDigit: 5 * time.Second})
	if err != nil || r.Digits != "1" {
		t.Fatalf("second question: %+v %v, want 1", r, err)
	}
}
