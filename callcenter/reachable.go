package callcenter

import "context"

// Reachable reports whether an available agent of any brand could be rung now: one with a
// registered SIP phone or an open desk page. The demo carrier calls the hotline only then,
// so that a demo call is not left to wait in an empty queue.
func (c *Center) Reachable(ctx context.Context) (bool, error) {
	idle, err := c.Agents.Idle(ctx, 0, nil)
	if err != nil {
		return false, err
	}
	for _, ag := range idle {
		if _, ok := c.locate(ag); ok {
			return true, nil
		}
	}
	return false, nil
}
