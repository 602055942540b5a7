package callcenter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wismo/wismo/dialer"
)

// OutcomeRecorder is what call control tells the dialer (dialer.Service implements it): the
// end of a call attempt, the agent's disposition of it (a second RecordCallOutcome: the
// dialer waits for it before deciding), and a phone flagged as a wrong number.
type OutcomeRecorder interface {
	RecordCallOutcome(ctx context.Context, contactID int64, outcome, disposition, actor string, callbackAt time.Time) error
	OptOut(ctx context.Context, brand int64, ch dialer.Channel, address, source string) error
}

// Placer places the dialer's progressive calls through the center (it implements
// dialer.CallPlacer): PlaceCall returns as soon as an agent is reserved and the call logged,
// and the attempt's outcome goes back to the dialer when the call ends. With no agent free
// the attempt is handed back (dialer.ErrNotSent) for a later try. It is also the way the
// agents' dispositions reach the dialer: of a dialer call, for its attempt algorithm; of a
// hotline or an ad-hoc preview call, as a callback (callback_requested) or a flagged phone
// (wrong_number).
type Placer struct {
	c        *Center
	outcomes OutcomeRecorder
}

// NewPlacer returns the dialer's CallPlacer over c, reporting outcomes and dispositions to
// outcomes.
func NewPlacer(c *Center, outcomes OutcomeRecorder) *Placer {
	p := &Placer{c: c, outcomes: outcomes}
	c.Calls.disposed = p.disposed
	return p
}

var (
	_ dialer.CallPlacer    = (*Placer)(nil)
	_ dialer.AgentCapacity = (*Placer)(nil)
)

// FreeAgents implements dialer.AgentCapacity: for each brand, its available agents with a
// phone to ring (a registered SIP phone or an open desk page). An agent of several brands
// counts in each; a call that finds them taken after all is handed back.
func (p *Placer) FreeAgents(ctx context.Context, brands []int64) (map[int64]int, error) {
	out := map[int64]int{}
	for _, b := range brands {
		idle, err := p.c.Agents.Idle(ctx, b, nil)
		if err != nil {
			return nil, err
		}
		for _, ag := range idle {
			if _, ok := p.c.locate(ag); ok {
				out[b]++
			}
		}
	}
	if p.c.cfg.Pacer != nil { // brands with a running predictive campaign: the pacer's count
		return p.c.cfg.Pacer.Allow(ctx, brands, out)
	}
	return out, nil
}

// PlaceCall implements dialer.CallPlacer. A callback with an owner is offered to the owner
// alone until its grace ends (handed back while the owner is busy or away), then to any
// agent of the brand.
func (p *Placer) PlaceCall(ctx context.Context, r dialer.CallRequest) error {
	req := OutboundRequest{BrandID: r.BrandID, ParcelID: r.ParcelID, To: r.To,
		CampaignRef: strconv.FormatInt(r.CampaignID, 10), ContactRef: strconv.FormatInt(r.ContactID, 10),
		ScriptID: r.ScriptID, ScriptVersion: r.ScriptVersion, Language: r.Language}
	if cb := p.c.callbacks; cb != nil {
		owner, until, err := cb.Owner(ctx, r.ContactID)
		if err != nil {
			return fmt.Errorf("contact %d: %w: %w", r.ContactID, dialer.ErrNotSent, err)
		}
		if owner != 0 && time.Now().Before(until) {
			req.AgentID = owner
		}
	}
	start := p.c.progressive
	if pc := p.c.cfg.Pacer; pc != nil && req.AgentID == 0 && pc.Predictive(ctx, r.BrandID, r.CampaignID) {
		start = p.c.predictive // no agent reserved: the pacer dialled ahead of the agents
	}
	run, err := start(p.c.base, req)
	if err != nil { // ErrNoAgent most of the time: nobody free yet
		return fmt.Errorf("contact %d: %w: %w", r.ContactID, dialer.ErrNotSent, err)
	}
	go func() {
		call := run()
		// An answered call's disposition comes later from the agent's wrap-up (disposed); the
		// dialer waits for it.
		err := p.outcomes.RecordCallOutcome(p.c.base, r.ContactID, string(call.Outcome), "", "telephony", time.Time{})
		switch {
		case errors.Is(err, dialer.ErrConflict): // the wrap-up was quicker and decided already
			p.c.log.Info("call outcome after the disposition", "contact", r.ContactID, "call", call.ID)
		case err != nil:
			p.c.log.Error("call outcome not handed to the dialer", "contact", r.ContactID, "call", call.ID, "err", err)
		}
	}()
	return nil
}

// disposed hands an agent's disposition on: to the dialer's attempt algorithm for a call
// of a dialer contact; for a hotline or ad-hoc preview call, callback_requested plans a
// callback at the time asked and wrong_number flags the phone for the brand's calls.
func (p *Placer) disposed(ctx context.Context, c Call, callbackAt time.Time) {
	log := p.c.log.With("call", c.ID, "disposition", c.Disposition)
	actor := "agent:" + strconv.FormatInt(c.AgentID, 10)
	if id, err := strconv.ParseInt(c.ContactRef, 10, 64); err == nil {
		err := p.outcomes.RecordCallOutcome(ctx, id, string(Answered), c.Disposition, actor, callbackAt)
		if err != nil {
			log.Warn("disposition not applied by the dialer", "contact", id, "err", err)
		}
		return
	}
	phone := c.To
	if c.Direction == Inbound {
		phone = c.From
	}
	if c.BrandID == 0 || e164(phone) == "" {
		return
	}
	switch c.Disposition {
	case DispWrongNumber:
		if err := p.outcomes.OptOut(ctx, c.BrandID, dialer.Call, e164(phone), "wrong_number"); err != nil {
			log.Warn("wrong number not flagged", "err", err)
		}
	case DispCallbackRequested:
		if p.c.callbacks == nil {
			return
		}
		at := callbackAt
		if at.IsZero() {
			at = time.Now()
		}
		if _, err := p.c.callbacks.Promise(ctx, Promise{BrandID: c.BrandID, ParcelID: c.ParcelID, Phone: e164(phone), Source: "disposition",
			CallID: c.ID, QueueID: c.QueueID, OwnerID: c.AgentID, At: at, Actor: actor}); err != nil {
			log.Warn("callback not planned", "err", err)
		}
	}
}
