package ccmetrics

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/callcenter/agentlog"
	"github.com/wismo/wismo/store"
)

// Agents' time, from agent_state_log (migration 00037: a trigger appends every change of
// agent_states). A row's state lasts until the agent's next row; the last row lasts until now.

// stateSpan is a stretch of time an agent spent in one state.
type stateSpan = agentlog.Span

// agentTime is one agent's states over the period, and the brands the agent serves.
type agentTime struct {
	ID     int64
	Email  string
	Brands []int64
	Names  []string    // the brands' names
	Spans  []stateSpan // in time order, not clipped to the period
}

// busyStates count as working on contacts for occupancy; staffed adds the time available
// (waiting for a call) and ringing. paused and offline are neither.
var (
	busyStates    = map[string]bool{"on_call": true, "wrap_up": true}
	staffedStates = map[string]bool{"available": true, "ringing": true, "on_call": true, "wrap_up": true}
)

// loadAgentTime reads the state history of the scope's agents that overlaps [from, to), with
// the last change before from (the state the agent was in when the period began).
func (m *Metrics) loadAgentTime(ctx context.Context, q Query, now time.Time) (map[int64]*agentTime, error) {
	ub, ubArgs := q.Scope.SQL("ub.brand_id", "", "")
	agents := map[int64]*agentTime{}
	rows, err := m.db.SQL.QueryContext(ctx, m.db.Rebind(`SELECT ub.user_id, u.email, ub.brand_id, b.name FROM user_brands ub
		JOIN users u ON u.id = ub.user_id JOIN brands b ON b.id = ub.brand_id WHERE `+ub+` AND EXISTS (SELECT 1 FROM agent_state_log l WHERE l.user_id = ub.user_id)
		ORDER BY ub.user_id, ub.brand_id`), ubArgs...)
	if err != nil {
		return nil, fmt.Errorf("agents' states: %w", err)
	}
	for rows.Next() {
		var id, brand int64
		var email, name string
		if err := rows.Scan(&id, &email, &brand, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("agents' states: %w", err)
		}
		if agents[id] == nil {
			agents[id] = &agentTime{ID: id, Email: email}
		}
		agents[id].Brands = append(agents[id].Brands, brand)
		agents[id].Names = append(agents[id].Names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agents' states: %w", err)
	}
	rows, err = m.db.SQL.QueryContext(ctx, m.db.Rebind(`SELECT l.user_id, l.state, l.since FROM agent_state_log l
		WHERE EXISTS (SELECT 1 FROM user_brands ub WHERE ub.user_id = l.user_id AND `+ub+`) AND l.since < ? AND l.since >= COALESCE((SELECT MAX(p.since) FROM agent_state_log p WHERE p.user_id = l.user_id AND p.since <= ?), ?)
		ORDER BY l.user_id, l.since, l.id`), append(ubArgs, q.To, q.From, q.From)...)
	if err != nil {
		return nil, fmt.Errorf("agents' states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state string
		var since store.NullTime
		if err := rows.Scan(&id, &state, &since); err != nil {
			return nil, fmt.Errorf("agents' states: %w", err)
		}
		a := agents[id]
		if a == nil {
			continue
		}
		if n := len(a.Spans); n > 0 {
			a.Spans[n-1].To = since.Time
		}
		a.Spans = append(a.Spans, stateSpan{State: state, From: since.Time})
	}
	for _, a := range agents {
		if n := len(a.Spans); n > 0 {
			a.Spans[n-1].To = now
		}
	}
	return agents, rows.Err()
}

// wrapUp is the length in seconds of the agent's wrap-up after a call that ended at end
// (agentlog.WrapUp: the one rule, shared with the queue's expected wait).
func (a *agentTime) wrapUp(end time.Time) float64 { return agentlog.WrapUp(a.Spans, end).Seconds() }

// clip cuts the spans to [from, to) and hands each piece to add.
func (a *agentTime) clip(from, to time.Time, add func(s stateSpan)) {
	for _, s := range a.Spans {
		if s.From.Before(from) {
			s.From = from
		}
		if s.To.After(to) {
			s.To = to
		}
		if s.To.After(s.From) {
			add(s)
		}
	}
}

// hourPieces splits a span at the hour boundaries of loc.
func hourPieces(s stateSpan, loc *time.Location, add func(hour time.Time, s stateSpan)) {
	for i := 0; s.From.Before(s.To) && i < 24*366; i++ {
		h := hourOf(s.From, loc)
		next := h.Add(time.Hour)
		piece := s
		if piece.To.After(next) {
			piece.To = next
		}
		add(h, piece)
		s.From = next
	}
}

// hourOf is the start of t's hour in loc.
func hourOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, loc)
}
