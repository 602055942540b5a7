package telephony

import (
	"context"

	"github.com/emiago/sipgo/sip"
)

// Decision is call control's answer to an inbound call, livekit/sip's processInvite shape:
// the endpoint asks (InboundHandler), call control decides, and the endpoint turns the
// decision into SIP. Call control never names a status code. The zero Decision refuses the
// call as a server failure.
type Decision struct {
	reject RejectReason
	serve  func(ctx context.Context, leg *Leg, err error)
}

// RejectReason is why call control refuses an inbound call; the endpoint answers each with
// its own final response (RFC 3261 §21).
type RejectReason uint8

// The reasons to refuse a call.
const (
	// ServerFailure: call control could not take the call (its log could not be written...):
	// 500 Server Internal Error (§21.5.1).
	ServerFailure RejectReason = iota
	// NoSuchNumber: nothing answers the dialled number: 404 Not Found (§21.4.5).
	NoSuchNumber
	// Unavailable: the number exists but nobody can take the call now (the far end of a
	// bridge failed): 480 Temporarily Unavailable (§21.4.18).
	Unavailable
)

// rejections are the final responses of the reasons.
var rejections = map[RejectReason]struct {
	status int
	reason string
}{
	ServerFailure: {sip.StatusInternalServerError, "Server Internal Error"},
	NoSuchNumber:  {sip.StatusNotFound, "Not Found"},
	Unavailable:   {sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"},
}

// response is the final status and reason phrase that answer r.
func (r RejectReason) response() (int, string) {
	res, ok := rejections[r]
	if !ok {
		res = rejections[ServerFailure]
	}
	return res.status, res.reason
}

// Reject refuses the call for reason: the endpoint answers the INVITE with the reason's final
// response and forgets it.
func Reject(reason RejectReason) Decision { return Decision{reject: reason} }

// Accept takes the call: the endpoint sends 180 Ringing, answers at once (200 OK with its
// SDP, RFC 3261 §13.3.1.4) and then runs serve with the answered leg, on the INVITE's own
// goroutine, until serve returns: from then on the call is call control's. If the answer
// cannot be sent, serve runs with the error and no leg, so that call control can log the
// failed call. ctx is the INVITE's dialog context.
func Accept(serve func(ctx context.Context, leg *Leg, err error)) Decision {
	return Decision{serve: serve}
}
