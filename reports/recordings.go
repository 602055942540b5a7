package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// MaxRecordings bounds the recordings list.
const MaxRecordings = 50

// Recording is one finished recording of a call, with what the list shows of the call.
type Recording struct {
	ID                   int64
	StartedAt            time.Time
	DurationMS           int64
	Direction, ParcelID  string
	Outcome, Disposition string
	Agent                string   // the agent's email; "" when no agent took the call
	Cases                []string // the numbers of the cases the call is linked to (call_cases)
	callID               int64
}

// Recordings lists the finished recordings of the scope's calls started in [from, to), newest first.
func (d *Dashboard) Recordings(ctx context.Context, scope access.Scope, from, to time.Time) ([]Recording, error) {
	where, args := scope.SQL("r.brand_id", "", "")
	rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT r.id, r.call_id, r.started_at, r.duration_ms, c.direction, c.parcel_id,
		c.outcome, c.disposition, COALESCE(u.email, '')
		FROM recordings r JOIN calls c ON c.id = r.call_id LEFT JOIN users u ON u.id = c.agent_id
		WHERE r.finished_at IS NOT NULL AND r.started_at >= ? AND r.started_at < ? AND `+where+`
		ORDER BY r.started_at DESC, r.id DESC LIMIT ?`), append(append([]any{from, to}, args...), MaxRecordings)...)
	if err != nil {
		return nil, fmt.Errorf("dashboard recordings: %w", err)
	}
	defer rows.Close()
	var out []Recording
	for rows.Next() {
		var r Recording
		var started store.NullTime
		if err := rows.Scan(&r.ID, &r.callID, &started, &r.DurationMS, &r.Direction, &r.ParcelID, &r.Outcome, &r.Disposition, &r.Agent); err != nil {
			return nil, fmt.Errorf("dashboard recordings: %w", err)
		}
		r.StartedAt = started.Time
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, d.recordingCases(ctx, scope, out)
}

// recordingCases fills in the cases each recording's call is linked to, in the scope.
func (d *Dashboard) recordingCases(ctx context.Context, scope access.Scope, recs []Recording) error {
	if len(recs) == 0 {
		return nil
	}
	ids := make([]any, len(recs))
	at := map[int64][]int{}
	for i, r := range recs {
		ids[i] = r.callID
		at[r.callID] = append(at[r.callID], i)
	}
	where, args := scope.SQL("k.brand_id", "", "")
	rows, err := d.db.SQL.QueryContext(ctx, d.db.Rebind(`SELECT k.call_id, c.number FROM call_cases k JOIN cases c ON c.id = k.case_id
		WHERE k.call_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) AND `+where+` ORDER BY k.created_at, c.id`), append(ids, args...)...)
	if err != nil {
		return fmt.Errorf("dashboard recordings' cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var call int64
		var number string
		if err := rows.Scan(&call, &number); err != nil {
			return fmt.Errorf("dashboard recordings' cases: %w", err)
		}
		for _, i := range at[call] {
			recs[i].Cases = append(recs[i].Cases, number)
		}
	}
	return rows.Err()
}
