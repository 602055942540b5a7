// Package agentlog reads agents' state history (agent_state_log, migration 00037: a trigger
// appends every change of agent_states) as spans, and holds the one rule that ties a call to
// the agent's wrap-up after it. The queue's expected wait (callcenter/routing) and the
// contact-center figures (reports/ccmetrics) both use it.
//
// It owns no table.
package agentlog

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
)

// Span is a stretch of time an agent spent in one state: a row's state lasts until the
// agent's next row; the last row lasts until now.
type Span struct {
	State    string
	From, To time.Time
}

// WrapUpMatch is how far from the end of a call an agent's wrap-up may begin and still be that
// call's (the state change is written just after the call log's end).
const WrapUpMatch = 30 * time.Second

// WrapUp is the length of the wrap-up after a call that ended at end: the wrap_up span that
// began within WrapUpMatch of end; 0 when there is none. spans are one agent's, in time order.
func WrapUp(spans []Span, end time.Time) time.Duration {
	i := sort.Search(len(spans), func(i int) bool { return !spans[i].From.Before(end.Add(-WrapUpMatch)) })
	for ; i < len(spans) && !spans[i].From.After(end.Add(WrapUpMatch)); i++ {
		if s := spans[i]; s.State == "wrap_up" {
			return max(0, s.To.Sub(s.From))
		}
	}
	return 0
}

// Since reads the spans of agents that began at or after since, in one query, each agent's in
// time order; the last one of each ends at now.
func Since(ctx context.Context, db *store.DB, agents []int64, since, now time.Time) (map[int64][]Span, error) {
	out := map[int64][]Span{}
	if len(agents) == 0 {
		return out, nil
	}
	args := []any{since.UTC()}
	for _, a := range agents {
		args = append(args, a)
	}
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT user_id, state, since FROM agent_state_log
		WHERE since >= ? AND user_id IN (?`+strings.Repeat(",?", len(agents)-1)+`) ORDER BY user_id, since, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("agents' states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state string
		var at store.NullTime
		if err := rows.Scan(&id, &state, &at); err != nil {
			return nil, fmt.Errorf("agents' states: %w", err)
		}
		if s := out[id]; len(s) > 0 {
			s[len(s)-1].To = at.Time
		}
		out[id] = append(out[id], Span{State: state, From: at.Time})
	}
	for id, s := range out {
		s[len(s)-1].To = now
		out[id] = s
	}
	return out, rows.Err()
}
