package callcenter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/callcenter/browsermedia"
	"github.com/wismo/wismo/callcenter/holdclock"
	"github.com/wismo/wismo/callcenter/rtcapi"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/telephony"
)

// pendingRing is a call ringing on a desk page, waiting for answer or decline.
type pendingRing struct {
	callID   int64
	info     msg
	accepted chan *peer // the page answered: its peer connection, negotiating
	declined chan struct{}
	gone     chan struct{} // the page went away
	once     sync.Once
	goneOnce sync.Once
}

func (r *pendingRing) decline() { r.once.Do(func() { close(r.declined) }) }
func (r *pendingRing) leave()   { r.goneOnce.Do(func() { close(r.gone) }) }

// peer is one WebRTC peer connection with the page, carrying a call's browsermedia.Stream.
type peer struct {
	pc       *webrtc.PeerConnection
	stream   *browsermedia.Stream
	dtmf     uint8
	up, down chan struct{}
	upOnce   sync.Once
	downOnce sync.Once
}

func (p *peer) close() {
	p.pc.Close()
	p.downOnce.Do(func() { close(p.down) })
}

// deskCall is the call a desk is in: the agent's leg and its media.
type deskCall struct {
	callID   int64
	info     msg
	leg      *telephony.Leg
	stream   *browsermedia.Stream
	started  time.Time
	mu       sync.Mutex
	peer     *peer
	customer *telephony.Leg
	brand    int64
	talking  bool
	held     bool
	music    context.CancelFunc
}

func (c *deskCall) customerNow() *telephony.Leg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.customer
}

// infoNow is the call as a reloaded page needs it.
func (c *deskCall) infoNow() msg {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := msg{}
	for k, v := range c.info {
		m[k] = v
	}
	m["answered_at"] = c.started.UTC()
	m["talking"] = c.talking
	m["held"] = c.held
	return m
}

// ring offers call r to agentID's page and returns the agent's leg when the page answers
// and its media connects, or a *telephony.DialError as a SIP phone's dial would.
func (p *Softphone) ring(ctx context.Context, r *run, agentID int64, req telephony.DialRequest, callID func(string)) (*telephony.Leg, error) {
	d := p.existing(agentID)
	if d == nil || !d.connected() {
		return nil, &telephony.DialError{Unreachable: true, Err: errNoDesk}
	}
	legID := p.nextLegID(agentID)
	if callID != nil {
		callID(legID)
	}
	pr := &pendingRing{callID: r.call.ID, info: p.callInfo(ctx, r, d), accepted: make(chan *peer, 1),
		declined: make(chan struct{}), gone: make(chan struct{})}
	if r.call.ID == 0 { // the shift's line (OpenSession): no customer yet
		pr.info = msg{"id": 0, "session": true, "auto_answer": true}
	}
	d.mu.Lock()
	busy := d.ring != nil || d.call != nil
	if !busy {
		d.ring = pr
	}
	d.mu.Unlock()
	if busy {
		return nil, telephony.Refused(telephony.Busy) // the desk is in another call
	}
	defer func() {
		d.mu.Lock()
		if d.ring == pr {
			d.ring = nil
		}
		d.mu.Unlock()
		select { // an answer that came as the ring ended (never connected: not the call's)
		case pe := <-pr.accepted:
			pe.close()
		default:
		}
	}()
	d.send(msg{"type": "ring", "call": pr.info})
	if req.OnRinging != nil {
		req.OnRinging()
	}
	ringFor := req.RingTimeout
	if ringFor == 0 {
		ringFor = p.c.cfg.AgentRing
	}
	timer := time.NewTimer(ringFor)
	defer timer.Stop()
	cancelRing := func(why string) { d.send(msg{"type": "ring_cancel", "call_id": r.call.ID, "reason": why}) }
	select {
	case pe := <-pr.accepted:
		return d.connect(ctx, r, legID, pe, pr.info)
	case <-pr.declined:
		return nil, telephony.Refused(telephony.Rejected) // the agent declined
	case <-timer.C:
		cancelRing("no_answer")
		return nil, &telephony.DialError{NoAnswer: true}
	case <-ctx.Done():
		cancelRing("cancelled")
		return nil, &telephony.DialError{Cancelled: true, Err: ctx.Err()}
	case <-pr.gone:
		return nil, &telephony.DialError{Unreachable: true, Err: errDeskGone}
	}
}

