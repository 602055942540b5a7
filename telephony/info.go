package telephony

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// keyQueue is how many SIP INFO keys a leg holds for its reader; more are dropped (a leg
// nobody collects keys on must not grow).
const keyQueue = 32

// Keys delivers the DTMF keys the far end sent as SIP INFO inside the leg's dialog ('0'-'9',
// '*', '#', 'A'-'D'), in order. RFC 4733 telephone-events come with the RTP (Stream.Read).
func (l *Leg) Keys() <-chan byte { return l.keys }

// onInfo takes an INFO inside a leg's dialog (RFC 6086): DTMF as application/dtmf-relay
// ("Signal=5\r\nDuration=160") or application/dtmf ("5") goes to the leg's Keys; the INFO is
// answered 200 whatever its package (we keep no session state on it). An INFO outside a
// dialog is answered 481 (RFC 6086 §4.2.1), a DTMF body we cannot read 400.
func (e *Endpoint) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	var leg *Leg
	if v, ok := e.legs.Load(req.CallID().Value()); ok {
		leg = v.(*Leg)
	}
	if leg == nil || !leg.inDialog(req) {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(strings.SplitN(h.Value(), ";", 2)[0]))
	}
	if ct == "application/dtmf-relay" || ct == "application/dtmf" {
		key, ok := infoKey(ct, string(req.Body()))
		if !ok {
			tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request: no DTMF signal in the body", nil))
			return
		}
		select {
		case leg.keys <- key:
		default:
			e.log.Debug("SIP INFO key dropped: nobody collects keys on the leg", "call_id", leg.CallID)
		}
	}
	tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
}

// infoKey reads the key of a DTMF INFO body.
func infoKey(ct, body string) (byte, bool) {
	v := strings.TrimSpace(body)
	if ct == "application/dtmf-relay" {
		v = ""
		for _, line := range strings.Split(body, "\n") {
			name, val, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "signal") {
				v = strings.TrimSpace(val)
				break
			}
		}
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 10 && n <= 15 { // events 10-15: * # A B C D (RFC 4733 §3.2)
		return "*#ABCD"[n-10], true
	}
	if len(v) != 1 {
		return 0, false
	}
	c := v[0]
	if c >= 'a' && c <= 'd' {
		c -= 'a' - 'A'
	}
	if (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D') {
		return c, true
	}
	return 0, false
}

// EventKey is the key of an RFC 4733 telephone-event (0-9, 10 *, 11 #, 12-15 A-D); 0 for
// events that are no key (tones such as 32 busy).
func EventKey(event uint8) byte {
	switch {
	case event <= 9:
		return '0' + event
	case event <= 15:
		return "*#ABCD"[event-10]
	}
	return 0
}
