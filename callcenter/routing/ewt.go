package routing

import (
	"context"
	"time"

	"github.com/wismo/wismo/store"
)

// wrapUpMatch is how far from the end of a call an agent's wrap-up may begin and still be that
// call's (the state change is written just after the call log's end); reports/ccmetrics
// matches a call to its wrap-up the same way.
const wrapUpMatch = 30 * time.Second

// expectedWait is a caller's expected wait in whole minutes (rounded up), 0 when unknown:
// position × the average handle time of the queue's last answered calls (at most 20, within 7
// days) ÷ the brand's agents serving now (signed in, not paused; at least 1). A call's handle
// time is its agent leg's talk (answer to end) plus the agent's wrap-up after it: the agent
// takes no next caller before the wrap-up ends.
func (s *Service) expectedWait(ctx context.Context, queue, brand int64, pos int, now time.Time) int {
	aht, ok := s.handleTime(ctx, queue, now)
	if !ok {
		return 0
	}
	q := `SELECT COUNT(*) FROM agent_states s JOIN users u ON u.id = s.user_id
		WHERE s.state IN ('available','ringing','on_call','wrap_up') AND u.disabled_at IS NULL`
	var args []any
	if brand != 0 {
		q += ` AND EXISTS (SELECT 1 FROM user_brands b WHERE b.user_id = u.id AND b.brand_id = ?)`
		args = append(args, brand)
	}
	var serving int
	if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(q), args...).Scan(&serving); err != nil {
		return 0
	}
	wait := time.Duration(pos) * aht / time.Duration(max(serving, 1))
	return int((wait + time.Minute - 1) / time.Minute)
}

// handleTime is the average talk + wrap-up of the queue's last answered calls; false when the
// queue answered none in the window.
func (s *Service) handleTime(ctx context.Context, queue int64, now time.Time) (time.Duration, bool) {
	type leg struct {
		agent int64
		a, e  time.Time
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT COALESCE(l.agent_id, 0), l.answered_at, l.ended_at FROM call_legs l JOIN calls c ON c.id = l.call_id
		WHERE c.queue_id = ? AND l.kind = 'agent' AND l.answered_at IS NOT NULL AND l.ended_at IS NOT NULL AND c.started_at >= ?
		ORDER BY c.id DESC LIMIT ?`), queue, now.Add(-recentWindow).UTC(), recentCalls)
	if err != nil {
		return 0, false
	}
	var legs []leg
	for rows.Next() {
		var l leg
		if rows.Scan(&l.agent, &l.a, &l.e) == nil && l.e.After(l.a) {
			legs = append(legs, l)
		}
	}
	rows.Close()
	if len(legs) == 0 {
		return 0, false
	}
	var total time.Duration
	for _, l := range legs {
		total += l.e.Sub(l.a)
		if l.agent != 0 {
			total += s.wrapUp(ctx, l.agent, l.e, now)
		}
	}
	return total / time.Duration(len(legs)), true
}

// wrapUp is how long agent's wrap-up after a call that ended at end lasted: the wrap_up state
// of agent_state_log (migration 00037) that began within wrapUpMatch of end, until the agent's
// next state (until now if the agent is still in it); 0 when there is none.
func (s *Service) wrapUp(ctx context.Context, agent int64, end, now time.Time) time.Duration {
	const look = 8 // the call's last states, its wrap-up and the one after
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT state, since FROM agent_state_log
		WHERE user_id = ? AND since >= ? ORDER BY since, id LIMIT ?`), agent, end.Add(-wrapUpMatch).UTC(), look)
	if err != nil {
		return 0
	}
	type change struct {
		state string
		since time.Time
	}
	var log []change
	for rows.Next() {
		var c change
		var since store.NullTime
		if rows.Scan(&c.state, &since) == nil && since.Valid {
			c.since = since.Time
			log = append(log, c)
		}
	}
	rows.Close()
	for i, c := range log {
		if c.since.After(end.Add(wrapUpMatch)) {
			break
		}
		if c.state != "wrap_up" {
			continue
		}
		switch {
		case i+1 < len(log):
			return max(0, log[i+1].since.Sub(c.since))
		case len(log) < look: // still wrapping up
			return max(0, now.Sub(c.since))
		}
		return 0
	}
	return 0
}
