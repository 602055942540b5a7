package telephony

import (
	"io"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/media"
)

func TestMixIntoSaturates(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dst, src  []int16
		want      []int16
		wantAdded int
	}{
		{"adds", []int16{1, -2, 300}, []int16{10, 20, -300}, []int16{11, 18, 0}, 3},
		{"clips high", []int16{30000, 32767}, []int16{5000, 1}, []int16{32767, 32767}, 2},
		{"clips low", []int16{-30000}, []int16{-5000}, []int16{-32768}, 1},
		{"short source", []int16{1, 1, 1}, []int16{2}, []int16{3, 1, 1}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := mixInto(tc.dst, tc.src)
			if n != tc.wantAdded {
				t.Fatalf("added %d, want %d", n, tc.wantAdded)
			}
			for i := range tc.want {
				if tc.dst[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", tc.dst, tc.want)
				}
			}
		})
	}
}

// A queue gives nothing until 40 ms gathered, keeps at most 200 ms (the newest), and waits
// to gather again once it ran dry.
func TestPCMQueue(t *testing.T) {
	var q pcmQueue
	frame := func(v int16) []int16 {
		f := make([]int16, tapFrame)
		for i := range f {
			f[i] = v
		}
		return f
	}
	q.push(frame(1))
	dst := make([]int16, tapFrame)
	q.mixInto(dst)
	if dst[0] != 0 {
		t.Fatal("one frame queued: nothing should be mixed before 40 ms gathered")
	}
	q.push(frame(2))
	q.mixInto(dst)
	if dst[0] != 1 || len(q.s) != tapFrame {
		t.Fatalf("primed: mixed %d, %d left", dst[0], len(q.s))
	}
	q.mixInto(dst)
	if dst[0] != 3 || q.primed {
		t.Fatalf("drained: mixed %d, primed %v", dst[0], q.primed)
	}
	for i := range 20 {
		q.push(frame(int16(i)))
	}
	if len(q.s) != tapQueue || q.s[0] != 10 {
		t.Fatalf("capped: %d samples, oldest %d (want %d, 10)", len(q.s), len(q.s), tapQueue)
	}
}

// fakeStream is a tapped leg's media in memory: packets queued for Read, audio written kept.
type fakeStream struct {
	in   chan []byte
	done chan struct{}
	mu   sync.Mutex
	got  []int16
}

func newFakeStream() *fakeStream {
	return &fakeStream{in: make(chan []byte, 64), done: make(chan struct{})}
}

func (f *fakeStream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	select {
	case b := <-f.in:
		n := copy(buf, b)
		return n, time.Now(), pkt.Unmarshal(buf[:n])
	case <-f.done:
		return 0, time.Now(), io.EOF
	case <-time.After(wait):
		return 0, time.Now(), timeoutErr{}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "timeout" }
func (timeoutErr) Timeout() bool { return true }

func (f *fakeStream) WriteRaw([]byte) error { return nil }
func (f *fakeStream) WriteAudio(pt uint8, payload []byte, _ []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = media.NewCodecs().Decode(f.got, pt, payload)
	return nil
}
func (f *fakeStream) Discard()                   {}
func (f *fakeStream) SinceLastRx() time.Duration { return 0 }
func (f *fakeStream) Packets() (uint64, uint64)  { return 0, 0 }
func (f *fakeStream) Close() error               { return nil }

func (f *fakeStream) heard() []int16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int16(nil), f.got...)
}

// say queues n 20 ms packets of a tone for the leg to "send".
func (f *fakeStream) say(freq float64, n int) {
	for i := range n {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: media.PayloadPCMU, SequenceNumber: uint16(i), Timestamp: uint32(i * tapFrame)},
			Payload: media.Encode(nil, media.PayloadPCMU, tone(freq, i*tapFrame, tapFrame))}
		b, _ := p.Marshal()
		f.in <- b
	}
}

func tone(freq float64, from, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(8000 * math.Sin(2*math.Pi*freq*float64(from+i)/8000))
	}
	return s
}

type chanRec struct{ ch [2][]int16 }

func (r *chanRec) Write(ch int, _ uint32, _ time.Time, s []int16) { r.ch[ch] = append(r.ch[ch], s...) }

const (
	custHz  = 1000.0
	agentHz = 600.0
	supHz   = 1400.0
)

