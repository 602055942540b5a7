package telephony

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/wismo/wismo/telephony/sipuser"
)

// DialRequest is an outbound call.
type DialRequest struct {
	// To is a phone number in E.164 (dialled through the trunk) or a SIP URI (a registered
	// phone's contact, or a peer reached directly).
	To string
	// CallerID is the user part of From (a brand's number); default the trunk's.
	CallerID string
	// RingTimeout bounds ringing; when it passes we CANCEL (RFC 3261 §9.1). Default 30 s.
	RingTimeout time.Duration
	// SetupTimeout bounds the wait for the first response of any kind; with none, the far
	// end is unreachable. Default 5 s (well under Timer B's 32 s).
	SetupTimeout time.Duration
	// OnRinging is called once on the first 180/183 (RFC 3261 §13.2.2.1).
	OnRinging func()
}

// CallerID is the From user of a call whose brand asks for override: the brand's own, else
// the trunk's, else "wismo". A caller id that is not one (sipuser.CheckCallerID: the APIs
// refuse them, but a row written before they did, or by hand, may hold one) is passed over
// with a warning rather than put into a SIP header.
func (e *Endpoint) CallerID(override string) string {
	for _, id := range []string{override, e.cfg.Trunk.CallerID} {
		if id == "" {
			continue
		}
		if err := sipuser.CheckCallerID(id); err != nil {
			e.log.Warn("caller id passed over", "caller_id", id, "err", err)
			continue
		}
		return id
	}
	return "wismo"
}

// DialError is why an outbound call was not answered.
type DialError struct {
	Status      int    // the final SIP status, 0 if none
	Reason      string // its reason phrase
	NoAnswer    bool   // the ring timeout passed and we cancelled
	Unreachable bool   // no response at all, or a transport error
	Cancelled   bool   // our caller gave up (ctx ended) before an answer
	Err         error
}

func (e *DialError) Error() string {
	switch {
	case e.NoAnswer:
		return "no answer (cancelled after the ring timeout)"
	case e.Cancelled:
		return "cancelled before answer"
	case e.Unreachable:
		return fmt.Sprintf("unreachable: %v", e.Err)
	case e.Status != 0:
		return fmt.Sprintf("%d %s", e.Status, e.Reason)
	}
	return fmt.Sprintf("call failed: %v", e.Err)
}

func (e *DialError) Unwrap() error { return e.Err }

// Causes of giving up on an INVITE.
var (
	errNoResponse  = errors.New("no response to INVITE")
	errRingTimeout = errors.New("ring timeout")
)

// target turns a DialRequest's To into the Request-URI and whether the trunk's credentials
// apply.
func (e *Endpoint) target(to string) (sip.Uri, bool, error) {
	var u sip.Uri
	if sipuser.HasControl(to) {
		// sipgo copies a URI's parts into the request line and To as they are.
		return u, false, fmt.Errorf("dial %q: control characters in a number or SIP URI", to)
	}
	if strings.HasPrefix(to, "sip:") {
		err := sip.ParseUri(to, &u)
		return u, false, err
	}
	if e.cfg.Trunk.URI == "" {
		return u, false, fmt.Errorf("dial %s: no trunk configured (WISMO_TRUNK_URI)", to)
	}
	if err := sip.ParseUri(e.cfg.Trunk.URI, &u); err != nil {
		return u, false, fmt.Errorf("trunk URI: %w", err)
	}
	u.User = sipuser.Escape(to) // RFC 3261 §25.1: only user characters unescaped
	return u, true, nil
}

