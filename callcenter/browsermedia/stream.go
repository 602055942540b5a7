// Package browsermedia is an agent's browser as a telephony.MediaStream: the audio of a
// WebRTC peer connection (pion) read and written as RTP, surviving a change of peer
// connection (a page reload) so that the bridge and the recording carry on.
package browsermedia

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/media"
)

// timeoutError is what browserStream.Read returns when no packet came in time.
type timeoutError struct{}

func (timeoutError) Error() string   { return "no RTP from the browser in time" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

var _ net.Error = timeoutError{}

// Stream is an agent's browser as a telephony.MediaStream: packets from the peer
// connection's remote audio track are read, and packets for the browser go to one local
// track. The peer connection may be replaced while the call lasts (a page reload): the
// stream, and so the bridge and the recording, carry on.
type Stream struct {
	out   *webrtc.TrackLocalStaticRTP
	in    chan []byte // packets from the browser, copied
	done  chan struct{}
	close sync.Once
	timer *time.Timer // Read's, reused (one reader: the bridge's relay)

	held     atomic.Bool  // on hold: nothing passes either way
	attached atomic.Bool  // a connected peer connection carries the media
	lastRx   atomic.Int64 // unix ns of the last packet from the browser
	rx, tx   atomic.Uint64

	mu      sync.Mutex // the outgoing stream state below
	seq     uint16
	ts      uint32 // the last timestamp we sent
	srcSSRC uint32 // the SSRC of the packets being relayed now
	tsOff   uint32 // added to their timestamps to continue ours
	own     uint32 // timestamp of our own audio (WriteAudio)
	started bool
}

// New returns a stream with no peer connection yet.
func New() (*Stream, error) {
	out, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "audio", "wismo")
	if err != nil {
		return nil, err
	}
	s := &Stream{out: out, in: make(chan []byte, 64), done: make(chan struct{}), timer: time.NewTimer(time.Hour)}
	s.timer.Stop()
	s.lastRx.Store(time.Now().UnixNano())
	return s, nil
}

// Pump reads the browser's audio track until it ends, queueing packets for Read; when the
// reader lags the oldest packets are dropped (live audio: late is as good as lost).
func (s *Stream) Pump(tr *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	for {
		n, _, err := tr.Read(buf)
		if err != nil && n == 0 {
			return // the peer connection closed
		}
		if err != nil || n < 12 {
			continue // a payload type we did not negotiate
		}
		s.lastRx.Store(time.Now().UnixNano())
		s.rx.Add(1)
		if s.held.Load() {
			continue
		}
		p := make([]byte, n)
		copy(p, buf[:n])
		select {
		case s.in <- p:
		default:
			select {
			case <-s.in:
			default:
			}
			select {
			case s.in <- p:
			default:
			}
		}
	}
}

// Read implements telephony.MediaStream.
func (s *Stream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	s.timer.Reset(wait)
	defer s.timer.Stop()
	for {
		select {
		case p := <-s.in:
			n := copy(buf, p)
			if pkt.Unmarshal(buf[:n]) != nil {
				continue
			}
			return n, time.Now(), nil
		case <-s.timer.C:
			return 0, time.Now(), timeoutError{}
		case <-s.done:
			return 0, time.Now(), io.EOF
		}
	}
}

// WriteRaw implements telephony.MediaStream: audio is sent on, with our sequence numbers
// and a timestamp that continues across a change of source (RFC 3550 §5.1: one SSRC, one
// timeline; pion sets the SSRC and payload type of the binding). Telephone-events from the
// customer are not sent: a browser plays no RFC 4733 events.
func (s *Stream) WriteRaw(b []byte) error {
	if s.held.Load() || len(b) < 12 || b[1]&0x7f != media.PayloadPCMU {
		return nil
	}
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil {
		return err
	}
	s.mu.Lock()
	if !s.started || p.SSRC != s.srcSSRC {
		s.srcSSRC, s.tsOff, s.started = p.SSRC, s.ts+160-p.Timestamp, true
	}
	p.Timestamp += s.tsOff
	p.SequenceNumber = s.seq
	s.seq++
	s.ts = p.Timestamp
	s.mu.Unlock()
	s.tx.Add(1)
	return s.out.WriteRTP(&p)
}

// WriteAudio implements telephony.MediaStream (ringback while a preview call dials).
func (s *Stream) WriteAudio(pt uint8, payload []byte, _ []byte) error {
	if s.held.Load() {
		return nil
	}
	s.mu.Lock()
	if s.srcSSRC != 0 || !s.started { // our own audio is a source of its own
		s.srcSSRC, s.started = 0, true
		s.own = s.ts + 160
	}
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: s.seq, Timestamp: s.own}, Payload: payload}
	s.seq++
	s.ts = s.own
	s.own += uint32(len(payload))
	s.mu.Unlock()
	s.tx.Add(1)
	return s.out.WriteRTP(&p)
}

// Discard implements telephony.MediaStream.
func (s *Stream) Discard() {
	for {
		select {
		case <-s.in:
		default:
			return
		}
	}
}

// SinceLastRx implements telephony.MediaStream. While no peer connection carries the call
// (the page is reloading) it reports 0: the softphone's reconnect grace decides, not the
// bridge's silence timer.
func (s *Stream) SinceLastRx() time.Duration {
	if !s.attached.Load() {
		return 0
	}
	return time.Since(time.Unix(0, s.lastRx.Load()))
}

// Packets implements telephony.MediaStream.
func (s *Stream) Packets() (rx, tx uint64) { return s.rx.Load(), s.tx.Load() }

// Close implements telephony.MediaStream; the peer connections are the softphone's.
func (s *Stream) Close() error {
	s.close.Do(func() { close(s.done) })
	return nil
}

// Track is the local track carrying the stream's audio to the browser.
func (s *Stream) Track() *webrtc.TrackLocalStaticRTP { return s.out }

// Connected marks a peer connection as carrying the media from now on.
func (s *Stream) Connected() {
	s.lastRx.Store(time.Now().UnixNano())
	s.attached.Store(true)
}

// Detached marks the media as carried by no peer connection (the page is away).
func (s *Stream) Detached() { s.attached.Store(false) }

// Hold stops (or restarts) everything passing either way.
func (s *Stream) Hold(on bool) { s.held.Store(on) }
