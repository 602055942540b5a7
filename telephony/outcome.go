package telephony

import (
	"errors"

	"github.com/emiago/sipgo/sip"
)

// Outcome is how a call attempt ended, in the vocabulary every domain shares (the call log,
// the dialer's attempts, the tracking page). Telephony owns its mapping to and from SIP
// statuses, so that call control speaks of outcomes and never of status numbers.
type Outcome string

// The call outcomes.
const (
	Answered    Outcome = "answered"
	NoAnswer    Outcome = "no_answer"
	Busy        Outcome = "busy"
	Rejected    Outcome = "rejected"
	Unreachable Outcome = "unreachable"
	Failed      Outcome = "failed"
	Cancelled   Outcome = "cancelled"
	// Abandoned is call control's: the call was answered (200 OK) but ended before an agent
	// took it. No SIP response means it; Dial never returns it.
	Abandoned Outcome = "abandoned"
)

// OutcomeOf maps a failed Dial to an outcome and the final SIP status to log with it (0 when
// no final response came, or when it tells nothing: an unreachable trunk's transport error).
// An error that is no *DialError is a failure.
func OutcomeOf(err error) (Outcome, int) {
	var de *DialError
	if !errors.As(err, &de) {
		return Failed, 0
	}
	switch {
	case de.NoAnswer:
		return NoAnswer, de.Status
	case de.Cancelled:
		return Cancelled, 0
	case de.Unreachable:
		return Unreachable, 0
	case de.Status == 0:
		return Failed, 0
	}
	return statusOutcome(de.Status), de.Status
}

// statusOutcome is what a final response to our INVITE means for the attempt (RFC 3261 §21).
func statusOutcome(status int) Outcome {
	switch status {
	case sip.StatusBusyHere, sip.StatusGlobalBusyEverywhere: // 486, 600
		return Busy
	case sip.StatusRequestTimeout, sip.StatusTemporarilyUnavailable, sip.StatusRequestTerminated: // 408, 480, 487
		return NoAnswer
	case sip.StatusForbidden, sip.StatusGlobalDecline: // 403, 603
		return Rejected
	case sip.StatusBadGateway, sip.StatusServiceUnavailable, sip.StatusGatewayTimeout: // 502, 503, 504
		// The trunk (or a proxy behind it) could not reach the far end.
		return Unreachable
	}
	if status >= 200 && status < 300 {
		return Answered
	}
	// 401/407 (the trunk refused our credentials), 404, 488, 5xx...: the call could not be made.
	return Failed
}

// refusals are the final responses a user agent gives a call it does not take, one per
// outcome a far end can cause (RFC 3261 §21).
var refusals = map[Outcome]struct {
	status int
	reason string
}{
	Busy:        {sip.StatusBusyHere, "Busy Here"},
	Rejected:    {sip.StatusGlobalDecline, "Decline"},
	NoAnswer:    {sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"},
	Unreachable: {sip.StatusServiceUnavailable, "Service Unavailable"},
	Failed:      {sip.StatusInternalServerError, "Server Internal Error"},
}

// Refused is the error of a dial the far end refused with outcome o, with the status a SIP
// phone answers for it: Busy 486 Busy Here, Rejected 603 Decline, NoAnswer 480, Unreachable
// 503, Failed 500 (any other o). Legs that are not SIP (an agent's desk page) answer like
// a phone with it, so OutcomeOf reads them alike.
func Refused(o Outcome) *DialError {
	r, ok := refusals[o]
	if !ok {
		r = refusals[Failed]
	}
	return &DialError{Status: r.status, Reason: r.reason}
}
