package browsermedia

import (
	"testing"

	"github.com/pion/rtp"
)

// The stream towards the browser keeps one sequence and timeline across sources (the
// ringback we play, then the customer's relayed packets), and drops telephone-events and
// everything while on hold.
func TestBrowserStreamTimeline(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, 160)
	for range 3 {
		s.WriteAudio(0, payload, nil)
	}
	if s.seq != 3 || s.ts != 480 {
		t.Fatalf("after our own audio: seq %d ts %d", s.seq, s.ts)
	}
	relay := func(pt uint8, seq uint16, ts uint32) {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: 77}, Payload: payload}
		b, _ := p.Marshal()
		if err := s.WriteRaw(b); err != nil {
			t.Fatal(err)
		}
	}
	relay(0, 9000, 555000)
	if s.seq != 4 || s.ts != 640 {
		t.Fatalf("first relayed packet: seq %d ts %d, want 4 and 640 (continuing)", s.seq, s.ts)
	}
	relay(0, 9001, 555160)
	if s.ts != 800 {
		t.Fatalf("second relayed packet ts %d, want 800", s.ts)
	}
	relay(101, 9002, 555320) // the customer's DTMF: a browser plays no RFC 4733 events
	s.Hold(true)
	relay(0, 9003, 555480)
	if s.seq != 5 || s.tx.Load() != 5 {
		t.Fatalf("events and held audio must not be sent: seq %d tx %d", s.seq, s.tx.Load())
	}
}
