package telephony

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/media"
)

// Recorder receives the decoded audio of each direction of a bridge: channel 0 what the
// first leg (the customer) said, channel 1 what the second (the agent) said.
type Recorder interface {
	Write(ch int, ts uint32, at time.Time, samples []int16)
}

// Bridge relays RTP between a and b until one of them ends (a leg silent on the wire for the
// RTP timeout is ended as EndedMedia, watchdog.go) or ctx ends. Equal codecs are
// relayed untouched; mu-law and A-law are transcoded; RFC 4733 telephone-events get the
// receiving side's payload type. rec (may be nil) gets both directions. It returns the leg
// that ended first, or nil when ctx ended.
func (e *Endpoint) Bridge(ctx context.Context, a, b *Leg, rec Recorder) *Leg {
	return e.BridgeWith(ctx, a, b, rec, nil)
}

// BridgeWith is Bridge with taps (may be nil): while a leg is attached to them, each
// direction is decoded, mixed with the tapped legs it carries and encoded again (tap.go);
// while none is, packets are relayed untouched as Bridge does.
func (e *Endpoint) BridgeWith(ctx context.Context, a, b *Leg, rec Recorder, taps *Taps) *Leg {
	a.Stream.Discard()
	b.Stream.Discard()
	ctx, cancel := context.WithCancel(ctx)
	sa, aok := a.Stream.(*RTPStream)
	sb, bok := b.Stream.(*RTPStream)
	if aok && bok {
		// Two SIP legs: the media loops relay inline, no goroutine per direction.
		sa.Relay(e.forwarder(a, b, 0, rec, taps))
		sb.Relay(e.forwarder(b, a, 1, rec, taps))
		defer func() { cancel(); sa.Unrelay(); sb.Unrelay() }()
	} else {
		var wg sync.WaitGroup
		defer func() { cancel(); wg.Wait() }() // goroutine relays stop within one read deadline
		wg.Add(2)
		go func() { defer wg.Done(); e.relay(ctx, a, b, 0, rec, taps) }()
		go func() { defer wg.Done(); e.relay(ctx, b, a, 1, rec, taps) }()
	}
	select {
	case <-ctx.Done():
		return nil
	case <-a.Done():
		return a
	case <-b.Done():
		return b
	}
}

// DTMF is an RFC 4733 telephone-event packet a bridge forwarded: to the leg with Call-ID
// To, the event (0-9 digits, 10 *, 11 #), whether it is an end packet, and the payload type
// it was sent with (the receiving side's).
type DTMF struct {
	To          string
	Event       uint8
	End         bool
	PayloadType uint8
}

// OnDTMF calls fn for every telephone-event packet bridges forward (a digit's packets
// repeat: its end is sent three times); fn must be quick.
func (e *Endpoint) OnDTMF(fn func(DTMF)) { e.onDTMF.Store(&fn) }

// relay forwards src's packets to dst until ctx ends or src's stream closes, reading them
// on a goroutine of its own (for streams that are not RTPStreams).
func (e *Endpoint) relay(ctx context.Context, src, dst *Leg, ch int, rec Recorder, taps *Taps) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	forward := e.forwarder(src, dst, ch, rec, taps)
	for ctx.Err() == nil {
		n, at, err := src.Stream.Read(buf, &pkt, 250*time.Millisecond)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			continue
		}
		if err != nil {
			return // socket closed: the leg ended
		}
		forward(buf[:n], &pkt, at)
	}
}

// forwarder returns what to do with each packet src sends: record, rewrite and send it to
// dst (mixed with the tapped legs while taps has any). It is called by one goroutine at a
// time.
func (e *Endpoint) forwarder(src, dst *Leg, ch int, rec Recorder, taps *Taps) relayFunc {
	var pcm []int16
	return func(buf []byte, pkt *rtp.Packet, at time.Time) {
		hdr := len(buf) - len(pkt.Payload) - int(pkt.PaddingSize)
		if taps.active() && pkt.PayloadType == src.Remote.Codec {
			taps.mix(ch, buf[hdr:hdr+len(pkt.Payload)], src.Remote.Codec, dst.Remote.Codec, rec, pkt.Timestamp, at)
			buf[1] = buf[1]&0x80 | dst.Remote.Codec
		} else if !rewrite(e.codecs, buf, hdr, pkt, src.Remote, dst.Remote, ch, rec, &pcm, at) {
			return
		}
		dst.Stream.WriteRaw(buf)
		e.relayed.Add(1)
		if pkt.PayloadType == src.Remote.DTMF && len(pkt.Payload) >= 4 {
			if fn := e.onDTMF.Load(); fn != nil {
				(*fn)(DTMF{To: dst.CallID, Event: pkt.Payload[0], End: pkt.Payload[1]&0x80 != 0, PayloadType: buf[1] & 0x7f})
			}
		}
	}
}

// rewrite prepares a packet from a side speaking src for a side expecting dst, in place:
// audio goes to the recorder (channel ch) and is transcoded if the codecs differ; RFC 4733
// telephone-events get the receiving side's payload type (RFC 4733 §2.1: it is negotiated
// per side). It reports whether to forward the packet (comfort noise and codecs we did not
// negotiate are dropped).
func rewrite(codecs media.Codecs, buf []byte, hdr int, pkt *rtp.Packet, src, dst Media, ch int, rec Recorder, pcm *[]int16, at time.Time) bool {
	switch pt := pkt.PayloadType; {
	case pt == src.Codec:
		if rec != nil {
			*pcm = codecs.Decode((*pcm)[:0], pt, pkt.Payload)
			rec.Write(ch, pkt.Timestamp, at, *pcm)
		}
		codecs.Transcode(buf[hdr:hdr+len(pkt.Payload)], pt, dst.Codec)
		buf[1] = buf[1]&0x80 | dst.Codec
		return true
	case pt == src.DTMF && src.DTMF != 0 && dst.DTMF != 0:
		buf[1] = buf[1]&0x80 | dst.DTMF
		return true
	}
	return false
}

// Play sends samples (8 kHz linear PCM) to leg in 20 ms packets paced in real time, looping
// if loop is set, until done, ctx ends or the leg ends (RFC 3551 §4.5: 20 ms is G.711's
// default packet time).
func (e *Endpoint) Play(ctx context.Context, leg *Leg, samples []int16, loop bool) {
	if len(samples) == 0 {
		return
	}
	const frame = 160
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	payload := make([]byte, 0, frame)
	buf := make([]byte, 1500)
	for off := 0; ; off += frame {
		if off >= len(samples) {
			if !loop {
				return
			}
			off = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-leg.Done():
			return
		case <-tick.C:
		}
		chunk := samples[off:min(off+frame, len(samples))]
		payload = media.Encode(payload[:0], leg.Remote.Codec, chunk)
		leg.Stream.WriteAudio(leg.Remote.Codec, payload, buf)
	}
}
