package callcenter

import (
	"context"
	"sync"
	"time"

	"github.com/wismo/wismo/callcenter/holdclock"
	"github.com/wismo/wismo/telephony"
)

// LegExternal is the leg of a party outside wismo a call was transferred to (00034).
const LegExternal = "external"

// Live is a call whose customer talks to staff (run.talk). Package callcenter/transfer
// pauses its bridge (the customer's leg stays up) and resumes it with the same or another
// staff leg; the recorder carries on, so the call keeps one recording (docs/transfers.md).
// Supervisors and conference participants join its taps (callcenter/monitor, LiveCall),
// which last the whole talk, across transfers.
type Live struct {
	r        *run
	Customer *telephony.Leg
	taps     *telephony.Taps
	mu       sync.Mutex
	staff    Staff
	pause    context.CancelFunc
	next     chan Staff
	done     chan struct{}
}

// LiveCall is a bridged call as monitoring and conferences see it (callcenter/monitor):
// third legs join it through Taps; AgentID is the agent who talks to the customer now; Live
// rings another agent into it (callcenter/transfer.Participant).
type LiveCall struct {
	ID, BrandID, AgentID int64
	Taps                 *telephony.Taps
	Live                 *Live
}

// LiveCall returns call id while its customer talks to staff.
func (c *Center) LiveCall(id int64) (LiveCall, bool) {
	c.liveMu.Lock()
	l := c.live[id]
	c.liveMu.Unlock()
	if l == nil {
		return LiveCall{}, false
	}
	return LiveCall{ID: id, BrandID: l.BrandID(), AgentID: l.Staff().Log.AgentID, Taps: l.taps, Live: l}, true
}

// Staff is the leg talking to the customer with its call_legs row: an agent's
// (Log.AgentID), or an external party's (Log.Kind LegExternal).
type Staff struct {
	Leg *telephony.Leg
	Log *Leg
}

// Live is the call agentID talks in (their leg is its staff leg), or nil.
func (c *Center) Live(agentID int64) *Live {
	c.liveMu.Lock()
	defer c.liveMu.Unlock()
	for _, l := range c.live {
		if l.Staff().Log.AgentID == agentID {
			return l
		}
	}
	return nil
}

// LiveOn is the call whose staff leg is leg (an agent's phone that sent REFER), or nil.
func (c *Center) LiveOn(leg *telephony.Leg) *Live {
	c.liveMu.Lock()
	defer c.liveMu.Unlock()
	for _, l := range c.live {
		if l.Staff().Leg == leg {
			return l
		}
	}
	return nil
}

// CallID, BrandID, QueueID and ParcelID are the live call's.
func (l *Live) CallID() int64    { return l.r.call.ID }
func (l *Live) BrandID() int64   { return l.r.call.BrandID }
func (l *Live) QueueID() int64   { return l.r.call.QueueID }
func (l *Live) ParcelID() string { return l.r.call.ParcelID }

// ShiftLine reports whether the agent talks on a predictive shift's line (not transferred).
func (l *Live) ShiftLine() bool { return l.r.shiftLine }

// Staff is who talks to the customer now (or did before Pause).
func (l *Live) Staff() Staff {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.staff
}

// Done is closed when the call's talk ends (the customer hung up, or staff did).
func (l *Live) Done() <-chan struct{} { return l.done }

// Pause ends the customer's bridge without hanging up anyone; Resume bridges again. It
// reports false when there is no bridge to pause (not up yet, or paused already).
func (l *Live) Pause() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pause == nil {
		return false
	}
	l.pause()
	l.pause = nil
	return true
}

// Resume bridges the paused customer with s: the same staff leg (a cancelled transfer) or a
// new one, whose agent (if any) is then the call's, the previous one going to wrap-up.
func (l *Live) Resume(s Staff) {
	select {
	case l.next <- s:
	case <-l.done:
	}
}

