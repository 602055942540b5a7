// Package telephony is wismo's SIP user agent and media relay, on emiago/sipgo and pion/rtp:
// it places calls (to a trunk or to a registered phone), takes calls to hotline numbers,
// registers agents' phones with digest authentication, and relays and records RTP between
// two legs. It decides nothing about routing: call control (callcenter) tells it whom to
// dial and what to bridge, and answers its questions about inbound calls.
package telephony

import (
	"context"
	"time"
)

// Config is the endpoint's setup, taken from wismo's configuration.
type Config struct {
	ListenAddr   string // host:port for UDP and TCP; port 0 picks one (tests)
	PublicAddr   string // host:port in Contact and SDP; empty = the listen address
	RTPPortMin   int
	RTPPortMax   int
	Trunk        Trunk
	Realm        string        // digest realm for agents' phones; default "wismo"
	NoRTPTimeout time.Duration // a leg whose far end sends no RTP this long (not on hold) is ended; default 30 s
	Codecs       []uint8       // offered in order; default PCMU, PCMA
	TCP          TCPLimits     // caps and idle timeout of SIP TCP connections
	AuthMaxWait  time.Duration // cap of the wait failed REGISTERs earn; default DefaultAuthMaxWait
}

// Trunk is the SIP provider outbound calls to phone numbers go through.
type Trunk struct {
	URI      string // sip:host:port of the proxy; empty = no trunk
	User     string // digest username (RFC 8760)
	Password string
	CallerID string // default user part of From
}

// InboundHandler decides what becomes of an INVITE that is not for a dialog we know
// (livekit/sip's processInvite shape: the SIP code asks, call control answers with a
// Decision, Accept or Reject, and the SIP code carries it out). HandleInbound may take its
// time before it decides (look the number up, dial the far end of a bridge); ctx is the
// INVITE's dialog context, which ends if the caller cancels.
type InboundHandler interface {
	HandleInbound(ctx context.Context, call *InboundCall) Decision
}
