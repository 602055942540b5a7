package dialer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MaxTrackItems bounds the contacts' steps the public tracking page reads for one parcel.
const MaxTrackItems = 1000

// TrackItem is one communication of a parcel as the public tracking page shows it: an SMS or
// e-mail that went out (with its status), or one attempt of a call sequence (with its outcome
// and disposition once known). Recipient is the raw address: the page masks it.
type TrackItem struct {
	At          time.Time
	Channel     Channel
	Status      Status // messages: the contact's status
	Attempt     int    // calls: the try, from 1
	Outcome     string // calls: the SIP outcome, empty while in flight
	Disposition string // calls: the agent's disposition of an answered attempt
	Recipient   string
}

// TrackHistory returns what a parcel's recipient has been sent and called so far, oldest
// first, in one query over contacts and their log. Contacts that never went out (planned,
// suppressed, cancelled before a try) are left out: they are not history. Only the brand's own
// contacts of the parcel are read.
func (s *Service) TrackHistory(ctx context.Context, brandID int64, parcelID string) ([]TrackItem, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT c.id, c.channel, c.status, c.recipient, l.at, l.try, l.kind, l.detail
		FROM contacts c JOIN contact_log l ON l.contact_id = c.id
		WHERE c.parcel_id = ? AND c.brand_id = ? ORDER BY c.id, l.id LIMIT ?`), parcelID, brandID, MaxTrackItems)
	if err != nil {
		return nil, fmt.Errorf("track history of %s: %w", parcelID, err)
	}
	defer rows.Close()
	var out []TrackItem
	msg := map[int64]int{}     // message contact -> index in out
	call := map[[2]int64]int{} // (call contact, try) -> index in out
	for rows.Next() {
		var id int64
		var it TrackItem
		var at sql.NullTime
		var try int
		var kind, detail string
		if err := rows.Scan(&id, &it.Channel, &it.Status, &it.Recipient, &at, &try, &kind, &detail); err != nil {
			return nil, fmt.Errorf("track history of %s: %w", parcelID, err)
		}
		it.At = at.Time.UTC()
		if it.Channel == Call {
			if try == 0 || kind == "calling" || kind == "retry" {
				continue // planned, replanned, cancelled, claimed or handed back: no call placed yet
			}
			key := [2]int64{id, int64(try)}
			i, seen := call[key]
			if !seen {
				it.Attempt, it.Status = try, StatusCalling
				call[key] = len(out)
				out = append(out, it)
				i = len(out) - 1
			}
			if kind == "outcome" {
				o, d, _ := strings.Cut(detail, "/")
				out[i].Outcome, out[i].Disposition = o, d
			}
			continue
		}
		// A message is shown from its first step that went out, with its current status.
		if _, seen := msg[id]; seen || !wentOut(kind) {
			continue
		}
		msg[id] = len(out)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("track history of %s: %w", parcelID, err)
	}
	return out, nil
}

// wentOut reports whether a message's log step means it was handed to a provider (or may have
// been: unknown).
func wentOut(kind string) bool {
	switch Status(kind) {
	case StatusSending, StatusSent, StatusDelivered, StatusFailed, StatusUnknown:
		return true
	}
	return false
}