// TestTapModes: what the agent, the customer and the recording's right channel carry of a
// supervisor in each mode, switched on one attached leg; and what the supervisor hears.
func TestTapModes(t *testing.T) {
	taps := &Taps{codecs: media.NewCodecs(), done: make(chan struct{})}
	sup := newFakeStream()
	leg := &Leg{CallID: "sup", Stream: sup, Remote: Media{Codec: media.PayloadPCMU}, done: make(chan struct{})}
	if taps.active() {
		t.Fatal("no leg attached: the bridge's fast path")
	}
	if err := taps.Attach(leg, Listen); err != nil {
		t.Fatal(err)
	}
	defer taps.Close()
	// direction runs packets of a side through the mixer and returns what the other side
	// gets and what the recorder got.
	direction := func(ch int, freq float64) (out []int16, rec *chanRec) {
		rec = &chanRec{}
		codecs := media.NewCodecs()
		for i := range 8 {
			payload := media.Encode(nil, media.PayloadPCMU, tone(freq, i*tapFrame, tapFrame))
			taps.mix(ch, payload, media.PayloadPCMU, media.PayloadPCMU, rec, uint32(i*tapFrame), time.Now())
			out = codecs.Decode(out, media.PayloadPCMU, payload)
		}
		return out, rec
	}
	queued := func(mode TapMode) {
		t.Helper()
		sup.say(supHz, 8)
		deadline := time.Now().Add(5 * time.Second)
		for {
			taps.mu.Lock()
			p := taps.parts[0]
			n := len(p.toAgent.s) + len(p.toCustomer.s)
			taps.mu.Unlock()
			if mode == Listen || n >= 2*tapPrime || time.Now().After(deadline) {
				time.Sleep(50 * time.Millisecond) // listen: let the reader take what it would
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, tc := range []struct {
		mode                     TapMode
		agentHears, customerHear bool
	}{
		{Listen, false, false}, {Whisper, true, false}, {Barge, true, true}, {Listen, false, false},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			if err := taps.SetMode(leg, tc.mode); err != nil {
				t.Fatal(err)
			}
			queued(tc.mode)
			toAgent, rec0 := direction(0, custHz)
			queued(tc.mode)
			toCustomer, rec1 := direction(1, agentHz)
			check := func(what string, s []int16, freq float64, want bool) {
				t.Helper()
				share := media.ToneShare(s, 8000, freq)
				if (share > 0.15) != want {
					t.Errorf("%s: %v Hz share %.2f, want present=%v", what, freq, share, want)
				}
			}
			check("the agent", toAgent, custHz, true)
			check("the agent", toAgent, supHz, tc.agentHears)
			check("the customer", toCustomer, agentHz, true)
			check("the customer", toCustomer, supHz, tc.customerHear)
			check("the recording's left", rec0.ch[0], supHz, false)
			check("the recording's right", rec1.ch[1], supHz, tc.customerHear)
			check("the recording's right", rec1.ch[1], agentHz, true)
		})
	}
	// The supervisor's ears: both sides, mixed, at the tick's pace.
	before := len(sup.heard())
	for range 10 {
		direction(0, custHz)
		direction(1, agentHz)
		time.Sleep(20 * time.Millisecond)
	}
	heard := sup.heard()[before:]
	if len(heard) < 5*tapFrame {
		t.Fatalf("the supervisor got %d samples in 200 ms", len(heard))
	}
	for _, f := range []float64{custHz, agentHz} {
		if s := media.ToneShare(heard, 8000, f); s < 0.15 {
			t.Errorf("the supervisor heard %v Hz share %.2f", f, s)
		}
	}
	if err := taps.SetMode(&Leg{}, Barge); err != ErrNotTapped {
		t.Errorf("a leg not attached: %v", err)
	}
	taps.Detach(leg)
	if taps.active() {
		t.Error("detached: still active")
	}
}

// A leg that ends is detached; closed taps take no leg.
func TestTapLegEnds(t *testing.T) {
	taps := &Taps{codecs: media.NewCodecs(), done: make(chan struct{})}
	leg := &Leg{CallID: "sup", Stream: newFakeStream(), Remote: Media{Codec: media.PayloadPCMU}, done: make(chan struct{})}
	if err := taps.Attach(leg, Barge); err != nil {
		t.Fatal(err)
	}
	if err := taps.Attach(leg, Barge); err == nil {
		t.Fatal("attached twice")
	}
	close(leg.done)
	deadline := time.Now().Add(5 * time.Second)
	for taps.active() {
		if time.Now().After(deadline) {
			t.Fatal("an ended leg stays attached")
		}
		time.Sleep(10 * time.Millisecond)
	}
	taps.Close()
	if err := taps.Attach(&Leg{done: make(chan struct{})}, Listen); err != ErrTapsClosed {
		t.Fatalf("closed: %v", err)
	}
	select {
	case <-taps.Done():
	default:
		t.Fatal("Done not closed")
	}
}

// BenchmarkRelayPacket: one 20 ms PCMU packet through a bridge direction (PCMU on both
// sides, recorded), untapped (the relay as before) and tapped by one barge leg (decoded,
// queued, mixed, recorded, encoded again).
func BenchmarkRelayPacket(b *testing.B) {
	codecs := media.NewCodecs()
	payload := media.Encode(nil, media.PayloadPCMU, tone(custHz, 0, tapFrame))
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: media.PayloadPCMU}, Payload: payload}
	buf, _ := pkt.Marshal()
	rec := &chanRec{}
	b.Run("untapped", func(b *testing.B) {
		var pcm []int16
		for range b.N {
			_ = pkt.Unmarshal(buf)
			if !rewrite(codecs, buf, 12, &pkt, Media{Codec: 0}, Media{Codec: 0}, 0, rec, &pcm, time.Now()) {
				b.Fatal("dropped")
			}
			rec.ch[0] = rec.ch[0][:0]
		}
	})
	b.Run("tapped", func(b *testing.B) {
		taps := &Taps{codecs: codecs, done: make(chan struct{})}
		p := &tapPart{leg: &Leg{}, mode: Barge}
		taps.parts = []*tapPart{p}
		sup := tone(supHz, 0, tapFrame)
		for range b.N {
			p.toAgent.push(sup)
			taps.mix(0, buf[12:], 0, 0, rec, 0, time.Now())
			rec.ch[0] = rec.ch[0][:0]
		}
	})
}
