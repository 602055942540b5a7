package predictive

import (
	"context"
	"sync"
	"time"

	"github.com/wismo/wismo/telephony"
)

// Persistent agent media (issue 16 section 3): an agent of a brand with a running predictive
// campaign keeps one call to their SIP phone for the shift, as VICIdial's agents do. The pacer
// calls the phone of each available agent with a registered SIP phone (the phone answers once,
// auto-answer or by the agent), and keeps the leg up between customers: call control bridges
// each customer into it (telephony.Bridge on the two existing legs, no new offer/answer) and
// does not hang it up when the customer's call ends. The session ends when the agent hangs up
// (it is called again after sessionBackoff if the agent is still available), pauses or goes
// offline (hung up by the pacer at its next decision), or when the node drains.

// sessionBackoff is how long an agent who hung up their session phone is left alone.
const sessionBackoff = time.Minute

// sessionRing is how long an agent's phone rings for a session.
const sessionRing = 20 * time.Second

// Phones is what sessions need of the telephony endpoint.
type Phones interface {
	Dial(ctx context.Context, r telephony.DialRequest, callID func(string)) (*telephony.Leg, error)
	Registrar() *telephony.Registrar
}

// Browsers is what sessions need of the agents' browser softphone (callcenter.Softphone): an
// agent whose desk page is connected gets their session as one WebRTC leg (one offer/answer,
// the page answers on its own) instead of a call to a SIP phone.
type Browsers interface {
	Online(agent int64) bool
	OpenSession(ctx context.Context, agent int64) (*telephony.Leg, error)
}

// sessions are the agents' open media sessions.
type sessions struct {
	mu      sync.Mutex
	phones  Phones
	browser Browsers
	base    context.Context
	legs    map[int64]*session
	dialing map[int64]bool
	left    map[int64]time.Time // agent -> when they hung up their session
	closing bool
}

type session struct {
	leg   *telephony.Leg
	inUse bool
}

// Attach gives the pacer the telephony endpoint: from then on agents of predictive campaigns
// keep one media session each (nil: every customer rings the agent's phone anew). base
// outlives the sessions' dials.
func (p *Pacer) Attach(base context.Context, phones Phones) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.phones, p.s.base = phones, base
}

// AttachBrowsers makes agents whose desk page is connected keep their session in the
// browser (one WebRTC leg for the shift); nil: browser agents are rung per customer.
func (p *Pacer) AttachBrowsers(b Browsers) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.browser = b
}

