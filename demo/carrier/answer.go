package carrier

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// routes registers the carrier's SIP handlers.
func (c *Carrier) routes() {
	c.srv.OnInvite(c.onInvite)
	c.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { c.uas.ReadAck(req, tx) })
	c.srv.OnBye(c.onBye)
	// RFC 3261 §11.2: OPTIONS is answered as an INVITE would be.
	c.srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"))
		tx.Respond(res)
	})
}

// onBye ends the dialog a BYE names: a call the carrier answered, or one it placed.
func (c *Carrier) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if c.uas.ReadBye(req, tx) == nil || c.uac.ReadBye(req, tx) == nil {
		return
	}
	// RFC 3261 §15.1.2: a BYE for no dialog we know.
	tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
}

// onInvite answers a call to a phone number by the number's rule (Rule).
func (c *Carrier) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(code int, reason string) { tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)) }
	if to := req.To(); to != nil && to.Params != nil {
		if tag, ok := to.Params.Get("tag"); ok && tag != "" {
			c.onReInvite(req, tx)
			return
		}
	}
	ctx, ok := c.begin()
	if !ok {
		respond(sip.StatusServiceUnavailable, "Service Unavailable") // RFC 3261 §21.5.4: full or stopping
		return
	}
	defer c.end()
	e164, answer, ok := Rule(dialled(req.Recipient.User))
	log := c.log.With("call_id", req.CallID().Value(), "to", e164, "answer", answer.String())
	if !ok {
		c.log.Info("demo carrier: no such number", "to", req.Recipient.User)
		respond(sip.StatusNotFound, "Not Found")
		return
	}
	if answer == Busy {
		log.Info("demo call: busy")
		respond(sip.StatusBusyHere, "Busy Here")
		return
	}
	remote, err := remoteMedia(req.Body())
	if err != nil {
		log.Warn("demo call refused: its offer", "err", err)
		respond(sip.StatusNotAcceptableHere, "Not Acceptable Here") // RFC 3264 §6
		return
	}
	sess, err := c.uas.ReadInvite(req, tx)
	if err != nil {
		respond(sip.StatusBadRequest, "Bad Request")
		return
	}
	defer sess.Close()
	v, t := c.voices[Language(e164)], c.cfg.Timing
	switch answer {
	case NoAnswer:
		if c.ring(ctx, sess, tx, t.NoAnswerRing, log) {
			log.Info("demo call: no answer")
			sess.Respond(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", nil)
		}
	case Voicemail:
		if c.ring(ctx, sess, tx, t.VoicemailRing, log) {
			c.pickUp(ctx, sess, remote, voicemailTape(v, t.VoicemailListen), log)
		}
	default:
		if c.ring(ctx, sess, tx, t.PersonRing, log) {
			c.pickUp(ctx, sess, remote, personTape(v, t.PersonTalk), log)
		}
	}
}

// ring sends 180 Ringing and lets the phone ring for d. It reports false when the caller
// cancelled (the stack has answered 487, RFC 3261 §9.2) or the carrier stops (503).
func (c *Carrier) ring(ctx context.Context, sess *sipgo.DialogServerSession, tx sip.ServerTransaction, d time.Duration, log *slog.Logger) bool {
	cancelled := make(chan struct{})
	var once sync.Once
	tx.OnCancel(func(*sip.Request) { once.Do(func() { close(cancelled) }) })
	if err := sess.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
		return false
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-cancelled:
		log.Info("demo call: cancelled while ringing")
	case <-tx.Done():
	case <-ctx.Done():
		sess.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
	}
	return false
}

// pickUp answers with our SDP and runs the call until one side hangs up.
func (c *Carrier) pickUp(ctx context.Context, sess *sipgo.DialogServerSession, remote *net.UDPAddr, t tape, log *slog.Logger) {
	m, err := openRTP()
	if err != nil {
		log.Error("demo call not answered", "err", err)
		sess.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	defer m.close()
	m.remote = remote
	body := localSDP(m.port())
	id := sess.InviteRequest.CallID().Value()
	c.answers.Store(id, body)
	defer c.answers.Delete(id)
	// RespondSDP returns once the ACK has come (RFC 3261 §13.3.1.4).
	if err := sess.RespondSDP(body); err != nil {
		log.Warn("demo call: answer not acknowledged", "err", err)
		return
	}
	log.Info("demo call answered", "rtp_to", remote.String())
	c.converse(ctx, m, t, sess.Context(), sess.Bye, log)
}

// onReInvite answers a re-INVITE in a call (RFC 3261 §14.2: wismo holding or moving the
// call) with our unchanged session; the party keeps talking where it did.
func (c *Carrier) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	body, ok := c.answers.Load(req.CallID().Value())
	if !ok {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	res := sip.NewSDPResponseFromRequest(req, body.([]byte))
	res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "carrier", Host: c.addr.IP.String(), Port: c.addr.Port}})
	tx.Respond(res)
}
