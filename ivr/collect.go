package ivr

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/telephony"
)

// Collect says how many keys to collect and how long to wait for them.
type Collect struct {
	MaxDigits  int           // stop after this many keys (default 1)
	FirstDigit time.Duration // wait this long for the first key after the prompt ends (default 5 s)
	InterDigit time.Duration // and this long between keys (default 3 s)
	// Terminator ends the input early and is not part of it (default '#'; set NoTerminator to
	// collect '#' as a key).
	Terminator   byte
	NoTerminator bool
	NoBargeIn    bool // play the whole prompt even if a key comes
	// TypeAhead keeps the keys the caller sent before the prompt started (SIP INFO queued on
	// the leg, RFC 4733 events queued on its stream) as the first keys of the answer. For the
	// first question of a call only: the caller keys while the greeting is still being made
	// ready (a busy node takes a second or more to answer, read settings and start playing),
	// and those keys can be answers to nothing else. Without it they are dropped: keys sent
	// before a later question belong to the one before.
	TypeAhead bool
}

// Why collecting stopped.
const (
	StopMaxDigits  = "max_digits"
	StopTerminator = "terminator"
	StopTimeout    = "timeout"
	StopHangup     = "hangup"
)

// Result is what the caller keyed.
type Result struct {
	Digits string
	Stop   string // StopMaxDigits, StopTerminator, StopTimeout, StopHangup
	Barged bool   // a key stopped the prompt
	// Via says where each key came from: 'r' RFC 4733 telephone-event, 'i' SIP INFO.
	Via string
}

// Player plays audio on a leg (telephony.Endpoint.Play).
type Player interface {
	Play(ctx context.Context, leg *telephony.Leg, samples []int16, loop bool)
}

func (c Collect) withDefaults() Collect {
	if c.MaxDigits <= 0 {
		c.MaxDigits = 1
	}
	if c.FirstDigit <= 0 {
		c.FirstDigit = 5 * time.Second
	}
	if c.InterDigit <= 0 {
		c.InterDigit = 3 * time.Second
	}
	if c.Terminator == 0 && !c.NoTerminator {
		c.Terminator = '#'
	}
	return c
}

// PlayCollect plays prompt on leg and collects DTMF keys: RFC 4733 telephone-events read
// from the leg's inbound RTP, and SIP INFO keys of its dialog (telephony.Leg.Keys). A key
// stops the prompt (barge-in) unless NoBargeIn. The first-digit timeout runs from the end
// of the prompt (or from the first key's barge-in), the inter-digit timeout from each key.
// The leg must not be bridged meanwhile: PlayCollect reads its RTP, and returns only after
// it stopped reading. The error is ctx's when ctx ended.
func PlayCollect(ctx context.Context, p Player, leg *telephony.Leg, prompt []int16, c Collect) (Result, error) {
	c = c.withDefaults()
	var res Result
	if !c.TypeAhead {
		leg.Stream.Discard()
		for drained := false; !drained; { // keys sent before the question are not answers to it
			select {
			case <-leg.Keys():
			default:
				drained = true
			}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	rtpKeys := make(chan byte, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); readEvents(ctx, leg, rtpKeys) }()

	playCtx, stopPlay := context.WithCancel(ctx)
	played := make(chan struct{})
	go func() { defer close(played); p.Play(playCtx, leg, prompt, false) }()
	defer func() { stopPlay(); cancel(); <-played; wg.Wait() }() // the leg is the caller's again

	var timer <-chan time.Time // nil while the prompt plays: no timeout yet
	playing := played
	for {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-leg.Done():
			res.Stop = StopHangup
			return res, nil
		case <-playing:
			playing = nil
			if res.Digits == "" {
				timer = time.After(c.FirstDigit)
			} else if timer == nil { // keys came during a prompt that played on
				timer = time.After(c.InterDigit)
			}
		case <-timer:
			res.Stop = StopTimeout
			return res, nil
		case k := <-rtpKeys:
			if done := res.key(k, 'r', c, &timer, playing != nil, stopPlay); done {
				return res, nil
			}
		case k := <-leg.Keys():
			if done := res.key(k, 'i', c, &timer, playing != nil, stopPlay); done {
				return res, nil
			}
		}
	}
}

