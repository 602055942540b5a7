package routing

import (
	"context"
	"slices"
	"time"

	"github.com/wismo/wismo/callcenter/agentlog"
)

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
// queue answered none in the window. The wrap-ups are read in one query (agentlog).
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
	var agents []int64
	earliest := now
	for rows.Next() {
		var l leg
		if rows.Scan(&l.agent, &l.a, &l.e) == nil && l.e.After(l.a) {
			legs = append(legs, l)
			if l.agent != 0 && !slices.Contains(agents, l.agent) {
				agents = append(agents, l.agent)
			}
			if l.e.Before(earliest) {
				earliest = l.e
			}
		}
	}
	rows.Close()
	if len(legs) == 0 {
		return 0, false
	}
	spans, err := agentlog.Since(ctx, s.db, agents, earliest.Add(-agentlog.WrapUpMatch), now)
	if err != nil {
		spans = nil // talk alone: an estimate still
	}
	var total time.Duration
	for _, l := range legs {
		total += l.e.Sub(l.a) + agentlog.WrapUp(spans[l.agent], l.e)
	}
	return total / time.Duration(len(legs)), true
}