// Dial places an outbound call and returns the answered leg, or a *DialError. callID is
// reported as soon as it is known so that the call log can carry it for failed calls too.
func (e *Endpoint) Dial(ctx context.Context, r DialRequest, callID func(string)) (*Leg, error) {
	if e.draining.Load() {
		return nil, &DialError{Err: errDraining}
	}
	uri, viaTrunk, err := e.target(r.To)
	if err != nil {
		return nil, &DialError{Err: err}
	}
	if r.RingTimeout == 0 {
		r.RingTimeout = 30 * time.Second
	}
	if r.SetupTimeout == 0 {
		r.SetupTimeout = 5 * time.Second
	}
	caller := e.CallerID(r.CallerID)
	stream, err := e.newStream()
	if err != nil {
		return nil, &DialError{Err: err}
	}
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: sipuser.Escape(caller), Host: e.host}}
	from.Params = sip.NewParams()
	from.Params.Add("tag", sip.GenerateTagN(16))
	body := offerSDP(e.host, stream.LocalPort(), time.Now().Unix(), e.cfg.Codecs, SendRecv)
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := e.dialogs.Invite(ctx, uri, body, from, &ct)
	if err != nil {
		stream.Close()
		return nil, &DialError{Unreachable: true, Err: err}
	}
	id := sess.InviteRequest.CallID().Value()
	if callID != nil {
		callID(id)
	}
	log := e.log.With("call_id", id, "to", uri.String())
	// The wait is cancelled by our own timers and by ctx, each with a cause: sipgo sends
	// CANCEL only if the far end has responded (RFC 3261 §9.1: a CANCEL needs a provisional
	// response first); with no response at all we stop waiting at once (Timer B is 32 s).
	waitCtx, cancelWait := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelWait(nil)
	var responded, ringing, ringTimedOut atomic.Bool
	stop := func(cause error) {
		if !responded.Load() {
			cause = sipgo.WaitAnswerForceCancelErr // sipgo compares the cause with ==
		}
		cancelWait(cause)
	}
	setup := time.AfterFunc(r.SetupTimeout, func() {
		if !responded.Load() {
			stop(errNoResponse)
		}
	})
	defer setup.Stop()
	ring := time.AfterFunc(r.RingTimeout, func() { ringTimedOut.Store(true); stop(errRingTimeout) })
	defer ring.Stop()
	go func() {
		select {
		case <-ctx.Done():
			stop(context.Cause(ctx))
		case <-waitCtx.Done():
		}
	}()
	opts := sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		responded.Store(true)
		if (res.StatusCode == 180 || res.StatusCode == 183) && !ringing.Swap(true) && r.OnRinging != nil {
			r.OnRinging()
		}
		return nil
	}}
	if viaTrunk {
		opts.Username, opts.Password = e.cfg.Trunk.User, e.cfg.Trunk.Password
	}
	err = sess.WaitAnswer(waitCtx, opts)
	if err != nil {
		stream.Close()
		sess.Close()
		return nil, classify(err, ctx, waitCtx, ringTimedOut.Load(), responded.Load(), log)
	}
	remote, err := parseSDP(sess.InviteResponse.Body(), e.cfg.Codecs)
	if err != nil {
		// RFC 3264 §6: an answer we cannot use; ACK, then hang up.
		sess.Ack(ctx)
		sess.Bye(context.WithoutCancel(ctx))
		stream.Close()
		return nil, &DialError{Status: 488, Reason: "Not Acceptable Here", Err: err}
	}
	if err := sess.Ack(ctx); err != nil {
		log.Warn("ACK failed", "err", err)
	}
	e.aim(stream, remote, sess.InviteResponse.Source())
	leg := e.newLeg(&Leg{CallID: id, Stream: stream, client: sess, Remote: remote, AnsweredAt: time.Now(),
		Status: sess.InviteResponse.StatusCode, From: from.Address.String(), To: uri.String()})
	go leg.watch(sess.Context())
	log.Info("call answered", "codec", CodecName(remote.Codec))
	return leg, nil
}

// classify maps WaitAnswer's error to a DialError.
func classify(err error, ctx, waitCtx context.Context, ringTimedOut, responded bool, log interface{ Info(string, ...any) }) *DialError {
	var resp *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &resp):
		log.Info("call not answered", "status", resp.Res.StatusCode, "reason", resp.Res.Reason)
		return &DialError{Status: resp.Res.StatusCode, Reason: resp.Res.Reason, Err: err}
	case ctx.Err() != nil:
		log.Info("call cancelled by us before answer", "responded", responded)
		return &DialError{Cancelled: true, Err: ctx.Err()}
	case !responded:
		log.Info("call unreachable: no response")
		return &DialError{Unreachable: true, Err: errors.Join(errNoResponse, err)}
	case ringTimedOut:
		log.Info("call not answered: ring timeout, cancelled")
		return &DialError{NoAnswer: true, Status: 487, Reason: "Request Terminated", Err: err}
	}
	return &DialError{Err: err}
}
