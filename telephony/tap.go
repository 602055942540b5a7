package telephony

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/media"
)

// TapMode is how a third leg takes part in a bridged call (docs/monitoring.md).
type TapMode int

// The modes of a tapped leg. Each hears the customer and the agent mixed.
const (
	Listen  TapMode = iota + 1 // nobody hears it
	Whisper                    // the agent hears it, the customer does not
	Barge                      // both hear it (a conference participant is one)
)

// String is the mode's name in the API and the monitoring log.
func (m TapMode) String() string {
	switch m {
	case Listen:
		return "listen"
	case Whisper:
		return "whisper"
	case Barge:
		return "barge"
	}
	return "unknown"
}

// ParseTapMode reads a mode's name.
func ParseTapMode(s string) (TapMode, error) {
	for _, m := range []TapMode{Listen, Whisper, Barge} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, errors.New("mode must be listen, whisper or barge")
}

// Errors of taps.
var (
	ErrNotTapped  = errors.New("the leg is not attached to this call")
	ErrTapsClosed = errors.New("the call has ended")
)

// Tap timing: participants hear a 20 ms frame per tick (RFC 3551 §4.5: G.711's default
// packet time); what a leg says waits in a queue of at most tapQueue samples and is mixed
// once tapPrime samples have gathered, so a late packet plays late instead of as a gap.
const (
	tapFrame = 160  // 20 ms at 8 kHz
	tapQueue = 1600 // 200 ms
	tapPrime = 320  // 40 ms
)

// Taps are the third legs of one call: supervisors who listen, whisper or barge, and
// conference participants (barge). The bridge (BridgeWith) mixes them into what the
// customer and the agent hear; a ticker sends each of them the call, mixed, every 20 ms.
// With no leg attached the bridge relays packets untouched. Make one per call, before the
// bridge, and Close it when the call ends; it outlives a bridge that is run again (the
// agent's leg swapped by a transfer).
type Taps struct {
	codecs media.Codecs
	n      atomic.Int32 // attached legs: the bridge's fast path when 0
	done   chan struct{}

	mu      sync.Mutex
	parts   []*tapPart
	heard   [2]pcmQueue // what the customer (0) and the agent (1) said, for the tapped legs' ears
	ticking bool
	closed  bool
	scratch [2]struct{ in, out []int16 } // per direction: one bridge goroutine each
}

// tapPart is one attached leg and what it said, queued for each place it is heard.
type tapPart struct {
	leg                          *Leg
	mode                         TapMode
	gone                         chan struct{}
	toAgent, toCustomer, toPeers pcmQueue
}

// NewTaps returns an empty set of taps for one call.
func (e *Endpoint) NewTaps() *Taps { return &Taps{codecs: e.codecs, done: make(chan struct{})} }

// active reports whether any leg is attached (a nil *Taps has none).
func (t *Taps) active() bool { return t != nil && t.n.Load() > 0 }

// Done is closed when the taps are closed (the call ended).
func (t *Taps) Done() <-chan struct{} { return t.done }

// Attach adds leg in mode: from now on it hears the call, and is heard as mode says. It is
// detached when it ends, on Detach, or when the taps close; its leg is its owner's to end.
func (t *Taps) Attach(leg *Leg, mode TapMode) error {
	if mode < Listen || mode > Barge {
		return errors.New("unknown tap mode")
	}
	p := &tapPart{leg: leg, mode: mode, gone: make(chan struct{})}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrTapsClosed
	}
	for _, q := range t.parts {
		if q.leg == leg {
			return errors.New("the leg is attached already")
		}
	}
	t.parts = append(t.parts, p)
	t.n.Add(1)
	go t.listen(p)
	if !t.ticking {
		t.ticking = true
		go t.tick()
	}
	return nil
}

// SetMode switches leg's mode without a break in its audio.
func (t *Taps) SetMode(leg *Leg, mode TapMode) error {
	if mode < Listen || mode > Barge {
		return errors.New("unknown tap mode")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range t.parts {
		if p.leg == leg {
			if p.mode != mode {
				p.mode = mode
				p.toAgent.reset()
				p.toCustomer.reset()
				p.toPeers.reset()
			}
			return nil
		}
	}
	return ErrNotTapped
}

// Detach removes leg (nothing if it is not attached).
func (t *Taps) Detach(leg *Leg) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, p := range t.parts {
		if p.leg == leg {
			t.parts = append(t.parts[:i], t.parts[i+1:]...)
			t.n.Add(-1)
			close(p.gone)
			return
		}
	}
}

// Close detaches every leg and refuses new ones: the call is over.
func (t *Taps) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	for _, p := range t.parts {
		close(p.gone)
	}
	t.parts = nil
	t.n.Store(0)
	close(t.done)
}

