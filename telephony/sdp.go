package telephony

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/wismo/wismo/media"
)

// ErrNoCommonCodec reports an offer or answer without PCMU or PCMA (RFC 3264 §6: reject
// with 488 Not Acceptable Here).
var ErrNoCommonCodec = errors.New("no common codec (PCMU or PCMA)")

// dtmfPT is the payload type we offer for RFC 4733 telephone-event (trunks usually use 101).
const dtmfPT = 101

// Media is what one side of an SDP exchange says about its audio.
type Media struct {
	Addr    *net.UDPAddr // where to send RTP
	Codec   uint8        // the chosen payload type: media.PayloadPCMU or media.PayloadPCMA
	DTMF    uint8        // the peer's telephone-event payload type, 0 if none
	Formats []uint8      // every payload type listed, in the peer's order of preference
	Dir     Direction    // the peer's direction attribute; empty means sendrecv
}

// Direction is an SDP media direction attribute (RFC 3264 §5.1), as the side that wrote it
// means it: sendonly is a peer that sends and does not want to receive.
type Direction string

// The direction attributes.
const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

// answer is the direction that answers an offer of d (RFC 3264 §6.1): a sendonly stream is
// answered recvonly, a recvonly one sendonly, an inactive one inactive.
func (d Direction) answer() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	}
	return SendRecv
}

// held reports whether the address is RFC 2543's hold, c=0.0.0.0 (RFC 3264 §8.4: still to
// be understood, though a=sendonly replaced it).
func (m Media) held() bool { return m.Addr != nil && m.Addr.IP.IsUnspecified() }

// TwoWay reports whether the peer said it sends and receives: not on hold (a=sendonly or
// a=inactive, or c=0.0.0.0, RFC 3264 §8.4) and not receive-only. Only then does its
// silence mean it has gone.
func (m Media) TwoWay() bool { return (m.Dir == "" || m.Dir == SendRecv) && !m.held() }

// receives reports whether the peer wants RTP from us (RFC 3264 §6.1: not to a sendonly or
// inactive stream).
func (m Media) receives() bool { return m.Dir != SendOnly && m.Dir != Inactive && !m.held() }

// CodecName names a G.711 payload type.
func CodecName(pt uint8) string {
	if pt == media.PayloadPCMA {
		return "PCMA"
	}
	return "PCMU"
}

// offerSDP builds our SDP for an RTP port on ip (RFC 4566), listing codecs in order of
// preference and RFC 4733 telephone-event, with direction dir.
func offerSDP(ip string, port int, sessID int64, codecs []uint8, dir Direction) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=wismo %d %d IN IP4 %s\r\ns=wismo\r\nc=IN IP4 %s\r\nt=0 0\r\n", sessID, sessID, ip, ip)
	b.WriteString("m=audio " + strconv.Itoa(port) + " RTP/AVP")
	for _, c := range codecs {
		b.WriteString(" " + strconv.Itoa(int(c)))
	}
	b.WriteString(" " + strconv.Itoa(dtmfPT) + "\r\n")
	for _, c := range codecs {
		fmt.Fprintf(&b, "a=rtpmap:%d %s/8000\r\n", c, CodecName(c))
	}
	fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\na=ptime:20\r\na=%s\r\n", dtmfPT, dtmfPT, dir)
	return []byte(b.String())
}

// parseSDP reads the first audio stream of body and picks the first G.711 payload type the
// peer lists that is also in prefer (RFC 3264 §6.1: the answerer keeps the offer's order).
func parseSDP(body []byte, prefer []uint8) (Media, error) {
	var s sdp.SessionDescription
	if err := s.Unmarshal(body); err != nil {
		return Media{}, fmt.Errorf("parse SDP: %w", err)
	}
	for _, md := range s.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		host := ""
		if s.ConnectionInformation != nil && s.ConnectionInformation.Address != nil {
			host = s.ConnectionInformation.Address.Address
		}
		if md.ConnectionInformation != nil && md.ConnectionInformation.Address != nil {
			host = md.ConnectionInformation.Address.Address
		}
		ip := net.ParseIP(host)
		if ip == nil {
			return Media{}, fmt.Errorf("SDP connection address %q is not an IP", host)
		}
		m := Media{Addr: &net.UDPAddr{IP: ip, Port: md.MediaName.Port.Value}, Codec: 255, Dir: direction(s.Attributes, md.Attributes)}
		for _, f := range md.MediaName.Formats {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 || n > 127 {
				continue
			}
			m.Formats = append(m.Formats, uint8(n))
		}
		for _, pt := range m.Formats {
			if m.Codec == 255 && contains(prefer, pt) {
				m.Codec = pt
			}
		}
		for _, a := range md.Attributes {
			if a.Key == "rtpmap" && strings.Contains(strings.ToLower(a.Value), "telephone-event/8000") {
				if n, err := strconv.Atoi(strings.Fields(a.Value)[0]); err == nil && n >= 96 && n <= 127 {
					m.DTMF = uint8(n)
				}
			}
		}
		if m.Codec == 255 {
			return m, ErrNoCommonCodec
		}
		return m, nil
	}
	return Media{}, fmt.Errorf("SDP has no audio stream: %w", ErrNoCommonCodec)
}

// direction is a stream's direction attribute: the media level's, else the session's, else
// sendrecv (RFC 3264 §5.1).
func direction(session, media []sdp.Attribute) Direction {
	for _, attrs := range [][]sdp.Attribute{media, session} {
		for _, a := range attrs {
			switch d := Direction(a.Key); d {
			case SendRecv, SendOnly, RecvOnly, Inactive:
				return d
			}
		}
	}
	return SendRecv
}

func contains(s []uint8, v uint8) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
