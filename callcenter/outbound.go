package callcenter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/tracking"
)

// OutboundRequest is a call to a customer for the dialer.
type OutboundRequest struct {
	AgentID     int64  // preview: the agent who asked; 0 for progressive
	BrandID     int64  // whose customer (caller id, recording notice, log scope)
	ParcelID    string // the parcel the call is about
	CampaignRef string // the dialer's campaign and contact references
	ContactRef  string
	To          string // E.164 through the trunk, or a SIP URI
	// The call script the agent follows (the dialer's planned version); 0: the brand's
	// first script.
	ScriptID, ScriptVersion int64
	Language                string // the customer's ("ru", "en"): the abandoned-call message's
}

// ErrUnknownParcel is a call about a parcel that is not one of the call's brand. A parcel
// that does not exist gets the same answer, so that no call tells one brand about
// another's parcels.
var ErrUnknownParcel = errors.New("no such parcel for this brand")

// parcelOf returns the canonical id of parcelID (any spelling tracking.ParseS10 accepts; ""
// for a call about no parcel) when it is a parcel of brand, else ErrUnknownParcel.
func (c *Center) parcelOf(ctx context.Context, brand int64, parcelID string) (string, error) {
	if strings.TrimSpace(parcelID) == "" {
		return "", nil
	}
	if c.parcels == nil {
		return "", fmt.Errorf("parcel %q: %w", parcelID, ErrUnknownParcel)
	}
	p, err := c.parcels.Parcel(ctx, access.Brands(brand), parcelID)
	switch {
	case errors.Is(err, tracking.ErrNotFound):
		return "", fmt.Errorf("parcel %q: %w", parcelID, ErrUnknownParcel)
	case err != nil:
		return "", fmt.Errorf("parcel %q: %w", parcelID, err)
	}
	return p.ID, nil
}

