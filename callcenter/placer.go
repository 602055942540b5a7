package callcenter

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wismo/wismo/dialer"
)

// OutcomeRecorder takes the end of a dialer's call attempt (dialer.Service implements it).
type OutcomeRecorder interface {
	RecordCallOutcome(ctx context.Context, contactID int64, outcome, disposition, actor string, callbackAt time.Time) error
}

// Placer places the dialer's progressive calls through the center (it implements
// dialer.CallPlacer): PlaceCall returns as soon as an agent is reserved and the call logged,
// and the attempt's outcome goes back to the dialer when the call ends. With no agent free
// the attempt is handed back (dialer.ErrNotSent) for a later try.
type Placer struct {
	c        *Center
	outcomes OutcomeRecorder
}

// NewPlacer returns the dialer's CallPlacer over c, reporting outcomes to outcomes.
func NewPlacer(c *Center, outcomes OutcomeRecorder) *Placer { return &Placer{c: c, outcomes: outcomes} }

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
	return out, nil
}

// PlaceCall implements dialer.CallPlacer.
func (p *Placer) PlaceCall(ctx context.Context, r dialer.CallRequest) error {
	req := OutboundRequest{BrandID: r.BrandID, ParcelID: r.ParcelID, To: r.To,
		CampaignRef: strconv.FormatInt(r.CampaignID, 10), ContactRef: strconv.FormatInt(r.ContactID, 10),
		ScriptID: r.ScriptID, ScriptVersion: r.ScriptVersion}
	run, err := p.c.progressive(p.c.base, req)
	if err != nil { // ErrNoAgent most of the time: nobody free yet
		return fmt.Errorf("contact %d: %w: %w", r.ContactID, dialer.ErrNotSent, err)
	}
	go func() {
		call := run()
		// The disposition comes later from the agent (PUT /api/v1/calls/{id}/disposition).
		if err := p.outcomes.RecordCallOutcome(p.c.base, r.ContactID, string(call.Outcome), "", "telephony", time.Time{}); err != nil {
			p.c.log.Error("call outcome not handed to the dialer", "contact", r.ContactID, "call", call.ID, "err", err)
		}
	}()
	return nil
}