// Session takes agent's open media session for a customer's call: the agent's phone leg,
// answered and idle; nil when the agent has none (call control rings the phone instead).
// Give it back with Release.
func (p *Pacer) Session(agent int64) *telephony.Leg {
	if p == nil {
		return nil
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	s := p.s.legs[agent]
	if s == nil || s.inUse || s.leg.EndedBy() != "" {
		return nil
	}
	s.inUse = true
	return s.leg
}

// Release ends a customer's call on an agent's leg: a session leg stays up for the next
// customer (unless the node drains); any other leg is hung up. Safe on a nil pacer.
func (p *Pacer) Release(ctx context.Context, leg *telephony.Leg) {
	if p != nil {
		p.s.mu.Lock()
		for _, s := range p.s.legs {
			if s.leg == leg && !p.s.closing {
				s.inUse = false
				p.s.mu.Unlock()
				return
			}
		}
		p.s.mu.Unlock()
	}
	leg.Hangup(ctx, "")
}

// Sessions counts the agents' open media sessions (for the API and tests).
func (p *Pacer) Sessions() int {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return len(p.s.legs)
}

// Close hangs up the idle sessions and makes the busy ones end with their customer's call
// (the node drains).
func (p *Pacer) Close(ctx context.Context) {
	p.s.mu.Lock()
	p.s.closing = true
	var idle []*telephony.Leg
	for _, s := range p.s.legs {
		if !s.inUse {
			idle = append(idle, s.leg)
		}
	}
	p.s.mu.Unlock()
	for _, l := range idle {
		l.Hangup(ctx, "")
	}
}

// keepSessions opens a session for each available agent of rows who has a registered SIP
// phone and none yet, and hangs up the sessions of the brand's agents who are no longer
// logged in (paused, offline: absent from rows). Dials run in the background.
func (p *Pacer) keepSessions(rows []agentRow, gone []int64) {
	s := &p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if (s.phones == nil && s.browser == nil) || s.closing {
		return
	}
	for _, a := range gone {
		if sess := s.legs[a]; sess != nil && !sess.inUse {
			go sess.leg.Hangup(context.WithoutCancel(s.base), "")
		}
	}
	now := time.Now()
	for _, r := range rows {
		if r.state != "available" || s.legs[r.id] != nil || s.dialing[r.id] || now.Sub(s.left[r.id]) < sessionBackoff {
			continue
		}
		if b := s.browser; b != nil && b.Online(r.id) { // the desk page, as call control locates agents
			s.dialing[r.id] = true
			go p.openSession(r.id, func() (*telephony.Leg, error) { return b.OpenSession(s.base, r.id) })
			continue
		}
		if r.sipUser == "" || s.phones == nil {
			continue
		}
		contact, ok := s.phones.Registrar().Locate(r.sipUser)
		if !ok {
			continue
		}
		s.dialing[r.id] = true
		go p.openSession(r.id, func() (*telephony.Leg, error) {
			return s.phones.Dial(s.base, telephony.DialRequest{To: contact, RingTimeout: sessionRing}, nil)
		})
	}
}

// openSession calls agent's phone or desk page (dial) and keeps the answered leg as their
// session until it ends.
func (p *Pacer) openSession(agent int64, dial func() (*telephony.Leg, error)) {
	s := &p.s
	leg, err := dial()
	s.mu.Lock()
	delete(s.dialing, agent)
	if err != nil {
		s.left[agent] = time.Now()
		s.mu.Unlock()
		p.log.Info("agent media session not opened", "agent", agent, "err", err)
		return
	}
	s.legs[agent] = &session{leg: leg}
	closing := s.closing
	s.mu.Unlock()
	if closing {
		leg.Hangup(context.WithoutCancel(s.base), "")
	}
	p.log.Info("agent media session open", "agent", agent, "call_id", leg.CallID)
	<-leg.Done()
	s.mu.Lock()
	if cur := s.legs[agent]; cur != nil && cur.leg == leg {
		delete(s.legs, agent)
	}
	if leg.EndedBy() == telephony.EndedRemote {
		s.left[agent] = time.Now()
	}
	s.mu.Unlock()
	p.log.Info("agent media session ended", "agent", agent, "by", leg.EndedBy())
}

// sweepEvery is how often Run looks for sessions to end.
const sweepEvery = 5 * time.Second

// Run ends, every few seconds until ctx ends, the idle sessions of agents who are no longer
// available for a predictive campaign: paused or offline, or with no running predictive
// campaign of their brands left (the campaign finished, was paused or stopped).
func (p *Pacer) Run(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.Sweep(ctx)
	}
}

// Sweep is one round of Run.
func (p *Pacer) Sweep(ctx context.Context) {
	p.s.mu.Lock()
	var idle []int64
	for a, s := range p.s.legs {
		if !s.inUse {
			idle = append(idle, a)
		}
	}
	p.s.mu.Unlock()
	for _, a := range idle {
		if keep, err := p.hasWork(ctx, a); err != nil || keep {
			continue
		}
		p.s.mu.Lock()
		s := p.s.legs[a]
		end := s != nil && !s.inUse
		p.s.mu.Unlock()
		if end {
			p.log.Info("agent media session ended: no predictive work", "agent", a)
			s.leg.Hangup(context.WithoutCancel(ctx), "")
		}
	}
}

// hasWork reports whether agent is logged in (available, reserved, on a call or in wrap-up)
// and one of their brands has a running predictive campaign.
func (p *Pacer) hasWork(ctx context.Context, agent int64) (bool, error) {
	var keep bool
	err := p.db.SQL.QueryRowContext(ctx, p.db.Rebind(`SELECT EXISTS (SELECT 1 FROM agent_states s WHERE s.user_id = ?
		AND s.state IN ('available','ringing','on_call','wrap_up') AND EXISTS (SELECT 1 FROM campaigns k JOIN user_brands ub
		ON ub.brand_id = k.brand_id WHERE ub.user_id = s.user_id AND k.mode = 'predictive' AND k.status = 'running'))`), agent).Scan(&keep)
	return keep, err
}
