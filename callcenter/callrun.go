package callcenter

import (
	"context"
	"log/slog"
	"time"

	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/telephony"
)

// run is one call in progress: its log row, its legs' rows, and the teardown context that
// outlives the call's own (context.WithoutCancel) so the log is always finished.
type run struct {
	c    *Center
	log  *slog.Logger
	call Call
	down context.Context
	// after a transfer (Live.swap): the agent on the staff leg now, 0 for an external party
	transferred bool
	staffAgent  int64
	shiftLine   bool // the agent's leg is a predictive shift's line, which outlives the call
	queued      bool // a transfer put the customer in a queue, and no agent has them yet (Live.Queue)
}

// begin logs the start of call and counts it active.
func (c *Center) begin(ctx context.Context, call Call) (*run, error) {
	call.StartedAt = time.Now().UTC()
	if err := c.Calls.Create(ctx, &call); err != nil {
		return nil, err
	}
	c.m.Active.Inc()
	c.running.Add(1)
	r := &run{c: c, call: call, down: context.WithoutCancel(ctx)}
	r.log = c.log.With("call", call.ID, "mode", call.Mode, "to", call.To)
	return r, nil
}

// end writes the call's final state; the call's outcome is counted once. The SIP status
// logged is the customer leg's: its answer's (dial, HandleInbound), or its refusal's (fail).
func (r *run) end(outcome Outcome, side string) Call {
	now := time.Now().UTC()
	if r.queued && outcome == Answered && r.call.Direction == Inbound {
		outcome = Abandoned // left the queue a transfer put them in (an outbound call's abandon is the dialer's)
	}
	r.call.Outcome, r.call.EndedAt, r.call.HangupSide = outcome, &now, side
	r.c.holds.End(r.down, r.call.ID) // still on hold: the hold ends with the call
	if err := r.c.Calls.Update(r.down, &r.call); err != nil {
		r.log.Error("call log not finished", "err", err)
	}
	r.c.m.Attempts.WithLabelValues(r.call.Direction, string(outcome)).Inc()
	r.c.m.Active.Dec()
	r.c.running.Done()
	r.log.Info("call ended", "outcome", outcome, "sip_status", r.call.SIPStatus, "hangup", side)
	return r.call
}

// addLeg logs a new leg of kind towards to.
func (r *run) addLeg(kind string, agentID int64, from, to string) *Leg {
	g := &Leg{CallID: r.call.ID, Kind: kind, AgentID: agentID, From: from, To: to, StartedAt: time.Now().UTC()}
	if err := r.c.Calls.AddLeg(r.down, g); err != nil {
		r.log.Error("leg not logged", "err", err)
	}
	return g
}

func (r *run) saveLeg(g *Leg) {
	if err := r.c.Calls.UpdateLeg(r.down, g); err != nil {
		r.log.Error("leg not updated", "leg", g.ID, "err", err)
	}
}

// fail ends a call whose customer leg could not be had (a failed dial) with what err means.
func (r *run) fail(err error) Call {
	outcome, status := telephony.OutcomeOf(err)
	if status != 0 {
		r.call.SIPStatus = status
	}
	return r.end(outcome, "")
}

// dial places leg g and logs ringing, answer or the failure's outcome on it.
func (r *run) dial(ctx context.Context, g *Leg, req telephony.DialRequest) (*telephony.Leg, error) {
	req.OnRinging = func() {
		g.RingingAt = ptrTime(time.Now().UTC())
		if g.Kind == LegCustomer && r.call.RingingAt == nil {
			r.call.RingingAt = g.RingingAt
		}
	}
	leg, err := r.c.dialLeg(ctx, r, req, func(id string) {
		g.SIPCallID = id
		if g.Kind == LegCustomer {
			r.call.SIPCallID = id
		}
	})
	if err != nil {
		g.Outcome, g.SIPStatus = telephony.OutcomeOf(err)
		g.EndedAt = ptrTime(time.Now().UTC())
		r.saveLeg(g)
		return nil, err
	}
	g.AnsweredAt, g.SIPStatus, g.Codec = ptrTime(leg.AnsweredAt.UTC()), leg.Status, telephony.CodecName(leg.Codec())
	r.saveLeg(g)
	if g.Kind == LegCustomer {
		r.call.AnsweredAt, r.call.SIPStatus = g.AnsweredAt, g.SIPStatus
		r.saveCall() // the live call log shows the call as answered
	}
	return leg, nil
}

// saveCall writes the call row as it stands.
func (r *run) saveCall() {
	if err := r.c.Calls.Update(r.down, &r.call); err != nil {
		r.log.Error("call log not updated", "err", err)
	}
}

// talk records and bridges an answered customer with an answered agent until one hangs up,
// then hangs up the other and finishes the recording and both legs. It returns who hung up.
func (r *run) talk(ctx context.Context, customer, agent *telephony.Leg, cg, ag *Leg) string {
	start := time.Now()
	var active *recordings.Active
	if r.c.recs != nil {
		a, err := r.c.recs.Start(r.down, r.call.ID, r.call.BrandID, start)
		if err != nil {
			r.log.Error("recording not started", "err", err)
		} else {
			active = a
		}
	}
	var rec telephony.Recorder
	if active != nil {
		rec = active
	}
	ctx, cancel := context.WithTimeout(ctx, r.c.cfg.MaxCall)
	defer cancel()
	live, done := r.goLive(customer, Staff{Leg: agent, Log: ag})
	first := live.bridge(ctx, rec) // again after each transfer (package callcenter/transfer)
	done()
	agent, ag = live.Staff().Leg, live.Staff().Log
	side := SideSystem
	switch {
	case first == customer:
		side = sideOf(customer, LegCustomer)
	case first != nil && first == agent:
		side = sideOf(agent, LegAgent)
	}
	customer.Hangup(r.down, "")
	now := ptrTime(time.Now().UTC())
	cg.EndedAt, cg.Outcome, cg.HangupSide = now, Abandoned, side // abandoned: in a queue a transfer put them in
	if agent != nil {
		cg.Outcome, ag.EndedAt, ag.Outcome, ag.HangupSide = Answered, now, Answered, side
		r.c.cfg.Pacer.Release(r.down, agent) // an agent's media session stays up; any other leg is hung up
		r.saveLeg(ag)
	}
	r.saveLeg(cg)
	if active != nil {
		if recd, err := r.c.recs.Finish(r.down, active, r.call.BrandID); err != nil {
			r.log.Error("recording not finished", "err", err)
		} else {
			r.call.RecordingID = recd.ID
		}
	}
	return side
}

// sideOf is who hung up leg, a leg of kind (LegCustomer, LegAgent), once it has ended: its
// side when the far end sent BYE, else the system (we hung up, or the far end vanished and
// the RTP timeout ended the leg).
func sideOf(leg *telephony.Leg, kind string) string {
	if leg.EndedBy() == telephony.EndedRemote {
		return kind
	}
	return SideSystem
}

// notice plays the brand's recording notice to the customer when the brand wants it.
func (r *run) notice(ctx context.Context, customer *telephony.Leg, want bool) {
	if !want {
		return
	}
	s, err := r.c.audio.Load(r.call.BrandID, AnnNotice)
	if err != nil {
		r.log.Warn("recording notice missing", "err", err)
		return
	}
	r.c.eng.Play(ctx, customer, s, false)
}
