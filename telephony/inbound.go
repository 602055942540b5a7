package telephony

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// InboundCall is an INVITE waiting for call control's decision (InboundHandler).
type InboundCall struct {
	CallID    string
	From, To  string // user parts of From and the Request-URI (the caller's and the dialled number)
	e         *Endpoint
	src       string // where the INVITE came from (the transport's source): latch.go trusts it
	sess      *sipgo.DialogServerSession
	offer     Media
	stream    *RTPStream
	ringingAt time.Time
	answered  bool
}

// routes registers the SIP method handlers, each behind the request checks of checked.
func (e *Endpoint) routes() {
	e.srv.OnInvite(checked(e.onInvite))
	e.srv.OnAck(checked(func(req *sip.Request, tx sip.ServerTransaction) { e.uas.ReadAck(req, tx) }))
	e.srv.OnBye(checked(e.onBye))
	e.srv.OnInfo(checked(e.onInfo))
	e.srv.OnRefer(checked(e.onReferRequest)) // refer.go: 405 until call control takes REFERs
	e.srv.OnRegister(checked(e.reg.onRegister))
	// RFC 3261 §11.2: OPTIONS is answered as an INVITE would be, with what we support.
	e.srv.OnOptions(checked(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowed))
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		tx.Respond(res)
	}))
	e.srv.OnNoRoute(checked(methodNotAllowed))
}

func (e *Endpoint) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params != nil {
		if tag, ok := to.Params.Get("tag"); ok && tag != "" {
			e.onReInvite(req, tx)
			return
		}
	}
	respond := func(code int, reason string) {
		tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
	}
	if e.draining.Load() || e.inbound == nil {
		respond(503, "Service Unavailable")
		return
	}
	offer, err := parseSDP(req.Body(), e.cfg.Codecs)
	if err != nil {
		respond(488, "Not Acceptable Here") // RFC 3264 §6
		return
	}
	sess, err := e.uas.ReadInvite(req, tx)
	if err != nil {
		respond(400, "Bad Request")
		return
	}
	stream, err := e.newStream()
	if err != nil {
		sess.Respond(503, "Service Unavailable", nil)
		return
	}
	call := &InboundCall{CallID: req.CallID().Value(), From: req.From().Address.User, To: req.Recipient.User,
		e: e, src: req.Source(), sess: sess, offer: offer, stream: stream}
	ctx := sess.Context()
	call.carryOut(ctx, e.inbound.HandleInbound(ctx, call))
	if !call.answered {
		stream.Close()
		sess.Close()
	}
}

// carryOut turns call control's decision into SIP: a final refusal, or ringing, the answer
// and then the call itself, served by call control until it ends.
func (c *InboundCall) carryOut(ctx context.Context, d Decision) {
	if d.serve == nil {
		status, reason := d.reject.response()
		c.sess.Respond(status, reason, nil)
		return
	}
	if err := c.sess.Respond(sip.StatusRinging, "Ringing", nil); err == nil {
		c.ringingAt = time.Now()
	}
	leg, err := c.answer()
	d.serve(ctx, leg, err)
}

// onReInvite answers a re-INVITE inside a dialog (RFC 3261 §14.2) with our unchanged
// session: it follows the far end to a new RTP address if it moved (as far as latch.go
// trusts it), and takes hold and resume (RFC 3264 §8.4) into account, answering with the
// matching direction (§6.1).
func (e *Endpoint) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	var leg *Leg
	if v, ok := e.legs.Load(req.CallID().Value()); ok {
		leg = v.(*Leg)
	}
	// No leg, not its dialog's tags, or not a SIP leg (a Call-ID collision with a leg of
	// another kind: inDialog is false for those).
	if leg == nil || !leg.inDialog(req) {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	stream := leg.Stream.(*RTPStream)
	dir := SendRecv // no offer: ours goes in the 200, the ACK answers (RFC 3261 §14.1)
	if len(req.Body()) > 0 {
		if m, err := parseSDP(req.Body(), []uint8{leg.Remote.Codec}); err == nil {
			e.aim(stream, m, req.Source())
			leg.remoteMedia(m, time.Now())
			dir = m.Dir.answer()
		}
	}
	res := sip.NewSDPResponseFromRequest(req, offerSDP(e.host, stream.LocalPort(), time.Now().Unix(), []uint8{leg.Remote.Codec}, dir))
	tx.Respond(res)
}

// Cancelled is closed if the caller gives up (CANCEL) before the call is answered.
func (c *InboundCall) Cancelled() <-chan struct{} { return c.sess.Context().Done() }

// RingingAt is when 180 Ringing went out (zero before, or if it could not be sent).
func (c *InboundCall) RingingAt() time.Time { return c.ringingAt }

// answer sends 200 OK with our SDP and returns the leg (RFC 3261 §13.3.1.4); the caller's
// ACK is matched by sipgo's dialog cache.
func (c *InboundCall) answer() (*Leg, error) {
	body := offerSDP(c.e.host, c.stream.LocalPort(), time.Now().Unix(), []uint8{c.offer.Codec}, c.offer.Dir.answer())
	if err := c.sess.RespondSDP(body); err != nil {
		return nil, fmt.Errorf("answer %s: %w", c.CallID, err)
	}
	c.answered = true
	c.e.aim(c.stream, c.offer, c.src)
	leg := c.e.newLeg(&Leg{CallID: c.CallID, Stream: c.stream, server: c.sess, Remote: c.offer, AnsweredAt: time.Now(),
		Status: sip.StatusOK, From: c.From, To: c.To})
	go leg.watch(c.sess.Context())
	return leg, nil
}
