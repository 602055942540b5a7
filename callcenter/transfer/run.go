package transfer

import (
	"context"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/telephony"
)

// resolve checks target t of the call lv that agent u talks in and reserves the agent it
// names (ErrBusy when they are not free); a blind transfer of kind to a queue with nobody
// free resolves to the queue itself.
func (s *Service) resolve(ctx context.Context, u *access.User, lv *callcenter.Live, kind Kind, t Target) (target, error) {
	set := 0
	for _, ok := range []bool{t.AgentID != 0, t.QueueID != 0, strings.TrimSpace(t.Number) != ""} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return target{}, invalid("target", "choose exactly one of agent_id, queue_id and number")
	}
	brand := lv.BrandID()
	switch {
	case t.AgentID != 0:
		return s.agentTarget(ctx, u.ID, t.AgentID, brand)
	case t.QueueID != 0:
		qb, err := s.queueBrand(ctx, t.QueueID)
		if err == ErrNotFound || (err == nil && qb != brand) {
			return target{}, invalid("queue_id", "not a hotline queue of this call's brand")
		}
		if err != nil {
			return target{}, err
		}
		// In the queue's routing order, as its hotline callers are offered (language, skill).
		idle, err := s.c.Ranked(ctx, callcenter.Offer{Call: callcenter.Call{ID: lv.CallID(), BrandID: brand, QueueID: t.QueueID,
			ParcelID: lv.ParcelID()}}, map[int64]bool{u.ID: true}) // waiting for nobody: then anyone of the brand
		if err != nil {
			return target{}, err
		}
		for _, ag := range idle {
			if tg, err := s.reserve(ctx, ag.UserID, "queue_id"); err == nil {
				return tg, nil
			}
		}
		if kind == Blind { // the customer waits in the queue as its callers do (Live.Queue)
			return target{queue: t.QueueID}, nil
		}
		return target{}, fmt.Errorf("queue_id: nobody in the queue is free to consult; a blind transfer puts the customer in the queue to wait: %w", ErrBusy)
	}
	on, err := s.AllowsExternal(ctx, brand)
	if err != nil {
		return target{}, err
	}
	if !on {
		return target{}, forbidden("number", "this brand does not allow transfers to external numbers (its managers can allow them)")
	}
	num, err := lv.Number(ctx, t.Number)
	if err != nil {
		return target{}, invalid("number", strings.TrimPrefix(err.Error(), callcenter.ErrBadNumber.Error()+": "))
	}
	return target{kind: callcenter.LegExternal, contact: num}, nil
}

// agentTarget checks agent id as the target of a call of brand that user by is in (an
// agent of the brand, not by) and reserves them.
func (s *Service) agentTarget(ctx context.Context, by, id, brand int64) (target, error) {
	if id == by {
		return target{}, invalid("agent_id", "you are the agent on this call")
	}
	ok, err := s.servesBrand(ctx, id, brand)
	if err != nil {
		return target{}, err
	}
	if !ok {
		return target{}, invalid("agent_id", "not an agent of this call's brand")
	}
	return s.reserve(ctx, id, "agent_id")
}

// reserve reserves agent id, free and with a desk page or phone to ring.
func (s *Service) reserve(ctx context.Context, id int64, field string) (target, error) {
	ag, err := s.c.Agents.Get(ctx, id)
	if err != nil {
		return target{}, invalid(field, "no such agent")
	}
	contact, ok := s.c.Contact(ag)
	if !ok {
		return target{}, fmt.Errorf("%s: the agent has no desk page open and no phone registered: %w", field, ErrBusy)
	}
	if ok, err := s.c.Agents.Reserve(ctx, id); err != nil {
		return target{}, err
	} else if !ok {
		return target{}, fmt.Errorf("%s: the agent is %s, not available: %w", field, ag.State, ErrBusy)
	}
	return target{kind: callcenter.LegAgent, agentID: id, contact: contact}, nil
}

