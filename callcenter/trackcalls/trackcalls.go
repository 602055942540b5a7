// Package trackcalls reads a parcel's calls for the public tracking page from the call log
// (the calls table of package callcenter): the brand's hotline calls and the calls its agents
// dialled by hand; and a caller's past calls for the agent's screen pop (Past).
package trackcalls

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
)

// Max bounds the calls the public tracking page reads for one parcel.
const Max = 200

// Call is a call about a parcel as the public tracking page shows it. Customer is the
// customer's raw number (or SIP user): the page masks it.
type Call struct {
	At          time.Time
	Direction   string
	Outcome     telephony.Outcome
	Disposition string
	Customer    string
}

// History returns the brand's calls about a parcel, oldest first, in one query over the
// call log. Calls the dialer placed for a contact (contact_ref set) are left out: the dialer's
// own history reports those attempts, so each attempt is shown once. What remains are inbound
// hotline calls and calls an agent dialled by hand.
func History(ctx context.Context, db *store.DB, brandID int64, parcelID string) ([]Call, error) {
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT started_at, direction, outcome, disposition, from_uri, to_uri
		FROM calls WHERE parcel_id = ? AND brand_id = ? AND contact_ref = '' ORDER BY started_at, id LIMIT ?`),
		parcelID, brandID, Max)
	if err != nil {
		return nil, fmt.Errorf("track calls of %s: %w", parcelID, err)
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		var c Call
		var at sql.NullTime
		var from, to string
		if err := rows.Scan(&at, &c.Direction, &c.Outcome, &c.Disposition, &from, &to); err != nil {
			return nil, fmt.Errorf("track calls of %s: %w", parcelID, err)
		}
		c.At = at.Time.UTC()
		c.Customer = URIUser(to)
		if c.Direction == "inbound" {
			c.Customer = URIUser(from)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// URIUser is the user part of a SIP URI ("sip:+79131234567@trunk;user=phone" -> "+79131234567").
func URIUser(uri string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(strings.Trim(uri, "<> "), "sips:"), "sip:")
	u, _, _ = strings.Cut(u, "@")
	u, _, _ = strings.Cut(u, ";")
	return u
}

// PastCall is a line of a screen pop's call history (the agent's desk).
type PastCall struct {
	ID          int64             `json:"id"`
	Direction   string            `json:"direction"`
	StartedAt   time.Time         `json:"started_at"`
	Outcome     telephony.Outcome `json:"outcome"`
	Disposition string            `json:"disposition,omitempty"`
	AgentID     int64             `json:"agent_id,omitempty"`
	EndedAt     *time.Time        `json:"ended_at,omitempty"`
}

// Past lists the latest limit calls with phone, or about parcel, that scope may see, newest
// first, leaving out the call except (the ringing one).
func Past(ctx context.Context, db *store.DB, scope access.Scope, phone, parcel string, except int64, limit int) ([]PastCall, error) {
	out := []PastCall{}
	where, args := scope.SQL("brand_id", "", "")
	q := `SELECT id, direction, started_at, outcome, disposition, agent_id, ended_at FROM calls WHERE (` + where + `) AND id <> ?`
	args = append(args, except)
	switch {
	case parcel != "":
		q += ` AND (from_uri = ? OR to_uri = ? OR parcel_id = ?)`
		args = append(args, phone, phone, parcel)
	case phone != "":
		q += ` AND (from_uri = ? OR to_uri = ?)`
		args = append(args, phone, phone)
	default:
		return out, nil
	}
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(q+` ORDER BY started_at DESC, id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return out, fmt.Errorf("past calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c PastCall
		var started, ended sql.NullTime
		var agent sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Direction, &started, &c.Outcome, &c.Disposition, &agent, &ended); err != nil {
			return out, fmt.Errorf("past calls: %w", err)
		}
		c.StartedAt, c.AgentID = started.Time.UTC(), agent.Int64
		if ended.Valid {
			t := ended.Time.UTC()
			c.EndedAt = &t
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
