package callcenter

import (
	"context"
	"time"

	"github.com/wismo/wismo/callcenter/predictive"
	"github.com/wismo/wismo/telephony"
)

const ModePredictive = "predictive" // a predictive campaign's call (docs/pacing.md, "The live pacer")

// predictive logs a predictive campaign's call (no agent reserved) and returns the rest to run: once a
// person answers (after the AMD screening) an agent is connected within the pacer's grace (2 s), else the
// person hears the brand's abandoned-call message and the call ends `abandoned`. The pacer hears of each step.
func (c *Center) predictive(ctx context.Context, req OutboundRequest) (func() Call, error) {
	pc := c.cfg.Pacer
	r, err := c.begin(ctx, c.newCall(req, ModePredictive))
	if err != nil {
		return nil, err
	}
	pc.Placed(req.BrandID, r.call.ID)
	return func() Call {
		ctx, cancel := context.WithTimeout(ctx, c.cfg.MaxCall)
		defer cancel()
		settings, _ := c.Brand(ctx, req.BrandID)
		r.call.From = c.eng.CallerID(settings.CallerID)
		cuLog := r.addLeg(LegCustomer, 0, r.call.From, req.To)
		customer, err := r.dial(ctx, cuLog, telephony.DialRequest{To: req.To, CallerID: settings.CallerID, RingTimeout: c.cfg.CustomerRing})
		if err != nil {
			pc.Answered(req.BrandID, r.call.ID, predictive.Nobody)
			return r.fail(err)
		}
		outcome := NoAnswer // a machine: nobody to talk to (calls.amd_result says so)
		if c.cfg.AMD != nil && c.cfg.AMD.Screen(ctx, r.call.ID, req.BrandID, req.CampaignRef, customer) {
			pc.Answered(req.BrandID, r.call.ID, predictive.Machine)
		} else {
			pc.Answered(req.BrandID, r.call.ID, predictive.Person)
			if call, ok := c.connectWithin(ctx, r, req, pc, customer, cuLog, settings); ok {
				return call
			}
			outcome = Abandoned
			pc.Abandoned(req.BrandID)
			if err := c.audio.PlayAbandoned(ctx, c.eng, customer, req.BrandID, req.Language); err != nil {
				r.log.Warn("abandoned-call message missing", "err", err)
			}
		}
		side := sideOf(customer, LegCustomer)
		customer.Hangup(r.down, "")
		cuLog.EndedAt, cuLog.Outcome, cuLog.HangupSide = ptrTime(time.Now().UTC()), outcome, side
		r.saveLeg(cuLog)
		return r.end(outcome, side)
	}, nil
}

// connectWithin connects the customer to the longest-idle agent of the brand who answers within the
// grace, waiting for one to free meanwhile, and talks the call to its end. False: no agent in time.
func (c *Center) connectWithin(ctx context.Context, r *run, req OutboundRequest, pc *predictive.Pacer, customer *telephony.Leg, cuLog *Leg, settings BrandSettings) (Call, bool) {
	deadline, tried := pc.ConnectBy(ctx, r.call.ID), map[int64]bool{} // 2 s after the end of the greeting
	for time.Now().Before(deadline) && customer.EndedBy() == "" {
		ag, contact, err := c.reserveNext(ctx, Offer{Call: r.call, Language: req.Language}, tried)
		if err != nil {
			time.Sleep(50 * time.Millisecond) // an agent may free within the grace
			continue
		}
		tried[ag.UserID] = true
		agLog := r.addLeg(LegAgent, ag.UserID, settings.CallerID, contact)
		agent := pc.Session(ag.UserID) // the agent's phone is up already: bridged without a new offer/answer
		if agent != nil {
			r.shiftLine = true // not transferred (docs/transfers.md)
			agLog.AnsweredAt, agLog.SIPCallID, agLog.Codec = ptrTime(time.Now().UTC()), agent.CallID, telephony.CodecName(agent.Codec())
		} else if agent, err = r.dialWhile(ctx, customer, agLog, telephony.DialRequest{To: contact, CallerID: settings.CallerID, RingTimeout: max(time.Until(deadline), 100*time.Millisecond)}); err != nil {
			c.release(r.down, ag.UserID)
			continue
		}
		pc.Connected(req.BrandID)
		c.setState(r.down, ag.UserID, OnCall)
		r.call.AgentID = ag.UserID
		r.notice(ctx, customer, settings.RecordingNotice) // the agent is connected; the customer hears the notice first
		start := time.Now()
		side := r.talk(ctx, customer, agent, cuLog, agLog)
		pc.Talked(req.BrandID, time.Since(start))
		call := r.end(Answered, side)
		r.wrapUp(ag.UserID)
		return call, true
	}
	return Call{}, false
}