// Dial logs a leg of kind (LegAgent with agentID, or LegExternal) and places it to contact
// (a desk page, a SIP phone or a number through the trunk) for as long as ring.
func (l *Live) Dial(ctx context.Context, kind string, agentID int64, contact string, ring time.Duration) (Staff, error) {
	req := telephony.DialRequest{To: contact, RingTimeout: ring}
	if kind == LegExternal { // the number sees the brand's caller id, as the brand's own calls
		settings, _ := l.r.c.Brand(ctx, l.r.call.BrandID)
		req.CallerID = settings.CallerID
	}
	g := l.r.addLeg(kind, agentID, l.r.call.From, contact)
	leg, err := l.r.dial(ctx, g, req)
	return Staff{Leg: leg, Log: g}, err
}

// Queue hands the paused customer to hotline queue id: the staff leg is released at once (its
// agent to wrap-up) and the customer waits as its callers do (waitAgent) until an agent answers
// and is bridged to them. It returns that agent's leg, or none and why (waitAgent's; after
// max_wait or queue the customer heard the closed message, a callback was planned and the
// call ended). ErrNotFound: no such queue.
func (l *Live) Queue(ctx context.Context, id int64) (Staff, string, error) {
	r := l.r
	q, err := r.c.queueWhere(ctx, `id = ?`, id)
	if err != nil {
		return Staff{}, "", err
	}
	l.Resume(Staff{Log: &Leg{}})
	call := Call{ID: r.call.ID, Direction: r.call.Direction, Mode: r.call.Mode, BrandID: r.call.BrandID, QueueID: q.ID,
		ParcelID: r.call.ParcelID, From: r.call.From} // fields fixed at the call's start: the bridge's goroutine writes the rest
	s, reason := r.c.waitAgent(ctx, r, q, l.Customer, call)
	if s.Leg == nil {
		if reason != "" { // as the hotline's max wait; the call ends with the customer's leg
			r.c.sayClosed(ctx, r, l.Customer, &call, reason)
		}
		return s, reason, nil
	}
	select {
	case l.next <- s: // swap: the agent is on the call
		return s, "", nil
	case <-l.done: // the customer left as the agent answered
		l.Drop(s, SideSystem)
		r.c.release(r.down, s.Log.AgentID)
		return Staff{}, "", nil
	}
}

// Music plays the brand's queue music to the paused customer until the returned func.
func (l *Live) Music() (stop func()) {
	ctx, cancel := context.WithCancel(l.r.down)
	if s, err := l.r.c.audio.Load(l.r.call.BrandID, AnnQueue); err == nil {
		go l.r.c.eng.Play(ctx, l.Customer, s, true)
	}
	l.r.c.holds.Set(l.r.down, l.r.call.ID, holdclock.ReasonTransfer, true) // calls.hold_ms
	return func() { cancel(); l.r.c.holds.Set(l.r.down, l.r.call.ID, holdclock.ReasonTransfer, false) }
}

// bridge runs the customer's bridges with staff until a side hangs up or ctx ends; a Pause
// ends the current one and the Staff given to Resume is bridged next, with the same rec.
func (l *Live) bridge(ctx context.Context, rec telephony.Recorder) *telephony.Leg {
	for {
		l.mu.Lock()
		s := l.staff
		l.mu.Unlock()
		if s.Leg != nil { // nil: the customer waits in a queue (Queue), unbridged
			bctx, cancel := context.WithCancel(ctx)
			l.mu.Lock()
			l.pause = cancel
			l.mu.Unlock()
			l.r.c.phones.onTalk(l.r, l.Customer, s.Leg)
			first := l.r.c.eng.BridgeWith(bctx, l.Customer, s.Leg, rec, l.taps)
			cancel()
			if first != nil || ctx.Err() != nil {
				return first
			}
		}
		select { // paused by a transfer
		case n := <-l.next:
			l.swap(s, n)
			if ns, ok := rec.(interface{ NewSource(ch int) }); ok && n.Leg != s.Leg {
				ns.NewSource(1) // the right channel: the staff voice the customer hears
			}
		case <-l.Customer.Done():
			return l.Customer
		case <-ctx.Done():
			return nil
		}
	}
}

