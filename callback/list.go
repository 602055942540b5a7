package callback

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
)

// Item is a callback still to make, as the desk lists it.
type Item struct {
	ID       int64     `json:"id"`
	BrandID  int64     `json:"brand_id"`
	ParcelID string    `json:"parcel_id"`
	Phone    string    `json:"phone"`
	Source   string    `json:"source"`
	Mine     bool      `json:"mine"` // offered to this agent first
	DueAt    time.Time `json:"due_at"`
	Status   string    `json:"status"` // planned or calling
	Attempts int       `json:"attempts"`
	Note     string    `json:"note,omitempty"`
}

// List returns the callbacks still to make that agent may take, soonest first: their own,
// and the queue's (no owner, or an owner whose grace is over), of the brands scope allows.
// The contact's due time, status and attempts are read from the dialer's contacts (a read
// of another domain's table for display, as the reports do).
func (s *Service) List(ctx context.Context, scope access.Scope, agent int64, limit int) ([]Item, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	where, args := scope.SQL("b.brand_id", "", "")
	args = append([]any{agent}, args...)
	args = append(args, agent, s.now().UTC(), limit)
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT b.id, b.brand_id, b.parcel_id, b.phone, b.source,
		COALESCE(b.owner_id, 0) = ?, b.note, c.due_at, c.status, c.attempts
		FROM callbacks b JOIN contacts c ON c.id = b.contact_id
		WHERE `+where+` AND c.status IN ('planned', 'calling') AND (b.owner_id IS NULL OR b.owner_id = ? OR b.grace_until < ?)
		ORDER BY c.due_at, b.id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list callbacks: %w", err)
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.BrandID, &it.ParcelID, &it.Phone, &it.Source, &it.Mine, &it.Note, &it.DueAt, &it.Status, &it.Attempts); err != nil {
			return nil, fmt.Errorf("list callbacks: %w", err)
		}
		it.DueAt = it.DueAt.UTC()
		out = append(out, it)
	}
	return out, rows.Err()
}

// Upcoming returns when the next callback of a brand's parcel is due and to which phone
// (zero: none planned), for the public tracking page's "we will call you back".
func (s *Service) Upcoming(ctx context.Context, brand int64, parcel string) (time.Time, string, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT c.due_at, b.phone FROM callbacks b JOIN contacts c ON c.id = b.contact_id
		WHERE b.brand_id = ? AND b.parcel_id = ? AND c.status = 'planned' ORDER BY c.due_at LIMIT 1`), brand, parcel)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("upcoming callback: %w", err)
	}
	defer rows.Close()
	var due time.Time
	var phone string
	if rows.Next() {
		if err := rows.Scan(&due, &phone); err != nil {
			return time.Time{}, "", err
		}
	}
	return due.UTC(), phone, rows.Err()
}
