package carrier

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

// payloadPCMU is G.711 mu-law's static payload type (RFC 3551 §6, table 4).
const payloadPCMU = 0

// rtpSession is one call's media: a loopback UDP socket that sends the party's voice to the
// address the far end's SDP named, 20 ms a packet in real time, from the port our own SDP
// names (symmetric RTP, RFC 4961), and reads and drops what the far end sends (the party
// listens in silence).
type rtpSession struct {
	conn   *net.UDPConn
	remote *net.UDPAddr
	rx     atomic.Uint64 // RTP packets received
	tx     atomic.Uint64 // and sent
	read   chan struct{} // closed when the reader has stopped
}

// openRTP binds a media socket on a free loopback port.
func openRTP() (*rtpSession, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("RTP socket: %w", err)
	}
	s := &rtpSession{conn: conn, read: make(chan struct{})}
	go s.drain()
	return s, nil
}

// port is where the session receives RTP.
func (s *rtpSession) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// drain reads the far end's packets until the socket closes.
func (s *rtpSession) drain() {
	defer close(s.read)
	buf := make([]byte, 1500)
	for {
		n, _, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if n >= 12 && buf[0]>>6 == 2 { // RTP version 2 (RFC 3550 §5.1)
			s.rx.Add(1)
		}
	}
}

// close stops the session and waits for its reader.
func (s *rtpSession) close() {
	s.conn.Close()
	<-s.read
}

// play sends frames as PCMU to the remote address, one every 20 ms by the clock, until the
// frames end (nil) or ctx does (its error). RFC 3550 §5.1: sequence number and timestamp
// start at random values; the timestamp advances 160 (8 kHz samples) a packet; the marker
// bit is set on the first packet (RFC 3551 §4.1: the start of a talkspurt).
func (s *rtpSession) play(ctx context.Context, frames iter.Seq[[]byte]) error {
	var r [10]byte
	rand.Read(r[:])
	h := rtp.Header{Version: 2, PayloadType: payloadPCMU, Marker: true, SequenceNumber: binary.BigEndian.Uint16(r[0:]),
		Timestamp: binary.BigEndian.Uint32(r[2:]), SSRC: binary.BigEndian.Uint32(r[6:])}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	buf := make([]byte, 0, 12+frameBytes)
	start, i := time.Now(), 0
	for f := range frames {
		due := start.Add(time.Duration(i) * frameTime)
		switch wait := time.Until(due); {
		case wait > 0:
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		case wait < -5*frameTime:
			// Stalled (a busy machine): carry on from now rather than send a burst.
			start, i = time.Now(), 0
		case ctx.Err() != nil:
			return ctx.Err()
		}
		pkt := rtp.Packet{Header: h, Payload: f}
		b, err := pkt.MarshalTo(buf[:cap(buf)])
		if err != nil {
			return err
		}
		if _, err := s.conn.WriteToUDP(buf[:b], s.remote); errors.Is(err, net.ErrClosed) {
			return err
		}
		s.tx.Add(1)
		h.Marker = false
		h.SequenceNumber++
		h.Timestamp += frameBytes
		i++
	}
	return nil
}

// Why an SDP cannot be used.
var (
	errNoPCMU    = errors.New("no PCMU audio stream")
	errNotLocal  = errors.New("the demo carrier sends media to loopback addresses only")
	errSDPSyntax = errors.New("unreadable SDP")
)

// remoteMedia reads where an SDP offer or answer wants audio sent: the first audio stream
// offering PCMU, at its connection address (the media-level c= line before the session's,
// RFC 4566 §5.7). The demo carrier sends to loopback only.
func remoteMedia(body []byte) (*net.UDPAddr, error) {
	var s sdp.SessionDescription
	if err := s.Unmarshal(body); err != nil {
		return nil, fmt.Errorf("%w: %v", errSDPSyntax, err)
	}
	for _, md := range s.MediaDescriptions {
		if md.MediaName.Media != "audio" || md.MediaName.Port.Value == 0 {
			continue
		}
		pcmu := false
		for _, f := range md.MediaName.Formats {
			pcmu = pcmu || f == "0"
		}
		c := md.ConnectionInformation
		if c == nil {
			c = s.ConnectionInformation
		}
		if !pcmu || c == nil || c.Address == nil {
			continue
		}
		ip := net.ParseIP(c.Address.Address)
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("%w: %q", errNotLocal, c.Address.Address)
		}
		return &net.UDPAddr{IP: ip, Port: md.MediaName.Port.Value}, nil
	}
	return nil, errNoPCMU
}

// localSDP is the carrier's offer or answer: PCMU in 20 ms packets at port on 127.0.0.1
// (RFC 4566; RFC 3264 §6.1: an answer's stream is the offer's, with our address).
func localSDP(port int) []byte {
	id := time.Now().UnixNano()
	return fmt.Appendf(nil, "v=0\r\no=demo-carrier %d %d IN IP4 127.0.0.1\r\ns=demo carrier\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n", id, id, port)
}