// connect waits for an answering page's media and makes the agent's leg of it.
func (d *desk) connect(ctx context.Context, r *run, legID string, pe *peer, info msg) (*telephony.Leg, error) {
	t := time.NewTimer(d.p.cfg.ConnectTimeout)
	defer t.Stop()
	select {
	case <-pe.up:
	case <-pe.down:
		pe.close()
		return nil, &telephony.DialError{Unreachable: true, Err: errNoMedia}
	case <-t.C:
		pe.close()
		d.send(msg{"type": "error", "message": "The audio connection to the browser did not come up in time (ICE/DTLS). Check the network, or ask for a TURN server (WISMO_ICE_SERVERS)."})
		return nil, &telephony.DialError{Unreachable: true, Err: errNoMedia}
	case <-ctx.Done():
		pe.close()
		return nil, &telephony.DialError{Cancelled: true, Err: ctx.Err()}
	}
	leg := d.p.c.eng.AttachLeg(telephony.ExternalLeg{ID: legID, From: r.call.From, To: webrtcScheme + fmt.Sprint(d.agentID),
		Stream: pe.stream, Remote: telephony.Media{Codec: media.PayloadPCMU, DTMF: pe.dtmf}})
	call := &deskCall{callID: r.call.ID, info: info, leg: leg, stream: pe.stream, started: time.Now(), peer: pe, brand: r.call.BrandID}
	d.mu.Lock()
	d.call = call
	d.mu.Unlock()
	go d.watch(call)
	d.mediaCheck() // the page may have gone while the media came up
	d.log.Info("browser leg up", "call", r.call.ID, "leg", legID, "dtmf_pt", pe.dtmf)
	return leg, nil
}

// watch waits for the agent's leg to end, then closes its media and tells the page who
// ended the call.
func (d *desk) watch(c *deskCall) {
	<-c.leg.Done()
	d.mu.Lock()
	if d.call == c {
		d.call = nil // first: closing the media below is then no "media lost"
	}
	d.last = max(d.last, c.callID) // the shift's line (0) keeps its last customer's
	d.mu.Unlock()
	c.mu.Lock()
	pe, customer := c.peer, c.customer
	if c.music != nil {
		c.music()
	}
	c.mu.Unlock()
	pe.close()
	by := "system"
	switch {
	case c.leg.EndedBy() == telephony.EndedRemote:
		by = LegAgent
	case customer != nil && customer.EndedBy() == telephony.EndedRemote:
		by = LegCustomer
	}
	d.mu.Lock()
	if d.grace != nil {
		d.grace.Stop()
		d.grace = nil
	}
	pend := d.pending
	d.pending = nil
	d.mu.Unlock()
	if pend != nil {
		pend.close()
	}
	d.send(msg{"type": "ended", "call_id": c.callID, "by": by})
	d.log.Info("browser leg ended", "call", c.callID, "ended_by", by)
}

// talking is the agent's leg bridged to the customer.
func (d *desk) talking(r *run, customer, agent *telephony.Leg) {
	d.mu.Lock()
	c := d.call
	d.mu.Unlock()
	if c == nil || c.leg != agent {
		return
	}
	c.mu.Lock()
	c.customer, c.talking, c.brand = customer, true, r.call.BrandID
	c.mu.Unlock()
	if c.callID == 0 { // a customer bridged into the shift's line: a screen pop per customer
		go d.between(c, r, customer)
		return
	}
	d.send(msg{"type": "talking", "call_id": c.callID})
}

