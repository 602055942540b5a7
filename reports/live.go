package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// The live part of the dashboard: agents and their states, hotline queues (waiting calls and
// the longest wait) and the calls in progress, read from the database (so every web node sees
// the same, whichever node runs telephony) and pushed to the page over Server-Sent Events.

// LiveSnapshot is one picture of the call center, as the page's script receives it.
type LiveSnapshot struct {
	At     string      `json:"at"`
	Agents []LiveAgent `json:"agents"`
	Queues []LiveQueue `json:"queues"`
	Calls  []LiveCall  `json:"calls"`
	// States counts agents per state, for the summary line.
	States map[string]int `json:"states"`
}

// LiveAgent is an agent and the state they are in.
type LiveAgent struct {
	ID     int64  `json:"id"`
	Email  string `json:"email"`
	State  string `json:"state"`
	Since  string `json:"since,omitempty"`
	ForSec int64  `json:"for_s"`
}

// LiveQueue is a hotline queue: callers waiting in it and the longest wait (from entering it).
type LiveQueue struct {
	Name         string `json:"name"`
	Waiting      int    `json:"waiting"`
	LongestWaitS int64  `json:"longest_wait_s"`
}

// LiveCall is a call in progress.
type LiveCall struct {
	ID        int64  `json:"id"`
	Direction string `json:"direction"`
	Mode      string `json:"mode"`
	Parcel    string `json:"parcel"`
	Agent     string `json:"agent"`
	State     string `json:"state"` // ringing, waiting (in a queue), talking
	StartedAt string `json:"started_at"`
	ForSec    int64  `json:"for_s"`
}

// transferQueued matches call_transfers t of calls c that wait in t's queue: a blind transfer
// to a queue with nobody free, not ended, whose agent is not known yet (docs/transfers.md).
const transferQueued = `t.call_id = c.id AND t.kind = 'blind' AND t.to_queue_id IS NOT NULL
	AND t.to_agent_id IS NULL AND t.ended_at IS NULL`

// Bounds of the live view.
const (
	liveMaxRows = 200
	liveCallAge = 12 * time.Hour // calls "in progress" for longer are leftovers of a crash
)

// Live reads the snapshot visible to scope.
func (d *Dashboard) Live(ctx context.Context, scope access.Scope) (LiveSnapshot, error) {
	now := d.now()
	snap := LiveSnapshot{At: now.Format(time.RFC3339), States: map[string]int{}, Agents: []LiveAgent{}, Queues: []LiveQueue{}, Calls: []LiveCall{}}
	// Agents: users who take calls (agents, and supervisors who have a state), of the scope's brands.
	ub, ubArgs := scope.SQL("ub.brand_id", "", "")
	rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT u.id, u.email, COALESCE(s.state, 'offline'), s.since
		FROM users u LEFT JOIN agent_states s ON s.user_id = u.id
		WHERE u.disabled_at IS NULL AND (u.role = 'agent' OR s.user_id IS NOT NULL)
		AND EXISTS (SELECT 1 FROM user_brands ub WHERE ub.user_id = u.id AND `+ub+`)
		ORDER BY u.email LIMIT ?`), append(ubArgs, liveMaxRows)...)
	if err != nil {
		return snap, fmt.Errorf("live agents: %w", err)
	}
	for rows.Next() {
		var a LiveAgent
		var since store.NullTime
		if err := rows.Scan(&a.ID, &a.Email, &a.State, &since); err != nil {
			rows.Close()
			return snap, fmt.Errorf("live agents: %w", err)
		}
		if since.Valid {
			a.Since, a.ForSec = since.Time.Format(time.RFC3339), int64(now.Sub(since.Time).Seconds())
		}
		snap.Agents = append(snap.Agents, a)
		snap.States[a.State]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, fmt.Errorf("live agents: %w", err)
	}

	// Queues: the scope's queues and the shared ones; only the scope's calls are counted.
	qb, qbArgs := scope.SQL("q.brand_id", "", "")
	cb, cbArgs := scope.SQL("c.brand_id", "", "")
	// A caller waits from entering the queue (calls.queued_at, 00042): callers still ringing,
	// hearing the recording notice or in the self-service menu are not waiting yet. A customer
	// a blind transfer put in a queue (docs/transfers.md) waits there from the transfer's start
	// until an agent answers (the transfer ends).
	since := now.Add(-liveCallAge)
	rows, err = d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT q.name, COUNT(w.call_id), MIN(w.since)
		FROM hotline_queues q LEFT JOIN (
			SELECT c.id AS call_id, c.queue_id AS queue_id, c.queued_at AS since FROM calls c
			WHERE c.ended_at IS NULL AND c.agent_id IS NULL AND c.queued_at IS NOT NULL AND c.started_at > ? AND `+cb+`
			UNION ALL
			SELECT c.id, t.to_queue_id, t.started_at FROM calls c JOIN call_transfers t ON `+transferQueued+`
			WHERE c.ended_at IS NULL AND c.started_at > ? AND `+cb+`) w ON w.queue_id = q.id
		WHERE (q.brand_id IS NULL OR `+qb+`)
		GROUP BY q.id, q.name ORDER BY q.name LIMIT ?`),
		append(append(append(append(append([]any{since}, cbArgs...), since), cbArgs...), qbArgs...), liveMaxRows)...)
	if err != nil {
		return snap, fmt.Errorf("live queues: %w", err)
	}
	for rows.Next() {
		var q LiveQueue
		var oldest store.NullTime
		if err := rows.Scan(&q.Name, &q.Waiting, &oldest); err != nil {
			rows.Close()
			return snap, fmt.Errorf("live queues: %w", err)
		}
		if oldest.Valid {
			q.LongestWaitS = max(0, int64(now.Sub(oldest.Time).Seconds()))
		}
		snap.Queues = append(snap.Queues, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, fmt.Errorf("live queues: %w", err)
	}

	// Calls in progress.
	rows, err = d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT c.id, c.direction, c.mode, c.parcel_id, COALESCE(u.email, ''),
		c.queue_id IS NOT NULL, c.answered_at IS NOT NULL, c.started_at,
		EXISTS (SELECT 1 FROM call_transfers t WHERE `+transferQueued+`)
		FROM calls c LEFT JOIN users u ON u.id = c.agent_id
		WHERE c.ended_at IS NULL AND c.started_at > ? AND `+cb+` ORDER BY c.started_at, c.id LIMIT ?`),
		append(append([]any{now.Add(-liveCallAge)}, cbArgs...), liveMaxRows)...)
	if err != nil {
		return snap, fmt.Errorf("live calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c LiveCall
		var queued, answered, transferred bool
		var started store.NullTime
		if err := rows.Scan(&c.ID, &c.Direction, &c.Mode, &c.Parcel, &c.Agent, &queued, &answered, &started, &transferred); err != nil {
			return snap, fmt.Errorf("live calls: %w", err)
		}
		switch {
		case transferred: // in the transfer's queue: the transferring agent has left the call
			c.State, c.Agent = "waiting", ""
		case queued && c.Agent == "":
			c.State = "waiting"
		case answered:
			c.State = "talking"
		default:
			c.State = "ringing"
		}
		if started.Valid {
			c.StartedAt, c.ForSec = started.Time.Format(time.RFC3339), max(0, int64(now.Sub(started.Time).Seconds()))
		}
		snap.Calls = append(snap.Calls, c)
	}
	return snap, rows.Err()
}