// Preview calls the customer for an agent who asked for the call: the agent's phone rings
// first, and when the agent answers the customer is dialled, hears the recording notice and
// is bridged. It returns the logged call; ErrUnknownParcel when req names a parcel that is
// not the brand's.
func (c *Center) Preview(ctx context.Context, req OutboundRequest) (Call, error) {
	var err error
	if req.ParcelID, err = c.parcelOf(ctx, req.BrandID, req.ParcelID); err != nil {
		return Call{}, err
	}
	if req.To, err = c.numberToDial(ctx, req.BrandID, req.ParcelID, req.To); err != nil {
		return Call{}, err
	}
	ag, err := c.Agents.Get(ctx, req.AgentID)
	if err != nil {
		return Call{}, err
	}
	contact, ok := c.locate(ag)
	if !ok {
		return Call{}, fmt.Errorf("agent %d has no registered phone and no desk page open: %w", req.AgentID, ErrNoAgent)
	}
	if ok, err := c.Agents.Reserve(ctx, req.AgentID); err != nil || !ok {
		return Call{}, errors.Join(fmt.Errorf("agent %d is %s, not available: %w", req.AgentID, ag.State, ErrNoAgent), err)
	}
	r, err := c.begin(ctx, c.newCall(req, ModePreview))
	if err != nil {
		c.release(ctx, req.AgentID)
		return Call{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.MaxCall)
	defer cancel()
	settings, _ := c.Brand(ctx, req.BrandID)
	agLog := r.addLeg(LegAgent, req.AgentID, "", contact)
	agent, err := r.dial(ctx, agLog, telephony.DialRequest{To: contact, CallerID: settings.CallerID, RingTimeout: c.cfg.AgentRing})
	if err != nil {
		c.release(r.down, req.AgentID)
		return r.end(Cancelled, LegAgent), nil
	}
	c.setState(r.down, req.AgentID, OnCall)
	r.call.From = c.eng.CallerID(settings.CallerID)
	cuLog := r.addLeg(LegCustomer, 0, r.call.From, req.To)
	ringCtx, stopRing := context.WithCancel(ctx)
	go c.eng.Play(ringCtx, agent, ringback(), true) // the agent hears the customer's phone ring
	customer, err := r.dial(ctx, cuLog, telephony.DialRequest{To: req.To, CallerID: settings.CallerID, RingTimeout: c.cfg.CustomerRing})
	stopRing()
	if err != nil {
		agent.Hangup(r.down, "")
		agLog.EndedAt, agLog.Outcome, agLog.HangupSide = cuLog.EndedAt, Answered, SideSystem
		r.saveLeg(agLog)
		c.setState(r.down, req.AgentID, WrapUp)
		return r.fail(err), nil
	}
	r.notice(ctx, customer, settings.RecordingNotice)
	side := r.talk(ctx, customer, agent, cuLog, agLog)
	call := r.end(Answered, side) // logged before wrap-up: the disposition is for a finished call
	r.wrapUp(req.AgentID)
	return call, nil
}

// Progressive calls the customer only when an agent is free (the longest idle agent of the
// brand is reserved first); on answer the customer hears the recording notice while the
// agent's phone rings, and an agent who does not answer is replaced by the next free one.
// ErrNoAgent means nobody was free and nothing was dialled.
func (c *Center) Progressive(ctx context.Context, req OutboundRequest) (Call, error) {
	call, err := c.progressive(ctx, req)
	if err != nil {
		return Call{}, err
	}
	return call(), nil
}

// progressive reserves an agent and logs the call's start, and returns the rest of the
// call to run: the dialer's PlaceCall returns between the two.
func (c *Center) progressive(ctx context.Context, req OutboundRequest) (func() Call, error) {
	tried := map[int64]bool{}
	var first Agent
	var contact string
	var err error
	if req.AgentID != 0 { // a callback offered to its owner only
		first, contact, err = c.reserveAgent(ctx, req.AgentID)
	} else {
		first, contact, err = c.reserveNext(ctx, Offer{Call: c.newCall(req, ModeProgressive), Language: req.Language}, tried)
	}
	if err != nil {
		return nil, err
	}
	req.AgentID = first.UserID
	r, err := c.begin(ctx, c.newCall(req, ModeProgressive))
	if err != nil {
		c.release(ctx, first.UserID)
		return nil, err
	}
	return func() Call { return c.runProgressive(ctx, r, req, first, contact, tried) }, nil
}

func (c *Center) runProgressive(ctx context.Context, r *run, req OutboundRequest, first Agent, contact string, tried map[int64]bool) Call {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.MaxCall)
	defer cancel()
	settings, _ := c.Brand(ctx, req.BrandID)
	r.call.From = c.eng.CallerID(settings.CallerID)
	cuLog := r.addLeg(LegCustomer, 0, r.call.From, req.To)
	customer, err := r.dial(ctx, cuLog, telephony.DialRequest{To: req.To, CallerID: settings.CallerID, RingTimeout: c.cfg.CustomerRing})
	if err != nil {
		c.release(r.down, first.UserID)
		r.call.AgentID = 0
		return r.fail(err)
	}
	noticeCtx, stopNotice := context.WithCancel(ctx)
	go r.notice(noticeCtx, customer, settings.RecordingNotice)
	agentID, outcome := first.UserID, Abandoned
	if c.cfg.AMD != nil && c.cfg.AMD.Screen(ctx, r.call.ID, req.BrandID, req.CampaignRef, customer) {
		outcome = NoAnswer // a machine: nobody to talk to (calls.amd_result says so)
		c.release(r.down, agentID)
	}
	for try := 0; outcome == Abandoned && try < c.cfg.MaxAgentTries; try++ {
		if try > 0 {
			next, cont, err := c.reserveNext(ctx, Offer{Call: r.call, Language: req.Language}, tried)
			if err != nil {
				break
			}
			agentID, contact = next.UserID, cont
		}
		tried[agentID] = true
		agLog := r.addLeg(LegAgent, agentID, settings.CallerID, contact)
		agent, err := r.dialWhile(ctx, customer, agLog, telephony.DialRequest{To: contact, CallerID: settings.CallerID, RingTimeout: c.cfg.AgentRing})
		if err != nil {
			c.release(r.down, agentID)
			if customer.EndedBy() != "" {
				break // the customer gave up while the agent's phone rang
			}
			continue
		}
		stopNotice()
		c.setState(r.down, agentID, OnCall)
		r.call.AgentID = agentID
		side := r.talk(ctx, customer, agent, cuLog, agLog)
		call := r.end(Answered, side)
		r.wrapUp(agentID)
		return call
	}
	stopNotice()
	if outcome == Abandoned { // a person no agent took: the brand's message (docs/outbound.md, "Abandoned calls")
		_ = c.audio.PlayAbandoned(ctx, c.eng, customer, req.BrandID, req.Language)
	}
	// RFC 3261 §15: we end the answered call ourselves; nobody took it.
	side := sideOf(customer, LegCustomer)
	customer.Hangup(r.down, "")
	cuLog.EndedAt, cuLog.Outcome, cuLog.HangupSide = ptrTime(time.Now().UTC()), outcome, side
	r.saveLeg(cuLog)
	r.call.AgentID = 0
	return r.end(outcome, side)
}