// joined is the agent's leg added to call id as a conference participant (Live.Joined).
func (d *desk) joined(id int64, leg *telephony.Leg) {
	d.mu.Lock()
	c := d.call
	d.mu.Unlock()
	if c == nil || c.leg != leg {
		return
	}
	c.mu.Lock()
	c.talking = true
	c.mu.Unlock()
	d.send(msg{"type": "talking", "call_id": id, "participant": true}) // adds nobody (desk_conference.js)
}

// between shows the page the customer bridged into the shift's line c, and when the customer
// leaves tells it the call ended (wrap-up follows) while the line stays up.
func (d *desk) between(c *deskCall, r *run, customer *telephony.Leg) {
	d.send(msg{"type": "talking", "call_id": r.call.ID, "call": d.p.callInfo(d.p.c.base, r, d)})
	select {
	case <-customer.Done():
	case <-c.leg.Done():
		return // the line ended: watch tells the page
	}
	c.mu.Lock()
	if c.customer == customer { // not the next customer's already
		c.customer, c.talking, c.held = nil, false, false
		if c.music != nil {
			c.music()
			c.music = nil
		}
		c.stream.Hold(false)
	}
	c.mu.Unlock()
	d.mu.Lock()
	d.last = r.call.ID
	d.mu.Unlock()
	by := LegCustomer
	if customer.EndedBy() != telephony.EndedRemote {
		by = "system"
	}
	d.send(msg{"type": "ended", "call_id": r.call.ID, "by": by, "line_open": true})
}

// newPeer answers the page's SDP offer with a peer connection whose audio is stream.
func (d *desk) newPeer(stream *browsermedia.Stream, offer string) (*peer, string, error) {
	pc, err := d.p.api.NewPeerConnection(webrtc.Configuration{ICEServers: d.p.iceServers()})
	if err != nil {
		return nil, "", err
	}
	pe := &peer{pc: pc, stream: stream, dtmf: rtcapi.OfferDTMF(offer), up: make(chan struct{}), down: make(chan struct{})}
	fail := func(err error) (*peer, string, error) { pc.Close(); return nil, "", err }
	if _, err := pc.AddTrack(stream.Track()); err != nil {
		return fail(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			go stream.Pump(tr)
		}
	})
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			d.send(msg{"type": "ice", "candidate": c.ToJSON()})
		}
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		d.log.Debug("peer connection", "state", s.String())
		switch s {
		case webrtc.PeerConnectionStateConnected:
			stream.Connected()
			pe.upOnce.Do(func() { close(pe.up) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			pe.downOnce.Do(func() { close(pe.down) })
			d.mediaCheck()
		}
	})
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(fmt.Errorf("the browser's offer: %w", err))
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return fail(err)
	}
	if err := pc.SetLocalDescription(answer); err != nil {
		return fail(err)
	}
	return pe, answer.SDP, nil
}

// accept is the page answering ringing call callID with its SDP offer.
func (d *desk) accept(callID int64, offer string) error {
	d.mu.Lock()
	pr := d.ring
	d.mu.Unlock()
	if pr == nil || pr.callID != callID {
		return errNotRinging
	}
	stream, err := browsermedia.New()
	if err != nil {
		return err
	}
	pe, answer, err := d.newPeer(stream, offer)
	if err != nil {
		pr.decline()
		return err
	}
	d.mu.Lock()
	d.pending = pe
	d.mu.Unlock()
	d.send(msg{"type": "answer", "call_id": callID, "sdp": answer})
	go func() { // the pending peer becomes the call's, or is dropped
		select {
		case <-pe.up:
		case <-pe.down:
		}
		d.mu.Lock()
		if d.pending == pe {
			d.pending = nil
		}
		d.mu.Unlock()
	}()
	select {
	case pr.accepted <- pe:
		return nil
	default:
		pe.close()
		return errors.New("the call was answered already")
	}
}