// swap makes n the staff leg after old: old's leg is released and logged as ended by its
// side, its agent goes to wrap-up, and n's agent is the call's (calls.agent_id: the agent who
// had the call last; an external party leaves it to the agent who transferred).
func (l *Live) swap(old, n Staff) {
	if n.Leg == old.Leg {
		return
	}
	r := l.r
	l.mu.Lock()
	l.staff = n
	l.mu.Unlock()
	if old.Leg != nil { // nil: Queue released it already
		old.Log.EndedAt, old.Log.Outcome, old.Log.HangupSide = ptrTime(time.Now().UTC()), Answered, LegAgent
		r.saveLeg(old.Log)
		r.c.cfg.Pacer.Release(r.down, old.Leg)
		if old.Log.AgentID != 0 {
			r.c.setState(r.down, old.Log.AgentID, WrapUp)
		}
	}
	r.transferred, r.staffAgent, r.queued = true, n.Log.AgentID, n.Leg == nil
	if n.Log.AgentID != 0 {
		r.c.setState(r.down, n.Log.AgentID, OnCall)
		r.call.AgentID = n.Log.AgentID
	}
	r.saveCall()
}

// wrapUp puts the agent who ended the call into wrap-up: agentID, or after a transfer the
// agent who had the call last (none when an external party had it).
func (r *run) wrapUp(agentID int64) {
	if r.transferred {
		agentID = r.staffAgent
	}
	if agentID != 0 {
		r.c.setState(r.down, agentID, WrapUp)
	}
}

// goLive registers the call's talk for transfers and monitoring until the returned func. The
// row is written first: a hotline call's agent is then in the log while they talk (the live
// dashboard shows the call talking, with its Listen button).
func (r *run) goLive(customer *telephony.Leg, s Staff) (*Live, func()) {
	r.saveCall()
	l := &Live{r: r, Customer: customer, taps: r.c.eng.NewTaps(), staff: s, next: make(chan Staff), done: make(chan struct{})}
	r.c.liveMu.Lock()
	if r.c.live == nil {
		r.c.live = map[int64]*Live{}
	}
	r.c.live[r.call.ID] = l
	r.c.liveMu.Unlock()
	return l, func() {
		r.c.liveMu.Lock()
		delete(r.c.live, r.call.ID)
		r.c.liveMu.Unlock()
		l.taps.Close()
		close(l.done)
	}
}

// Contact is where agent ag takes calls now (their desk page, else their SIP phone).
func (c *Center) Contact(ag Agent) (string, bool) { return c.locate(ag) }

// Number is typed as the trunk dials it (E.164; a sip: URI as it is), or an ErrBadNumber.
func (l *Live) Number(ctx context.Context, typed string) (string, error) {
	return l.r.c.numberToDial(ctx, l.r.call.BrandID, l.r.call.ParcelID, typed)
}

// Consult bridges the transferring agent's leg a with the target's b (unrecorded: the
// customer hears neither) until one ends or ctx does; the target's desk shows a call.
func (l *Live) Consult(ctx context.Context, a, b *telephony.Leg) *telephony.Leg {
	l.r.c.phones.onTalk(l.r, a, b)
	return l.r.c.eng.Bridge(ctx, a, b, nil)
}

// Joined shows leg's desk page, a conference participant's (callcenter/transfer), talking
// in the call; not d.talking: the customer and the hold are the call's agent's.
func (l *Live) Joined(leg *telephony.Leg) {
	if d := l.r.c.phones.deskOfLeg(leg); d != nil {
		d.joined(l.r.call.ID, leg)
	}
}

// Drop hangs up s, a target that never took the customer, and logs its end by side.
func (l *Live) Drop(s Staff, side string) {
	s.Leg.Hangup(l.r.down, "")
	s.Log.EndedAt, s.Log.Outcome, s.Log.HangupSide = ptrTime(time.Now().UTC()), Answered, side
	l.r.saveLeg(s.Log)
}
