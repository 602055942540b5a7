package monitor

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/media"
)

// rtcStream is the supervisor's browser as a telephony.MediaStream: what the page's
// microphone sends comes in from the remote track; what the taps send (the call, mixed)
// goes out on one local track with our own sequence numbers and timestamps.
type rtcStream struct {
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	queue  chan []byte
	closed chan struct{}
	once   sync.Once
	lastRx atomic.Int64 // unix ns
	rx, tx atomic.Uint64
	gone   atomic.Pointer[func()] // ends the leg when the peer connection fails or closes

	mu  sync.Mutex // the outgoing header
	seq uint16
	ts  uint32
}

// answer makes the peer connection of a supervisor's page from its offer (ICE gathered in
// full: the exchange is one HTTP request, no trickle) and returns the stream and the answer.
func answer(ctx context.Context, api *webrtc.API, ice []webrtc.ICEServer, offer string) (*rtcStream, string, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: ice})
	if err != nil {
		return nil, "", err
	}
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "audio", "wismo-monitor")
	if err != nil {
		pc.Close()
		return nil, "", err
	}
	s := &rtcStream{pc: pc, track: track, queue: make(chan []byte, 32), closed: make(chan struct{})}
	s.lastRx.Store(time.Now().UnixNano())
	if _, err := pc.AddTrack(track); err != nil {
		pc.Close()
		return nil, "", err
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			go s.receive(tr)
		}
	})
	// RFC 7675 consent: a page that vanished fails the connection (rtcapi's ICE timeouts).
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
			if fn := s.gone.Load(); fn != nil {
				(*fn)()
			}
		}
	})
	fail := func(err error) (*rtcStream, string, error) { pc.Close(); return nil, "", err }
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(errors.Join(errBadOffer, err))
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(errors.Join(errBadOffer, err))
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return fail(err)
	}
	t := time.NewTimer(5 * time.Second) // host candidates take milliseconds; STUN/TURN a little more
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	return s, pc.LocalDescription().SDP, nil
}

// receive queues the page's packets for Read; when Read lags, the newest wins.
func (s *rtcStream) receive(tr *webrtc.TrackRemote) {
	for {
		b := make([]byte, 1500)
		n, _, err := tr.Read(b)
		if err != nil {
			if n == 0 {
				return
			}
			continue
		}
		s.lastRx.Store(time.Now().UnixNano())
		s.rx.Add(1)
		for {
			select {
			case s.queue <- b[:n]:
			default:
				select {
				case <-s.queue: // drop the oldest and try again
				default:
				}
				continue
			}
			break
		}
	}
}

// Read implements telephony.MediaStream.
func (s *rtcStream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case b := <-s.queue:
			n := copy(buf, b)
			if pkt.Unmarshal(buf[:n]) == nil {
				return n, time.Now(), nil
			}
		case <-t.C:
			return 0, time.Now(), os.ErrDeadlineExceeded // a net.Error whose Timeout() is true
		case <-s.closed:
			return 0, time.Now(), io.EOF
		}
	}
}

// WriteAudio implements telephony.MediaStream: the call, mixed by the taps.
func (s *rtcStream) WriteAudio(pt uint8, payload []byte, _ []byte) error {
	s.mu.Lock()
	h := rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: s.seq, Timestamp: s.ts}
	s.seq++
	s.ts += uint32(len(payload))
	s.mu.Unlock()
	s.tx.Add(1)
	return s.track.WriteRTP(&rtp.Packet{Header: h, Payload: payload})
}

// WriteRaw implements telephony.MediaStream (a tapped leg is never bridged: unused but
// for completeness it sends audio as our own).
func (s *rtcStream) WriteRaw(b []byte) error {
	var p rtp.Packet
	if err := p.Unmarshal(b); err != nil || p.PayloadType != media.PayloadPCMU {
		return err
	}
	return s.WriteAudio(p.PayloadType, p.Payload, nil)
}

// Discard implements telephony.MediaStream.
func (s *rtcStream) Discard() {
	for len(s.queue) > 0 {
		<-s.queue
	}
}

// SinceLastRx implements telephony.MediaStream: a page that sends audio and stops is ended
// by the endpoint's RTP timeout like any leg; a page without a microphone (listening only)
// sends none and is watched by its connection's state instead (onGone).
func (s *rtcStream) SinceLastRx() time.Duration {
	if s.rx.Load() == 0 {
		return 0
	}
	return time.Since(time.Unix(0, s.lastRx.Load()))
}

// onGone sets what to do when the peer connection fails or closes.
func (s *rtcStream) onGone(fn func()) { s.gone.Store(&fn) }

// Packets implements telephony.MediaStream.
func (s *rtcStream) Packets() (rx, tx uint64) { return s.rx.Load(), s.tx.Load() }

// Close implements telephony.MediaStream: the peer connection ends with the stream.
func (s *rtcStream) Close() error {
	s.once.Do(func() { close(s.closed) })
	return s.pc.Close()
}
