package floor

import (
	"context"
	"sort"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/store"
)

// The agents' state history of the call history's past days (agent_state_log, which the
// contact-center report's occupancy and wrap-up read: reports/ccmetrics). Live agents write it
// through agent_states' triggers; the demo's past calls were written straight into the call
// log, so the demo writes the states those calls imply.
const (
	shiftGap   = 2 * time.Hour    // a longer gap between calls ends the shift (offline)
	lunchGap   = 45 * time.Minute // a longer gap within a shift has a break (paused)
	signIn     = 20 * time.Minute // available before a shift's first call
	signOut    = 15 * time.Minute // available after a shift's last wrap-up
	demoWrapUp = 40 * time.Second // after each call, unless the next one came sooner
)

type span struct{ from, to time.Time }

type stateRow struct {
	state string
	since time.Time
}

// stateHistory writes, for each agent whose answered legs ended before before (today's start:
// today's states are the live ones), their day as shifts around those calls: available from
// signIn before the first call, on_call through each call, wrap_up after it, available again,
// paused on a long gap, offline after the last. An agent who has history before before
// already keeps it (the demo loaded twice).
func stateHistory(ctx context.Context, d demo.WorkspaceDeps, before time.Time, sum *Summary) error {
	rows, err := d.DB.SQL.QueryContext(ctx, d.DB.Rebind(`SELECT l.agent_id, l.answered_at, l.ended_at FROM call_legs l
		WHERE l.kind = ? AND l.agent_id IS NOT NULL AND l.answered_at IS NOT NULL AND l.ended_at < ?
		AND NOT EXISTS (SELECT 1 FROM agent_state_log s WHERE s.user_id = l.agent_id AND s.since < ?)
		ORDER BY l.agent_id, l.answered_at`), callcenter.LegAgent, before, before)
	if err != nil {
		return err
	}
	legs := map[int64][]span{}
	var order []int64
	for rows.Next() {
		var id int64
		var from, to store.NullTime
		if err := rows.Scan(&id, &from, &to); err != nil {
			rows.Close()
			return err
		}
		if !from.Valid || !to.Valid || !to.Time.After(from.Time) {
			continue
		}
		if legs[id] == nil {
			order = append(order, id)
		}
		legs[id] = append(legs[id], span{from.Time.UTC(), to.Time.UTC()})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range order {
		for _, r := range shifts(legs[id], before) {
			if _, err := d.DB.SQL.ExecContext(ctx, d.DB.Rebind(`INSERT INTO agent_state_log (user_id, state, since) VALUES (?, ?, ?)`),
				id, r.state, r.since); err != nil {
				return err
			}
			sum.StateChanges++
		}
	}
	return nil
}

// shifts is the state changes of an agent whose calls are calls (any order, may overlap: a
// conference), every change before before.
func shifts(calls []span, before time.Time) []stateRow {
	sort.Slice(calls, func(i, j int) bool { return calls[i].from.Before(calls[j].from) })
	var merged []span
	for _, c := range calls {
		if n := len(merged); n > 0 && !c.from.After(merged[n-1].to) {
			merged[n-1].to = maxTime(merged[n-1].to, c.to)
			continue
		}
		merged = append(merged, c)
	}
	var out []stateRow
	add := func(state string, at time.Time) {
		if at.Before(before) {
			out = append(out, stateRow{state, at})
		}
	}
	for i, c := range merged {
		if i == 0 || c.from.Sub(merged[i-1].to) > shiftGap {
			add(string(callcenter.Available), c.from.Add(-signIn))
		}
		add(string(callcenter.OnCall), c.from)
		add(string(callcenter.WrapUp), c.to)
		free := c.to.Add(demoWrapUp)
		last := i == len(merged)-1 || merged[i+1].from.Sub(c.to) > shiftGap
		if !last && !free.Before(merged[i+1].from) {
			continue // the next call came during the wrap-up
		}
		add(string(callcenter.Available), free)
		switch {
		case last:
			add(string(callcenter.Offline), free.Add(signOut))
		case merged[i+1].from.Sub(free) > lunchGap:
			add(string(callcenter.Paused), free.Add(10*time.Minute))
			add(string(callcenter.Available), merged[i+1].from.Add(-10*time.Minute))
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
