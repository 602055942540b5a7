package ccmetrics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
)

// What became of a hotline call (docs/contact-center-metrics.md, "Hotline calls").
type fate int

const (
	fateNone      fate = iota // not a hotline call, or not offered to the queue
	fateWaiting               // in the queue now: counted once it ends or an agent answers
	fateFailed                // never answered by wismo (the caller gave up while it rang)
	fateClosed                // after hours: the closed message and a callback, never queued
	fateDeflected             // resolved by the self-service: heard the status, no agent
	fateAnswered              // an agent answered
	fateAbandoned             // the caller hung up in the queue
	fateTimedOut              // wismo ended it without an agent (maximum wait, press 1 for a callback)
)

// FCR states of an answered contact about a parcel.
type fcrState int

const (
	fcrNone     fcrState = iota // not a first-contact candidate (no agent, no parcel, not ended)
	fcrResolved                 // no repeat contact within FCRWindow
	fcrRepeat                   // a repeat contact within FCRWindow
	fcrPending                  // the window has not closed yet
)

// fact is one call of the period, classified once.
type fact struct {
	ID                        int64
	Brand, Queue, Agent       int64
	BrandName, QueueName      string
	AgentEmail                string
	Direction, Mode, Parcel   string
	Outcome, Disposition      string
	Started                   time.Time
	Answered, Ended           *time.Time // the call's (for a hotline call: when wismo answered)
	Queued                    *time.Time // a hotline caller entered the queue (after the self-service; 00042)
	AgentAnswered, AgentEnded *time.Time // the answering agent's leg
	RecordingID               int64
	fate                      fate
	SLSeconds                 int
	SLTarget                  float64
	WaitS                     float64 // queue entry to the agent's answer (fateAnswered), or to leaving the queue
	handled                   bool    // an agent talked to the customer and the call ended
	TalkS, HoldS, WrapS       float64
	fcr                       fcrState
	transfers                 int // completed transfers of this call (by anyone)
}

// offered: the call reached the queue (answered, abandoned or timed out there).
func (f *fact) offered() bool {
	return f.fate == fateAnswered || f.fate == fateAbandoned || f.fate == fateTimedOut
}

// inSL: answered within the call's service-level threshold.
func (f *fact) inSL() bool { return f.fate == fateAnswered && f.WaitS <= float64(f.SLSeconds) }

// loadFacts reads and classifies the calls of q's period in q's scope (oldest first).
func (m *Metrics) loadFacts(ctx context.Context, q Query) ([]*fact, error) {
	where, args := q.Scope.SQL("c.brand_id", "", "")
	rows, err := m.db.SQL.QueryContext(ctx, m.db.Rebind(`SELECT c.id, COALESCE(c.brand_id, 0), COALESCE(b.name, ''),
		COALESCE(c.queue_id, 0), COALESCE(hq.name, ''), COALESCE(c.agent_id, 0), COALESCE(u.email, ''),
		c.direction, c.mode, c.parcel_id, c.outcome, c.hangup_side, c.disposition, c.ivr_answer, COALESCE(c.recording_id, 0),
		c.started_at, c.answered_at, c.ended_at, c.queued_at, c.hold_ms,
		(SELECT MIN(l.answered_at) FROM call_legs l WHERE l.call_id = c.id AND l.kind = 'agent' AND l.agent_id = c.agent_id),
		(SELECT MAX(l.ended_at) FROM call_legs l WHERE l.call_id = c.id AND l.kind = 'agent' AND l.agent_id = c.agent_id),
		(SELECT COUNT(*) FROM callback_requests r WHERE r.call_id = c.id AND r.reason = 'after_hours'),
		(SELECT COUNT(*) FROM call_transfers t WHERE t.call_id = c.id AND t.outcome = 'completed')
		FROM calls c LEFT JOIN brands b ON b.id = c.brand_id LEFT JOIN hotline_queues hq ON hq.id = c.queue_id
		LEFT JOIN users u ON u.id = c.agent_id
		WHERE `+where+` AND c.started_at >= ? AND c.started_at < ? ORDER BY c.started_at, c.id LIMIT ?`),
		append(args, q.From, q.To, MaxCalls+1)...)
	if err != nil {
		return nil, fmt.Errorf("contact-center calls: %w", err)
	}
	defer rows.Close()
	var out []*fact
	for rows.Next() {
		f := &fact{}
		var hangup, ivr string
		var started, answered, ended, queued, agAns, agEnd store.NullTime
		var afterHours int
		var holdMS int64
		if err := rows.Scan(&f.ID, &f.Brand, &f.BrandName, &f.Queue, &f.QueueName, &f.Agent, &f.AgentEmail,
			&f.Direction, &f.Mode, &f.Parcel, &f.Outcome, &hangup, &f.Disposition, &ivr, &f.RecordingID,
			&started, &answered, &ended, &queued, &holdMS, &agAns, &agEnd, &afterHours, &f.transfers); err != nil {
			return nil, fmt.Errorf("contact-center calls: %w", err)
		}
		f.Started, f.Answered, f.Ended, f.AgentAnswered, f.AgentEnded = started.Time, ptr(answered), ptr(ended), ptr(agAns), ptr(agEnd)
		f.Queued, f.HoldS = ptr(queued), float64(holdMS)/1000
		f.classify(hangup, ivr, afterHours > 0)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contact-center calls: %w", err)
	}
	if len(out) > MaxCalls {
		return nil, ErrTooManyCalls
	}
	return out, nil
}

