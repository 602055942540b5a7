// Package rtcapi is the pion WebRTC setup of the agents' browser softphone (callcenter):
// the API with only G.711 mu-law and telephone-event, and the SDP and STUN/TURN helpers.
package rtcapi

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// DTMF is the telephone-event payload type we register; the browser's offer decides
// the one on the wire (Chrome: 126), read back from its SDP.
const DTMF = 101

// New builds the pion API of the softphone: only PCMU (PT 0) and telephone-event
// are registered, so a browser and we agree on G.711 mu-law and audio is relayed to SIP legs
// without transcoding; no interceptors (no NACK or TWCC for 20 ms audio packets: a lost
// G.711 packet is concealed by the receiver, a resent one would be late). Loopback
// candidates are included (agents on the same host, and the tests), UDP over IPv4 only,
// mDNS off (RFC 8445 host candidates with real addresses: our peers are browsers we serve).
func New(ipFilter func(net.IP) bool, portMin, portMax uint16) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: 0}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: "audio/telephone-event", ClockRate: 8000, Channels: 1, SDPFmtpLine: "0-16"}, PayloadType: DTMF}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if ipFilter != nil {
		s.SetIPFilter(ipFilter)
	}
	if portMin != 0 {
		if err := s.SetEphemeralUDPPortRange(portMin, portMax); err != nil {
			return nil, fmt.Errorf("softphone UDP ports: %w", err)
		}
	}
	// RFC 8445 §10: consent freshness; a browser that vanished is "disconnected" after 5 s.
	s.SetICETimeouts(5*time.Second, 15*time.Second, 2*time.Second)
	// An empty registry: pion would otherwise add its default NACK, RTCP report and TWCC
	// interceptors to every packet's path.
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(s), webrtc.WithInterceptorRegistry(&interceptor.Registry{})), nil
}

// OfferDTMF is the telephone-event/8000 payload type of an SDP offer, 0 if none.
func OfferDTMF(sdp string) uint8 {
	for _, line := range strings.Split(sdp, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "a=rtpmap:")
		if !ok || !strings.Contains(strings.ToLower(rest), "telephone-event/8000") {
			continue
		}
		if n, err := strconv.Atoi(strings.Fields(rest)[0]); err == nil && n >= 96 && n <= 127 {
			return uint8(n)
		}
	}
	return 0
}

// ICEServer splits "turn:user:secret@host:3478" into URL and credentials.
func ICEServer(u string) webrtc.ICEServer {
	scheme, rest, _ := strings.Cut(u, ":")
	if cred, host, ok := strings.Cut(rest, "@"); ok {
		user, pass, _ := strings.Cut(cred, ":")
		return webrtc.ICEServer{URLs: []string{scheme + ":" + host}, Username: user, Credential: pass}
	}
	return webrtc.ICEServer{URLs: []string{u}}
}
