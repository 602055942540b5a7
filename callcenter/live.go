package callcenter

import (
	"sync"

	"github.com/wismo/wismo/telephony"
)

// LiveCall is a bridged call as monitoring and conferences see it (callcenter/monitor):
// third legs join it through Taps.
type LiveCall struct {
	ID, BrandID, AgentID int64
	Taps                 *telephony.Taps
}

// liveCalls are the bridged calls by id (LiveCall values).
type liveCalls struct{ m sync.Map }

// Live returns call id while it is bridged.
func (c *Center) Live(id int64) (LiveCall, bool) {
	l, ok := c.live.m.Load(id)
	if !ok {
		return LiveCall{}, false
	}
	return l.(LiveCall), true
}

// tap makes and publishes the call's taps for its talk phase (untap ends them). The row is
// written first: a hotline call's agent is then in the log while they talk (the live
// dashboard shows the call talking, with its Listen button).
func (r *run) tap() *telephony.Taps {
	r.saveCall()
	t := r.c.eng.NewTaps()
	r.c.live.m.Store(r.call.ID, LiveCall{ID: r.call.ID, BrandID: r.call.BrandID, AgentID: r.call.AgentID, Taps: t})
	return t
}

func (r *run) untap(t *telephony.Taps) {
	r.c.live.m.Delete(r.call.ID)
	t.Close()
}
