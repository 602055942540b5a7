package telephony

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
)

// MediaStream is a leg's media transport as the bridge sees it: RTP packets in and out.
// RTPStream (a UDP socket of a SIP leg) is one; a WebRTC peer connection's audio track
// (an agent's browser, in callcenter) is another, so the bridge relays, records and
// rewrites telephone-events the same way whatever carries the packets.
type MediaStream interface {
	// Read reads one RTP packet into buf and pkt (its payload points into buf), waiting at
	// most about wait; a timeout is a net.Error whose Timeout() is true, any other error
	// means the stream is closed.
	Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error)
	// WriteRaw sends a marshalled RTP packet as it is (the relay's path).
	WriteRaw(b []byte) error
	// WriteAudio sends audio of our own (announcements, ringback, music on hold) with the
	// stream's own SSRC, sequence numbers and timestamps.
	WriteAudio(pt uint8, payload []byte, buf []byte) error
	// Discard drops what queued up while nobody read, so a bridge starts with live audio.
	Discard()
	// SinceLastRx is how long the peer has been silent on the wire.
	SinceLastRx() time.Duration
	// Packets counts the packets received and sent so far.
	Packets() (rx, tx uint64)
	// Close releases the transport; Read then fails.
	Close() error
}

var _ MediaStream = (*RTPStream)(nil)

// Packets counts the packets received and sent on the socket.
func (s *RTPStream) Packets() (rx, tx uint64) { return s.rx.Load(), s.tx.Load() }

// ExternalLeg describes a leg whose signalling is not SIP (a browser softphone over a
// WebSocket): its media, what it speaks, and how to end it from our side.
type ExternalLeg struct {
	ID       string      // unique among legs, e.g. "webrtc-<agent>-<n>"
	From, To string      // for logs and the call log
	Stream   MediaStream // its media
	Remote   Media       // Codec and DTMF: the payload types it sends and expects; Addr nil
	// Hangup tells the far end we hang up (may be nil); called once, with a teardown
	// context, when Leg.Hangup is called.
	Hangup func(ctx context.Context)
}

// AttachLeg makes an answered leg of x: it counts as an active call (Drain waits for it),
// is bridged, played to and hung up like a SIP leg, and its Status is a SIP phone's 200 OK.
// The owner ends it from the far end with Leg.End when its own signalling says so.
func (e *Endpoint) AttachLeg(x ExternalLeg) *Leg {
	hangup := x.Hangup
	if hangup == nil {
		hangup = func(context.Context) {}
	}
	l := &Leg{CallID: x.ID, Stream: x.Stream, Remote: x.Remote, From: x.From, To: x.To, AnsweredAt: time.Now(),
		Status: sip.StatusOK, e: e, external: hangup, done: make(chan struct{}), keys: make(chan byte, keyQueue)}
	l.remoteMedia(x.Remote, l.AnsweredAt)
	e.active.Add(1)
	e.legs.Store(l.CallID, l)
	return l
}

// End ends a leg that the far end left (by EndedRemote, or EndedMedia when it vanished),
// for legs whose signalling is not SIP (AttachLeg). It does nothing if the leg ended.
func (l *Leg) End(by string) { l.finish(by) }