// reattach is a reloaded page offering new media for the call in progress: when the new
// peer connection is up it replaces the old one under the same stream (and so the same
// bridge and recording).
func (d *desk) reattach(offer string) error {
	d.mu.Lock()
	c := d.call
	d.mu.Unlock()
	if c == nil {
		return errors.New("no call in progress")
	}
	pe, answer, err := d.newPeer(c.stream, offer)
	if err != nil {
		return err
	}
	d.mu.Lock()
	if d.pending != nil {
		d.pending.close()
	}
	d.pending = pe
	d.mu.Unlock()
	d.send(msg{"type": "answer", "call_id": c.callID, "sdp": answer})
	go func() {
		t := time.NewTimer(d.p.cfg.ConnectTimeout)
		defer t.Stop()
		select {
		case <-pe.up:
		case <-pe.down:
			return
		case <-t.C:
			pe.close()
			return
		case <-c.leg.Done():
			pe.close()
			return
		}
		c.mu.Lock()
		old := c.peer
		c.peer = pe
		c.mu.Unlock()
		d.mu.Lock()
		if d.pending == pe {
			d.pending = nil
		}
		d.mu.Unlock()
		old.close()
		d.mediaCheck()
		d.log.Info("browser media reattached", "call", c.callID)
	}()
	return nil
}

// addICE adds a candidate the page gathered to the peer connection being negotiated, or
// the call's.
func (d *desk) addICE(c webrtc.ICECandidateInit) error {
	d.mu.Lock()
	pe := d.pending
	call := d.call
	d.mu.Unlock()
	if pe == nil && call != nil {
		call.mu.Lock()
		pe = call.peer
		call.mu.Unlock()
	}
	if pe == nil {
		return nil // late candidates of a peer that is gone
	}
	return pe.pc.AddICECandidate(c)
}

// mediaCheck starts the reconnect grace when the call's page or media is away, and stops
// it when both are back. When it runs out the agent's leg ends: the agent's side left.
func (d *desk) mediaCheck() {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.call
	if c == nil {
		return
	}
	c.mu.Lock()
	pe := c.peer
	c.mu.Unlock()
	mediaUp := false
	select {
	case <-pe.down:
	default:
		mediaUp = true
	}
	if !mediaUp {
		c.stream.Detached()
	}
	away := d.conn == nil || !mediaUp
	switch {
	case away && d.grace == nil:
		grace := d.p.cfg.ReconnectGrace
		d.log.Warn("agent's page or media away: call waits", "call", c.callID, "grace", grace)
		d.grace = time.AfterFunc(grace, func() {
			d.log.Warn("agent's page did not come back: ending the agent's leg", "call", c.callID)
			c.leg.End(telephony.EndedRemote)
		})
	case !away && d.grace != nil:
		d.grace.Stop()
		d.grace = nil
	}
}

// hangup is the agent hanging up (or declining a ringing call).
func (d *desk) hangup() {
	d.mu.Lock()
	c, pr := d.call, d.ring
	d.mu.Unlock()
	switch {
	case c != nil && c.callID == 0 && c.customerNow() != nil: // the customer, not the shift's line
		c.customerNow().Hangup(d.p.c.base, "")
	case c != nil:
		c.leg.End(telephony.EndedRemote)
	case pr != nil:
		pr.decline()
	}
}

// hold puts the customer on hold (music when asked and the brand has it, else silence)
// or takes them off it.
func (d *desk) hold(on, music bool) error {
	d.mu.Lock()
	c := d.call
	d.mu.Unlock()
	if c == nil {
		return errors.New("no call in progress")
	}
	c.mu.Lock()
	if c.customer == nil {
		c.mu.Unlock()
		return errors.New("the customer is not connected yet")
	}
	c.held = on
	c.stream.Hold(on)
	d.p.c.holds.Set(d.p.c.base, c.callID, holdclock.ReasonDesk, on) // calls.hold_ms
	if c.music != nil {
		c.music()
		c.music = nil
	}
	if on && music {
		if s, err := d.p.c.audio.Load(c.brand, AnnQueue); err == nil {
			ctx, cancel := context.WithCancel(d.p.c.base)
			c.music = cancel
			go d.p.c.eng.Play(ctx, c.customer, s, true)
		}
	}
	c.mu.Unlock()
	d.send(msg{"type": "held", "call_id": c.callID, "on": on})
	return nil
}
