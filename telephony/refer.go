package telephony

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// ReferFunc is call control's answer to a REFER (RFC 3515) that the far end of leg (an
// agent's phone) sent in its dialog, asking that the other party of the call be sent to
// referTo (the Refer-To URI, without angle brackets or header parameters). nil accepts it:
// 202, and done must then be called once with the transfer's final status (200: the target
// answered; another: it did not). An error refuses it (403).
type ReferFunc func(leg *Leg, referTo string, done func(status int)) error

// OnRefer sets what in-dialog REFERs do; until it is set they are answered 405, as any method
// the endpoint does not route.
func (e *Endpoint) OnRefer(fn ReferFunc) { e.onRefer.Store(&fn) }

func (e *Endpoint) onReferRequest(req *sip.Request, tx sip.ServerTransaction) {
	fn := e.onRefer.Load()
	if fn == nil || *fn == nil {
		methodNotAllowed(req, tx)
		return
	}
	var leg *Leg
	if v, ok := e.legs.Load(req.CallID().Value()); ok {
		leg = v.(*Leg)
	}
	if leg == nil || !leg.inDialog(req) {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	// RFC 3515 §2.4.1: a REFER carries exactly one Refer-To.
	hs := req.GetHeaders("Refer-To")
	if len(hs) != 1 {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request: one Refer-To", nil))
		return
	}
	target := strings.TrimSpace(hs[0].Value())
	if i := strings.Index(target, "<"); i >= 0 {
		target = target[i+1:]
		if j := strings.Index(target, ">"); j >= 0 {
			target = target[:j]
		}
	}
	target, _, _ = strings.Cut(target, "?") // embedded headers (Replaces): not taken
	if err := (*fn)(leg, target, func(status int) { e.notifyRefer(leg, status) }); err != nil {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden: "+firstLine(err.Error()), nil))
		return
	}
	tx.Respond(sip.NewResponseFromRequest(req, sip.StatusAccepted, "Accepted", nil))
	// RFC 3515 §2.4.4: the REFER's implicit subscription gets a NOTIFY at once.
	go e.notifyRefer(leg, 100)
}

// notifyRefer tells leg's far end how its REFER goes (RFC 3515 §2.4.5): a message/sipfrag
// with the status line, the subscription terminated with a final status.
func (e *Endpoint) notifyRefer(l *Leg, status int) {
	var recipient sip.Uri
	switch {
	case l.client != nil && l.client.InviteResponse != nil && l.client.InviteResponse.Contact() != nil:
		recipient = l.client.InviteResponse.Contact().Address
	case l.server != nil && l.server.InviteRequest.Contact() != nil:
		recipient = l.server.InviteRequest.Contact().Address
	default:
		return
	}
	req := sip.NewRequest(sip.NOTIFY, recipient)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if status >= 200 {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(fmt.Sprintf("SIP/2.0 %d %s\r\n", status, reasonPhrase(status))))
	ctx, cancel := context.WithTimeout(e.base, 5*time.Second)
	defer cancel()
	var err error
	switch {
	case l.client != nil:
		_, err = l.client.Do(ctx, req)
	case l.server != nil:
		_, err = l.server.Do(ctx, req)
	}
	if err != nil {
		e.log.Debug("REFER's NOTIFY not answered", "call_id", l.CallID, "status", status, "err", err)
	}
}

func reasonPhrase(status int) string {
	switch status {
	case 100:
		return "Trying"
	case 200:
		return "OK"
	case 487:
		return "Request Terminated"
	}
	return "Service Unavailable"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
