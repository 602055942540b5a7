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
}

// CodecName names a G.711 payload type.
func CodecName(pt uint8) string {
	if pt == media.PayloadPCMA {
		return "PCMA"
	}
	return "PCMU"
}

// offerSDP builds our SDP for an RTP port on ip (RFC 4566), listing codecs in order of
// preference and RFC 4733 telephone-event.
func offerSDP(ip string, port int, sessID int64, codecs []uint8) []byte {
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
	fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\na=ptime:20\r\na=sendrecv\r\n", dtmfPT, dtmfPT)
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
		m := Media{Addr: &net.UDPAddr{IP: ip, Port: md.MediaName.Port.Value}, Codec: 255}
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

func contains(s []uint8, v uint8) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