// dialWhile dials an agent leg but gives up (CANCEL) when the customer hangs up meanwhile.
func (r *run) dialWhile(ctx context.Context, customer *telephony.Leg, g *Leg, req telephony.DialRequest) (*telephony.Leg, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-customer.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	leg, err := r.dial(ctx, g, req)
	if err == nil && customer.EndedBy() != "" {
		leg.Hangup(r.down, "")
		return nil, errors.New("customer hung up")
	}
	return leg, err
}

func (c *Center) newCall(req OutboundRequest, mode string) Call {
	return Call{Direction: Outbound, Mode: mode, BrandID: req.BrandID, ParcelID: req.ParcelID, CampaignRef: req.CampaignRef,
		ContactRef: req.ContactRef, AgentID: req.AgentID, To: req.To, ScriptID: req.ScriptID, ScriptVersion: req.ScriptVersion}
}

// reserveNext reserves the first available agent of o's brand with a registered phone that
// the router offers o to (without one: the longest idle).
func (c *Center) reserveNext(ctx context.Context, o Offer, skip map[int64]bool) (Agent, string, error) {
	idle, err := c.Ranked(ctx, o, skip)
	if err != nil {
		return Agent{}, "", err
	}
	for _, ag := range idle {
		contact, ok := c.locate(ag)
		if !ok {
			continue
		}
		if ok, err := c.Agents.Reserve(ctx, ag.UserID); err != nil {
			return Agent{}, "", err
		} else if ok {
			return ag, contact, nil
		}
	}
	return Agent{}, "", ErrNoAgent
}

// reserveAgent reserves one agent when available with a phone to ring, else ErrNoAgent.
func (c *Center) reserveAgent(ctx context.Context, id int64) (Agent, string, error) {
	ag, err := c.Agents.Get(ctx, id)
	if err != nil {
		return Agent{}, "", err
	}
	contact, ok := c.locate(ag)
	if !ok {
		return Agent{}, "", fmt.Errorf("agent %d has no phone to ring: %w", id, ErrNoAgent)
	}
	if ok, err := c.Agents.Reserve(ctx, id); err != nil || !ok {
		return Agent{}, "", errors.Join(fmt.Errorf("agent %d is busy: %w", id, ErrNoAgent), err)
	}
	return ag, contact, nil
}

// release puts a reserved agent whose phone was not answered back in the pool.
func (c *Center) release(ctx context.Context, agentID int64) { c.setState(ctx, agentID, Available) }

func (c *Center) setState(ctx context.Context, agentID int64, s AgentState) {
	if err := c.Agents.SetState(ctx, agentID, s); err != nil {
		c.log.Warn("agent state not changed", "agent", agentID, "to", s, "err", err)
	}
}