// key takes one key; it reports whether collecting is over.
func (r *Result) key(k byte, via byte, c Collect, timer *<-chan time.Time, playing bool, stopPlay func()) bool {
	if playing && !c.NoBargeIn {
		r.Barged = true
		stopPlay()
	}
	if k == c.Terminator && !c.NoTerminator {
		r.Stop = StopTerminator
		return true
	}
	r.Digits += string(k)
	r.Via += string(via)
	if len(r.Digits) >= c.MaxDigits {
		r.Stop = StopMaxDigits
		return true
	}
	if !playing || !c.NoBargeIn {
		*timer = time.After(c.InterDigit)
	}
	return false
}

// lastEvents holds, per leg, the RTP timestamp of the last telephone-event a collection saw:
// a key that ended one question (on its first packet) goes on sending repeats and end
// packets while the next question starts, and those are not a new key.
var lastEvents sync.Map // *telephony.Leg -> uint32

// readEvents reads the leg's inbound RTP until ctx ends and sends each RFC 4733 key once: the
// packets of one event share its RTP timestamp (RFC 4733 §2.5.1.3: the start, repeats and
// three end packets), so a new timestamp is a new key. Audio packets are dropped. On a SIP
// leg's socket the media loop hands each packet to the filter as it reads it (a relay, as a
// bridge's): audio is looked at and dropped there, not copied, queued and woken for 50
// times a second per call; what queued before (type-ahead) is read first.
func readEvents(ctx context.Context, leg *telephony.Leg, out chan<- byte) {
	f := &eventFilter{dtmf: leg.Remote.DTMF}
	if v, ok := lastEvents.Load(leg); ok {
		f.last, f.seen = v.(uint32), true
	}
	defer func() {
		if !f.seen {
			return
		}
		if _, had := lastEvents.Swap(leg, f.last); !had {
			go func() { <-leg.Done(); lastEvents.Delete(leg) }()
		}
	}()
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	if s, ok := leg.Stream.(*telephony.RTPStream); ok {
		s.Relay(func(_ []byte, pkt *rtp.Packet, _ time.Time) {
			if k := f.key(pkt); k != 0 {
				select {
				case out <- k: // PlayCollect takes keys as they come; 16 wait at most
				default:
				}
			}
		})
		defer s.Unrelay() // when it returns the filter runs no more: f is ours again
		// What queued before the relay (type-ahead; Discard left nothing otherwise).
		for ctx.Err() == nil {
			if _, _, err := s.Read(buf, &pkt, time.Millisecond); err != nil {
				break
			}
			if k := f.key(&pkt); k != 0 {
				select {
				case out <- k:
				case <-ctx.Done():
					return
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-leg.Done():
		}
		return
	}
	for ctx.Err() == nil {
		_, _, err := leg.Stream.Read(buf, &pkt, 50*time.Millisecond)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			continue
		}
		if err != nil {
			return // the leg ended
		}
		if k := f.key(&pkt); k != 0 {
			select {
			case out <- k:
			case <-ctx.Done():
				return
			}
		}
	}
}

// eventFilter turns a leg's RFC 4733 packets into keys, each key once (readEvents). The
// media loop and readEvents both use it, never at once for long: mu.
type eventFilter struct {
	dtmf uint8
	mu   sync.Mutex
	last uint32
	seen bool
}

// key is the key pkt starts, or 0 (audio, a repeat or end packet of the last key).
func (f *eventFilter) key(pkt *rtp.Packet) byte {
	if f.dtmf == 0 || pkt.PayloadType != f.dtmf || len(pkt.Payload) < 4 {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen && pkt.Timestamp == f.last {
		return 0
	}
	f.seen, f.last = true, pkt.Timestamp
	return telephony.EventKey(pkt.Payload[0])
}
