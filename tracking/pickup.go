package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// PickupInput is the point where a parcel waits, as a post sends it on an EDH ("arrived at
// collection point for pick-up") event: the optional `pickup` object (docs/ingest.md).
type PickupInput struct {
	Deadline string `json:"deadline,omitempty"` // the last day to collect, YYYY-MM-DD at the point
	Name     string `json:"name,omitempty"`
	Address  string `json:"address"`
	Hours    string `json:"hours,omitempty"` // opening hours as the post writes them
}

// Pickup is a validated pick-up point.
type Pickup struct {
	Deadline string // YYYY-MM-DD or empty
	Name     string
	Address  string
	Hours    string
}

// PickupView is the pick-up point of a parcel as the API, the tracking page and the rules see
// it: that of the latest EDH event that carried one.
type PickupView struct {
	Deadline string    `json:"deadline,omitempty"`
	Name     string    `json:"name,omitempty"`
	Address  string    `json:"address"`
	Hours    string    `json:"hours,omitempty"`
	MapLink  string    `json:"map_link"`
	Since    time.Time `json:"since"`
}

// maxStorageDays bounds a storage deadline after the arrival scan (posts keep items 7 to 30
// days; 90 leaves room for extensions).
const maxStorageDays = 90

// PickupCode is the event that may carry a pick-up point.
const PickupCode = "EDH"

// toPickup validates the pickup object of event e.
func (in *PickupInput) toPickup(e *Event) (*Pickup, *input.FieldError) {
	if in == nil {
		return nil, nil
	}
	if e.Code != PickupCode {
		return nil, input.Errorf("pickup", "only %s (arrived at collection point) events carry a pick-up point, not %s", PickupCode, e.Code)
	}
	p := &Pickup{Deadline: strings.TrimSpace(in.Deadline), Name: strings.TrimSpace(in.Name),
		Address: strings.TrimSpace(in.Address), Hours: strings.TrimSpace(in.Hours)}
	if p.Address == "" {
		return nil, input.Errorf("pickup.address", "is required: the street address of the point where the parcel waits")
	}
	if fe := input.Text("pickup.address", p.Address, input.MaxLong); fe != nil {
		return nil, fe
	}
	if fe := input.Text("pickup.name", p.Name, input.MaxShort); fe != nil {
		return nil, fe
	}
	if fe := input.Text("pickup.hours", p.Hours, input.MaxShort); fe != nil {
		return nil, fe
	}
	if p.Deadline != "" {
		d, err := time.Parse(time.DateOnly, p.Deadline)
		if err != nil {
			return nil, input.Errorf("pickup.deadline", "must be the last day to collect as YYYY-MM-DD, got %q", in.Deadline)
		}
		arrived := time.Date(e.OccurredAt.Year(), e.OccurredAt.Month(), e.OccurredAt.Day(), 0, 0, 0, 0, time.UTC)
		switch {
		case d.Before(arrived.AddDate(0, 0, -1)): // a day of slack for the point's zone
			return nil, input.Errorf("pickup.deadline", "%s is before the event (%s)", p.Deadline, e.OccurredAt.Format(time.DateOnly))
		case d.After(arrived.AddDate(0, 0, maxStorageDays)):
			return nil, input.Errorf("pickup.deadline", "%s is more than %d days after the event", p.Deadline, maxStorageDays)
		}
	}
	return p, nil
}

// MapLink is a link to the address on OpenStreetMap (no API key, no tracking script).
func MapLink(address string) string {
	return "https://www.openstreetmap.org/search?query=" + url.QueryEscape(address)
}

// writePickups stores the pick-up points a batch's events carry: the point of an item is that
// of its latest EDH event by time; a replay with corrected details replaces it.
func writePickups(ctx context.Context, db *store.DB, tx store.Tx, valid []*Event, results []Result, now time.Time) error {
	for i, e := range valid {
		if e == nil || e.Pickup == nil || results[i].Status == StatusRejected {
			continue
		}
		p := e.Pickup
		_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO pickup_points (item_id, occurred_at, deadline, name, address, hours, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (item_id) DO UPDATE SET occurred_at = excluded.occurred_at, deadline = excluded.deadline, name = excluded.name,
				address = excluded.address, hours = excluded.hours, updated_at = excluded.updated_at
			WHERE pickup_points.occurred_at <= excluded.occurred_at`), e.ItemID, e.OccurredAt, p.Deadline, p.Name, p.Address, p.Hours, now)
		if err != nil {
			return fmt.Errorf("pick-up point of %s: %w", e.ItemID, err)
		}
	}
	return nil
}

// ReadPickup returns the pick-up point of a parcel the caller has already read under its
// brand scope (nil when no EDH event carried one).
func ReadPickup(ctx context.Context, db *store.DB, q store.Tx, itemID string) (*PickupView, error) {
	var v PickupView
	err := q.QueryRowContext(ctx, db.Rebind(`SELECT deadline, name, address, hours, occurred_at FROM pickup_points WHERE item_id = ?`), itemID).
		Scan(&v.Deadline, &v.Name, &v.Address, &v.Hours, &v.Since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pick-up point of %s: %w", itemID, err)
	}
	v.Since, v.MapLink = v.Since.UTC(), MapLink(v.Address)
	return &v, nil
}

// FailedAttempts counts the parcel's EMH (attempted delivery) events.
func (v *ParcelView) FailedAttempts() int {
	n := 0
	for _, e := range v.Events {
		if e.Code == "EMH" {
			n++
		}
	}
	return n
}

// PickupDeadline is the last day to collect the parcel at its pick-up point, "" when unknown.
func (v *ParcelView) PickupDeadline() string {
	if v.Pickup == nil {
		return ""
	}
	return v.Pickup.Deadline
}