func ptr(t store.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// Deflected reports the self-service's record of a call resolved without an agent: the caller
// heard the parcel's status (ivr_answer status) or chose a delivery day (day:...), and no agent
// answered (docs/ivr.md "Deflection"); or a disposition self_service.
func deflected(ivr, disposition string) bool {
	return ivr == "status" || strings.HasPrefix(ivr, "day:") || disposition == "self_service"
}

// classify decides the call's fate in the queue and whether an agent handled it.
func (f *fact) classify(hangup, ivr string, afterHours bool) {
	agentTalked := f.Agent != 0 && f.AgentAnswered != nil
	if f.Direction == "inbound" && f.Mode == "hotline" {
		switch {
		case agentTalked:
			f.fate = fateAnswered
			f.WaitS = max(0, f.AgentAnswered.Sub(f.queueEntry()).Seconds())
		case f.Ended == nil:
			f.fate = fateWaiting
		case f.Answered == nil || f.Outcome == "failed":
			f.fate = fateFailed
		case afterHours:
			f.fate = fateClosed
		case deflected(ivr, f.Disposition):
			f.fate = fateDeflected
		case f.Queued == nil && f.Outcome == "answered":
			f.fate = fateNone // hung up in the self-service menu: never queued, so no queue abandon
		case f.Outcome == "abandoned" && hangup == "customer":
			f.fate = fateAbandoned
		default:
			f.fate = fateTimedOut
		}
		if f.fate == fateAbandoned || f.fate == fateTimedOut {
			f.WaitS = max(0, f.Ended.Sub(f.queueEntry()).Seconds()) // time in the queue before leaving it
		}
	}
	// Handled: an agent talked to the customer, and the call is over (talk time known).
	if agentTalked && f.Answered != nil && (f.AgentEnded != nil || f.Ended != nil) {
		start := *f.Answered
		if f.AgentAnswered.After(start) {
			start = *f.AgentAnswered
		}
		end := f.Ended
		if f.AgentEnded != nil {
			end = f.AgentEnded
		}
		f.handled = true
		f.TalkS = max(0, end.Sub(start).Seconds()-f.HoldS) // talk excludes the customer's hold
	} else {
		f.HoldS = 0 // only handled calls' hold is counted
	}
}

// queueEntry is when a hotline caller entered the queue: calls.queued_at, written by call
// control since 00042; for older calls, when wismo answered (the self-service menu included).
func (f *fact) queueEntry() time.Time {
	switch {
	case f.Queued != nil:
		return *f.Queued
	case f.Answered != nil:
		return *f.Answered
	}
	return f.Started
}

// talkEnd is when the agent stopped talking to the customer (wrap-up starts then).
func (f *fact) talkEnd() time.Time {
	if f.AgentEnded != nil {
		return *f.AgentEnded
	}
	return *f.Ended
}
