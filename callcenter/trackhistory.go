package callcenter

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MaxTrackCalls bounds the calls the public tracking page reads for one parcel.
const MaxTrackCalls = 200

// TrackCall is a call about a parcel as the public tracking page shows it. Customer is the
// customer's raw number (or SIP user): the page masks it.
type TrackCall struct {
	At          time.Time
	Direction   string
	Outcome     Outcome
	Disposition string
	Customer    string
}

// TrackHistory returns the brand's calls about a parcel, oldest first, in one query over the
// call log. Calls the dialer placed for a contact (contact_ref set) are left out: the dialer's
// own history reports those attempts, so each attempt is shown once. What remains are inbound
// hotline calls and calls an agent dialled by hand.
func (l *CallLog) TrackHistory(ctx context.Context, brandID int64, parcelID string) ([]TrackCall, error) {
	rows, err := l.db.SQL.QueryContext(ctx, l.db.Rebind(`SELECT started_at, direction, outcome, disposition, from_uri, to_uri
		FROM calls WHERE parcel_id = ? AND brand_id = ? AND contact_ref = '' ORDER BY started_at, id LIMIT ?`),
		parcelID, brandID, MaxTrackCalls)
	if err != nil {
		return nil, fmt.Errorf("track calls of %s: %w", parcelID, err)
	}
	defer rows.Close()
	var out []TrackCall
	for rows.Next() {
		var c TrackCall
		var at sql.NullTime
		var from, to string
		if err := rows.Scan(&at, &c.Direction, &c.Outcome, &c.Disposition, &from, &to); err != nil {
			return nil, fmt.Errorf("track calls of %s: %w", parcelID, err)
		}
		c.At = at.Time.UTC()
		c.Customer = uriUser(to)
		if c.Direction == Inbound {
			c.Customer = uriUser(from)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// uriUser is the user part of a SIP URI ("sip:+79131234567@trunk;user=phone" -> "+79131234567").
func uriUser(uri string) string {
	u := strings.TrimPrefix(strings.TrimPrefix(strings.Trim(uri, "<> "), "sips:"), "sip:")
	u, _, _ = strings.Cut(u, "@")
	u, _, _ = strings.Cut(u, ";")
	return u
}
