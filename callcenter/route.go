package callcenter

import (
	"context"
	"time"
)

// Router chooses which of a brand's idle agents (longest idle first) a call is offered to now,
// and in what order (callcenter/routing: language and skill, docs/routing.md); it may only
// drop and reorder them. Queued hears of a hotline caller who starts waiting; leave is called
// (once or more) when they stop.
type Router interface {
	Route(ctx context.Context, o Offer, idle []Agent) []Agent
	Queued(o Offer) (leave func())
}

// Offer is a call looking for an agent. Language: the customer's when the caller knows it
// ("" : the router reads the parcel's); Since: when a hotline caller began to wait (zero: an
// outbound call, whose customer waits for no language).
type Offer struct {
	Call     Call
	Language string
	Since    time.Time
}

// UseRouter sets the router (before calls come); without one every idle agent is offered.
func (c *Center) UseRouter(r Router) { c.router = r }

// Ranked is o's brand's idle agents but skip in the order o is offered them (the router's).
func (c *Center) Ranked(ctx context.Context, o Offer, skip map[int64]bool) ([]Agent, error) {
	idle, err := c.Agents.Idle(ctx, o.Call.BrandID, skip)
	if err != nil || c.router == nil {
		return idle, err
	}
	return c.router.Route(ctx, o, idle), nil
}

func (c *Center) queued(o Offer) func() {
	if c.router == nil {
		return func() {}
	}
	return c.router.Queued(o)
}
