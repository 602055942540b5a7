package ccmetrics

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/input"
)

// transfer is a completed transfer of a call of the period, credited to the agent who made it.
type transfer struct {
	call      *fact
	from      int64
	fromEmail string
}

// classified reads the period's calls and classifies them: fates, targets, wrap-up, FCR; and
// the completed transfers of those calls, and the agents' time.
func (m *Metrics) classified(ctx context.Context, q Query) ([]*fact, []transfer, map[int64]*agentTime, error) {
	now := m.now()
	facts, err := m.loadFacts(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	tg, err := m.targets(ctx, q.Scope)
	if err != nil {
		return nil, nil, nil, err
	}
	// Agents' time reaches past the period's end by the wrap-up of its last calls.
	wq := q
	wq.To = q.To.Add(time.Hour)
	agents, err := m.loadAgentTime(ctx, wq, now)
	if err != nil {
		return nil, nil, nil, err
	}
	byID := make(map[int64]*fact, len(facts))
	for _, f := range facts {
		byID[f.ID] = f
		f.SLSeconds, f.SLTarget = tg.of(f.Brand, f.Queue)
		if a := agents[f.Agent]; a != nil && f.handled {
			f.WrapS = a.wrapUp(f.talkEnd())
		}
	}
	if err := m.markFCR(ctx, q, facts, now); err != nil {
		return nil, nil, nil, err
	}
	tr, err := m.transfers(ctx, q, byID)
	return facts, tr, agents, err
}

// transfers reads the completed transfers of the period's calls.
func (m *Metrics) transfers(ctx context.Context, q Query, calls map[int64]*fact) ([]transfer, error) {
	where, args := q.Scope.SQL("c.brand_id", "", "")
	rows, err := m.db.SQL.QueryContext(ctx, m.db.Rebind(`SELECT t.call_id, COALESCE(t.from_agent_id, 0), COALESCE(u.email, '')
		FROM call_transfers t JOIN calls c ON c.id = t.call_id LEFT JOIN users u ON u.id = t.from_agent_id
		WHERE `+where+` AND t.outcome = 'completed' AND c.started_at >= ? AND c.started_at < ? ORDER BY t.id`), append(args, q.From, q.To)...)
	if err != nil {
		return nil, fmt.Errorf("transfers: %w", err)
	}
	defer rows.Close()
	var out []transfer
	for rows.Next() {
		var id int64
		var t transfer
		if err := rows.Scan(&id, &t.from, &t.fromEmail); err != nil {
			return nil, fmt.Errorf("transfers: %w", err)
		}
		if t.call = calls[id]; t.call != nil {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// Figure names a count a drill-down lists the calls of.
type Figure string

// The figures with calls behind them.
const (
	FigHotline   Figure = "hotline_calls"
	FigOffered   Figure = "offered"
	FigAnswered  Figure = "answered"
	FigInSL      Figure = "answered_in_sl"
	FigOutsideSL Figure = "answered_outside_sl"
	FigAbandoned Figure = "abandoned"
	FigTimedOut  Figure = "timed_out"
	FigDeflected Figure = "deflected"
	FigClosed    Figure = "closed"
	FigHandled   Figure = "handled"
	FigTransfers Figure = "transfers"
	FigFCRResolv Figure = "fcr_resolved"
	FigFCRRepeat Figure = "fcr_repeat"
	FigFCRPend   Figure = "fcr_pending"
)

// Figures are the figures a drill-down accepts.
var FiguresWithCalls = []Figure{FigHotline, FigOffered, FigAnswered, FigInSL, FigOutsideSL, FigAbandoned, FigTimedOut,
	FigDeflected, FigClosed, FigHandled, FigTransfers, FigFCRResolv, FigFCRRepeat, FigFCRPend}

// Call is one call behind a figure.
type Call struct {
	ID          int64     `json:"id"`
	StartedAt   time.Time `json:"started_at"`
	Direction   string    `json:"direction"`
	Mode        string    `json:"mode"`
	BrandID     int64     `json:"brand_id"`
	Brand       string    `json:"brand"`
	Queue       string    `json:"queue"`
	Agent       string    `json:"agent"`
	Parcel      string    `json:"parcel"`
	Outcome     string    `json:"outcome"`
	WaitS       float64   `json:"wait_s"`
	TalkS       float64   `json:"talk_s"`
	WrapS       float64   `json:"wrap_s"`
	RecordingID int64     `json:"recording_id,omitempty"`
}

// MaxDrillCalls bounds the calls one drill-down lists.
const MaxDrillCalls = 1000

// Calls lists the calls that figure counted in the group key of q ("" for the total),
// oldest first, at most MaxDrillCalls, and how many there are in all.
func (m *Metrics) Calls(ctx context.Context, q Query, key string, figure Figure) ([]Call, int, error) {
	if _, fe := input.OneOf("figure", string(figure), FiguresWithCalls); fe != nil {
		return nil, 0, input.Invalid(fe)
	}
	facts, tr, _, err := m.classified(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := []Call{}
	n := 0
	add := func(f *fact) {
		n++
		if len(out) < MaxDrillCalls {
			out = append(out, f.call())
		}
	}
	if figure == FigTransfers {
		seen := map[int64]bool{}
		for _, t := range tr {
			if k, _ := q.keyOf(t.call, t.from, t.fromEmail); (key == "" || k == key) && !seen[t.call.ID] {
				seen[t.call.ID] = true
				add(t.call)
			}
		}
		return out, n, nil
	}
	for _, f := range facts {
		if k, _ := q.keyOf(f, f.Agent, f.AgentEmail); (key == "" || k == key) && f.counts(figure) {
			add(f)
		}
	}
	return out, n, nil
}

// counts reports whether figure counted the call (the same tests as Figures.addCall).
func (f *fact) counts(figure Figure) bool {
	switch figure {
	case FigHotline:
		return f.Direction == "inbound" && f.Mode == "hotline"
	case FigOffered:
		return f.offered()
	case FigAnswered:
		return f.fate == fateAnswered
	case FigInSL:
		return f.inSL()
	case FigOutsideSL:
		return f.fate == fateAnswered && !f.inSL()
	case FigAbandoned:
		return f.fate == fateAbandoned
	case FigTimedOut:
		return f.fate == fateTimedOut
	case FigDeflected:
		return f.fate == fateDeflected
	case FigClosed:
		return f.fate == fateClosed
	case FigHandled:
		return f.handled
	case FigFCRResolv:
		return f.fcr == fcrResolved
	case FigFCRRepeat:
		return f.fcr == fcrRepeat
	case FigFCRPend:
		return f.fcr == fcrPending
	}
	return false
}

func (f *fact) call() Call {
	return Call{ID: f.ID, StartedAt: f.Started, Direction: f.Direction, Mode: f.Mode, BrandID: f.Brand, Brand: f.BrandName,
		Queue: f.QueueName, Agent: f.AgentEmail, Parcel: f.Parcel, Outcome: f.Outcome, WaitS: f.WaitS, TalkS: f.TalkS,
		WrapS: f.WrapS, RecordingID: f.RecordingID}
}