// run places the target's leg while the customer hears music, then hands the customer
// over (blind at once; attended once the agent completes) or back to the agent; or queues
// the customer (queue).
func (s *Service) run(ctx, ringCtx context.Context, a *active, tg target) {
	lv := a.live
	if tg.queue != 0 {
		s.queue(ctx, a, tg.queue)
		return
	}
	music := lv.Music()
	go func() { // the customer hung up: stop ringing
		select {
		case <-lv.Done():
			a.stopRing()
		case <-ringCtx.Done():
		}
	}()
	staff, err := lv.Dial(ringCtx, tg.kind, tg.agentID, tg.contact, s.ring)
	a.stopRing()
	if err != nil {
		s.log.Warn("transfer target not reached", "call", lv.CallID(), "to", tg.contact, "err", err)
		s.unreserve(ctx, tg)
		music()
		a.mu.Lock()
		a.t.Outcome = Failed
		if a.cancelled || isDone(lv.Done()) {
			a.t.Outcome = Cancelled
		}
		a.mu.Unlock()
		a.told(503)
		s.finish(ctx, a)
		lv.Resume(a.orig) // the customer is back with the agent (a no-op when the call ended)
		return
	}
	outcome := Completed
	if Kind(a.t.Kind) == Attended {
		outcome = s.consult(ctx, a, staff)
	}
	music()
	if isDone(lv.Done()) { // the customer hung up meanwhile
		outcome = Cancelled
	}
	switch outcome {
	case Completed:
		a.told(200)      // before the agent's leg is released: the NOTIFY goes in its dialog
		lv.Resume(staff) // the agent's leg is released to wrap-up; the target has the call
	default:
		a.told(487)
		lv.Drop(staff, callcenter.LegAgent)
		s.unreserve(ctx, tg)
		lv.Resume(a.orig)
	}
	a.mu.Lock()
	a.t.Outcome = outcome
	a.mu.Unlock()
	s.finish(ctx, a)
}

// consult bridges the agent with the answered target until the agent completes or cancels,
// or one of them hangs up: the agent hanging up completes the transfer, the target hanging
// up cancels it.
func (s *Service) consult(ctx context.Context, a *active, staff callcenter.Staff) string {
	a.setState(StateConsulting)
	cctx, stop := context.WithCancel(ctx)
	ended := make(chan *telephony.Leg, 1)
	go func() { ended <- a.live.Consult(cctx, a.orig.Leg, staff.Leg) }()
	var outcome string
	var first *telephony.Leg
	select {
	case outcome = <-a.decide:
		stop()
		first = <-ended
	case first = <-ended:
	case <-a.live.Done():
		outcome = Cancelled
		stop()
		<-ended
	}
	stop()
	switch {
	case outcome != "":
	case first == a.orig.Leg:
		outcome = Completed // the agent hung up: the target takes the customer
	default:
		outcome = Cancelled // the target hung up (or the consult ended otherwise)
	}
	return outcome
}

func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// queue puts the customer in queue id, where nobody was free: the transferring agent goes to
// wrap-up at once, and the transfer ends when an agent of the queue answers (completed, the
// agent recorded), the customer hangs up (cancelled), or the queue's max wait or the
// customer's press of 1 for a callback ends the call (failed).
func (s *Service) queue(ctx context.Context, a *active, id int64) {
	staff, reason, err := a.live.Queue(ctx, id)
	a.mu.Lock()
	switch {
	case err != nil:
		s.log.Error("transfer not queued", "call", a.t.CallID, "queue", id, "err", err)
		a.t.Outcome = Failed
	case staff.Leg != nil:
		a.t.Outcome, a.t.ToAgentID = Completed, staff.Log.AgentID
	case reason == "":
		a.t.Outcome = Cancelled
	default:
		a.t.Outcome = Failed
	}
	a.mu.Unlock()
	if err != nil {
		a.live.Resume(a.orig) // not queued: the customer is back with the agent
	}
	s.finish(ctx, a)
}
