package callcenter

import (
	"sync"

	"github.com/wismo/wismo/telephony"
)

// LiveCall is a call whose customer and agent are bridged, as monitoring and conferences
// see it (callcenter/monitor): third legs join it through Taps.
type LiveCall struct {
	ID, BrandID, AgentID int64
	Taps                 *telephony.Taps
}

// liveCalls are the bridged calls by id.
type liveCalls struct {
	mu sync.Mutex
	m  map[int64]LiveCall
}

// Live returns call id while it is bridged.
func (c *Center) Live(id int64) (LiveCall, bool) {
	c.live.mu.Lock()
	defer c.live.mu.Unlock()
	l, ok := c.live.m[id]
	return l, ok
}

// tap makes the taps of call r for the talk phase and publishes them; untap ends them. The
// call's row is written as it stands first: a hotline call's agent is then in the log while
// they talk (the live dashboard shows the call talking, with its Listen button).
func (r *run) tap() *telephony.Taps {
	r.saveCall()
	t := r.c.eng.NewTaps()
	r.c.live.mu.Lock()
	defer r.c.live.mu.Unlock()
	if r.c.live.m == nil {
		r.c.live.m = map[int64]LiveCall{}
	}
	r.c.live.m[r.call.ID] = LiveCall{ID: r.call.ID, BrandID: r.call.BrandID, AgentID: r.call.AgentID, Taps: t}
	return t
}

func (r *run) untap(t *telephony.Taps) {
	r.c.live.mu.Lock()
	delete(r.c.live.m, r.call.ID)
	r.c.live.mu.Unlock()
	t.Close()
}
