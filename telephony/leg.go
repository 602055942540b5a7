package telephony

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Who ended a leg.
const (
	EndedRemote = "remote" // the far end sent BYE
	EndedLocal  = "local"  // we hung up
	EndedMedia  = "media"  // the far end vanished (no RTP), we tore it down
)

// Leg is one established SIP dialog with its RTP stream: the customer's call, or an agent's
// phone. It ends when either side hangs up.
type Leg struct {
	CallID     string // SIP Call-ID
	From, To   string
	Remote     Media
	Stream     MediaStream // an *RTPStream for SIP legs
	AnsweredAt time.Time
	Status     int // the final response that set the leg up: a 2xx (200 OK)

	e      *Endpoint
	client *sipgo.DialogClientSession
	server *sipgo.DialogServerSession
	// external hangs up a leg whose signalling is not SIP (AttachLeg).
	external func(ctx context.Context)
	done     chan struct{}
	keys     chan byte // SIP INFO DTMF (info.go)
	once     sync.Once
	endMu    sync.Mutex
	endBy    string
	local    atomic.Pointer[string] // why we hung up (EndedLocal, EndedMedia): the first Hangup's

	// The RTP timeout's view of the leg (watchdog.go).
	twoWay    atomic.Bool  // the far end's SDP says it sends and receives (not on hold)
	quietFrom atomic.Int64 // unix ns: silence counts from here (the answer, or off hold)
	timingOut atomic.Bool  // the watchdog is hanging the leg up
}

func (e *Endpoint) newLeg(l *Leg) *Leg {
	l.e, l.done, l.keys = e, make(chan struct{}), make(chan byte, keyQueue)
	l.remoteMedia(l.Remote, l.AnsweredAt)
	e.active.Add(1)
	e.legs.Store(l.CallID, l) // complete before published: a re-INVITE may look it up at once
	return l
}

// inDialog reports whether req, an in-dialog request that names the leg's Call-ID, belongs to
// the leg's dialog: the Call-ID and both tags match (RFC 3261 §12.2.2). Without the tags,
// anyone who learnt a Call-ID could re-INVITE the call's media elsewhere.
func (l *Leg) inDialog(req *sip.Request) bool {
	switch {
	case l.server != nil:
		d, err := l.e.uas.MatchDialogRequest(req)
		return err == nil && d == l.server
	case l.client != nil:
		d, err := l.e.dialogs.MatchRequestDialog(req)
		return err == nil && d == l.client
	}
	return false
}

// Codec is the payload type the far end sends and expects.
func (l *Leg) Codec() uint8 { return l.Remote.Codec }

// Done is closed when the leg has ended.
func (l *Leg) Done() <-chan struct{} { return l.done }

// EndedBy says who ended the leg (EndedRemote, EndedLocal, EndedMedia); empty while up.
func (l *Leg) EndedBy() string {
	l.endMu.Lock()
	defer l.endMu.Unlock()
	return l.endBy
}

// watch ends the leg when its dialog ends (a BYE from the far end closes the dialog's
// context in sipgo).
func (l *Leg) watch(dctx context.Context) {
	<-dctx.Done()
	by := EndedRemote
	if why := l.local.Load(); why != nil {
		by = *why
	}
	l.finish(by)
}

func (l *Leg) finish(by string) {
	l.once.Do(func() {
		l.endMu.Lock()
		l.endBy = by
		l.endMu.Unlock()
		l.Stream.Close()
		rx, tx := l.Stream.Packets()
		l.e.rtpRx.Add(rx)
		l.e.rtpTx.Add(tx)
		l.e.legs.Delete(l.CallID)
		l.e.active.Add(-1)
		close(l.done)
	})
}

// Hangup sends BYE (RFC 3261 §15.1.1) unless the leg already ended, and waits for the
// answer at most until ctx ends. Call it with a teardown context (context.WithoutCancel).
func (l *Leg) Hangup(ctx context.Context, reason string) {
	select {
	case <-l.done:
		return
	default:
	}
	by := EndedLocal
	if reason == EndedMedia {
		by = EndedMedia
	}
	l.local.CompareAndSwap(nil, &by)
	wait := 5 * time.Second
	if reason == EndedMedia {
		wait = time.Second // the far end is most likely gone: do not wait for its 200
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var err error
	if l.external != nil {
		l.external(ctx)
	} else if l.client != nil {
		err = l.client.Bye(ctx)
		l.client.Close()
	} else if l.server != nil {
		err = l.server.Bye(ctx)
		l.server.Close()
	}
	if err != nil {
		l.e.log.Debug("BYE not confirmed", "call_id", l.CallID, "err", err)
	}
	l.finish(*l.local.Load())
}

// onBye routes an in-dialog BYE to the leg's dialog (RFC 3261 §15.1.2).
func (e *Endpoint) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := e.dialogs.ReadBye(req, tx); err == nil {
		return
	}
	if err := e.uas.ReadBye(req, tx); err == nil {
		return
	}
	// RFC 3261 §15.1.2: a BYE that matches no dialog gets 481.
	tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
}
