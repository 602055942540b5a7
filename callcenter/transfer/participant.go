package transfer

import (
	"context"
	"errors"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/telephony"
)

// Participant is an agent reserved to join a live call as a third party (callcenter/monitor's
// three-way conferences): checked and reserved as an agent target of a transfer is, rung on
// their desk page or SIP phone as one is, their leg logged in call_legs as an agent leg.
type Participant struct {
	s     *Service
	lv    *callcenter.Live
	tg    target
	staff callcenter.Staff
}

// ReserveParticipant checks that agent id may be added to call lv by user by (an active agent
// of the call's brand, neither by nor the call's agent, available, with a desk page open or a
// phone registered) and reserves them: a *FieldError naming agent_id, or ErrBusy.
func (s *Service) ReserveParticipant(ctx context.Context, lv *callcenter.Live, by, id int64) (*Participant, error) {
	if id == lv.Staff().Log.AgentID && id != by {
		return nil, invalid("agent_id", "the agent is on this call already")
	}
	tg, err := s.agentTarget(ctx, by, id, lv.BrandID())
	if err != nil {
		return nil, err
	}
	return &Participant{s: s, lv: lv, tg: tg}, nil
}

// Release gives a reserved agent who was not rung back to available.
func (p *Participant) Release(ctx context.Context) { p.s.unreserve(ctx, p.tg) }

// Ring rings the agent for at most ring and returns their answered leg, the agent then
// on_call. When they do not answer, refuse or cannot be reached (or ctx ends) the agent is
// available again.
func (p *Participant) Ring(ctx context.Context, ring time.Duration) (*telephony.Leg, error) {
	staff, err := p.lv.Dial(ctx, p.tg.kind, p.tg.agentID, p.tg.contact, ring)
	if err != nil {
		p.Release(context.WithoutCancel(ctx))
		return nil, err
	}
	p.staff = staff
	p.setState(context.WithoutCancel(ctx), callcenter.OnCall)
	p.lv.Joined(staff.Leg) // a desk page shows the call talking
	return staff.Leg, nil
}

// Leave hangs up the answered leg, logs its end by side and makes the agent available: a
// participant has no wrap-up of their own (the call's disposition is its agent's), so they
// pass through wrap_up at once.
func (p *Participant) Leave(ctx context.Context) {
	side := callcenter.SideSystem
	if p.staff.Leg.EndedBy() == telephony.EndedRemote {
		side = callcenter.LegAgent
	}
	p.lv.Drop(p.staff, side)
	p.setState(ctx, callcenter.WrapUp)
	p.setState(ctx, callcenter.Available)
}

func (p *Participant) setState(ctx context.Context, to callcenter.AgentState) {
	if err := p.s.c.Agents.SetState(ctx, p.tg.agentID, to); err != nil && !errors.Is(err, callcenter.ErrBadTransition) {
		p.s.log.Warn("conference participant's state not changed", "agent", p.tg.agentID, "to", to, "err", err)
	}
}