// listen reads what p's leg says and queues it where its mode is heard, until it ends or
// is detached.
func (t *Taps) listen(p *tapPart) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	var pcm []int16
	for {
		select {
		case <-p.gone:
			return
		case <-p.leg.Done():
			t.Detach(p.leg)
			return
		default:
		}
		_, _, err := p.leg.Stream.Read(buf, &pkt, 100*time.Millisecond)
		if err != nil || pkt.PayloadType != p.leg.Remote.Codec {
			continue // a timeout, a telephone-event; a closed stream ends the leg
		}
		pcm = t.codecs.Decode(pcm[:0], pkt.PayloadType, pkt.Payload)
		t.mu.Lock()
		switch p.mode {
		case Barge:
			p.toCustomer.push(pcm)
			p.toPeers.push(pcm)
			p.toAgent.push(pcm)
		case Whisper:
			p.toAgent.push(pcm)
		}
		t.mu.Unlock()
	}
}

// tick sends every attached leg 20 ms of the call each 20 ms: the customer, the agent and
// the other legs that barged in (a leg never hears itself). It stops when no leg is left.
func (t *Taps) tick() {
	tk := time.NewTicker(20 * time.Millisecond)
	defer tk.Stop()
	var call [tapFrame]int16
	var own [][tapFrame]int16
	var legs []*Leg
	var frames [][tapFrame]int16
	payload := make([]byte, 0, tapFrame)
	buf := make([]byte, 1500)
	for range tk.C {
		t.mu.Lock()
		if len(t.parts) == 0 || t.closed {
			t.ticking = false
			t.mu.Unlock()
			return
		}
		call = [tapFrame]int16{}
		t.heard[0].mixInto(call[:])
		t.heard[1].mixInto(call[:])
		n := len(t.parts)
		if cap(own) < n {
			own = make([][tapFrame]int16, n)
		}
		own = own[:n]
		clear(own)
		for i, p := range t.parts {
			p.toPeers.mixInto(own[i][:])
		}
		legs, frames = legs[:0], frames[:0]
		for i, p := range t.parts {
			f := call
			for j := range t.parts {
				if j != i {
					mixInto(f[:], own[j][:])
				}
			}
			legs, frames = append(legs, p.leg), append(frames, f)
		}
		t.mu.Unlock()
		for i, leg := range legs {
			payload = media.Encode(payload[:0], leg.Remote.Codec, frames[i][:])
			leg.Stream.WriteAudio(leg.Remote.Codec, payload, buf)
		}
	}
}

// mix is a bridge's packet in direction ch (0: from the customer to the agent, 1: back)
// while legs are attached: payload (of payload type from) is decoded, queued for the
// tapped legs' ears, mixed with the legs this direction carries (whisper and barge towards
// the agent, barge towards the customer) and encoded in place as payload type to. The
// recorder gets the customer as they spoke (channel 0) and every staff voice the customer
// hears (channel 1: the agent and who barged in; never a whisper).
func (t *Taps) mix(ch int, payload []byte, from, to uint8, rec Recorder, ts uint32, at time.Time) {
	s := &t.scratch[ch]
	s.in = t.codecs.Decode(s.in[:0], from, payload)
	s.out = append(s.out[:0], s.in...)
	t.mu.Lock()
	t.heard[ch].push(s.in)
	for _, p := range t.parts {
		switch {
		case ch == 0 && p.mode >= Whisper:
			p.toAgent.mixInto(s.out)
		case ch == 1 && p.mode == Barge:
			p.toCustomer.mixInto(s.out)
		}
	}
	t.mu.Unlock()
	if rec != nil {
		if ch == 0 {
			rec.Write(0, ts, at, s.in)
		} else {
			rec.Write(1, ts, at, s.out)
		}
	}
	media.Encode(payload[:0], to, s.out) // same length: in place
}

// pcmQueue is 8 kHz audio waiting to be mixed, at most tapQueue samples (the oldest go).
// It starts giving samples once tapPrime have gathered, and after running dry again.
type pcmQueue struct {
	s      []int16
	primed bool
}

func (q *pcmQueue) push(s []int16) {
	q.s = append(q.s, s...)
	if over := len(q.s) - tapQueue; over > 0 {
		q.s = q.s[:copy(q.s, q.s[over:])]
	}
}

// mixInto adds up to len(dst) queued samples to dst (saturating) and drops them.
func (q *pcmQueue) mixInto(dst []int16) {
	if !q.primed && len(q.s) < tapPrime {
		return
	}
	q.primed = true
	n := mixInto(dst, q.s)
	q.s = q.s[:copy(q.s, q.s[n:])]
	if len(q.s) == 0 {
		q.primed = false
	}
}

func (q *pcmQueue) reset() { q.s, q.primed = q.s[:0], false }

// mixInto adds src to dst sample by sample, saturating at the int16 range (a sum that
// wraps would turn a loud moment into a click); it returns how many samples it added.
func mixInto(dst, src []int16) int {
	n := min(len(dst), len(src))
	for i := range n {
		v := int32(dst[i]) + int32(src[i])
		dst[i] = int16(max(-32768, min(32767, v)))
	}
	return n
}
