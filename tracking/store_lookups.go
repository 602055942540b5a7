package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// Lookups other domains make on parcels. They take the database rather than the Service so
// that a domain holding only the database handle (the dialer, the demo loader, the editor
// preview) asks tracking instead of reading the parcels table itself.

// Owner returns the brand of parcel id when scope may see it, else ErrNotFound (a parcel of
// another brand is not found, as in every API).
func Owner(ctx context.Context, db *store.DB, scope access.Scope, id string) (int64, error) {
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	var brand int64
	err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT brand_id FROM parcels WHERE id = ? AND `+where), append([]any{id}, args...)...).Scan(&brand)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("parcel %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("parcel %q: %w", id, err)
	}
	return brand, nil
}

// RecentIDs lists up to limit of a brand's newest parcel ids.
func RecentIDs(ctx context.Context, db *store.DB, brand int64, limit int) ([]string, error) {
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT id FROM parcels WHERE brand_id = ? ORDER BY created_at DESC LIMIT ?`), brand, limit)
	if err != nil {
		return nil, fmt.Errorf("recent parcels of brand %d: %w", brand, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ParcelRef is a parcel's id, brand and phase.
type ParcelRef struct {
	ID      string
	BrandID int64
	Phase   Phase
}

// Refs lists every parcel, by id (the demo loader opens cases on them).
func Refs(ctx context.Context, db *store.DB) ([]ParcelRef, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT id, brand_id, phase FROM parcels ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ParcelRef
	for rows.Next() {
		var p ParcelRef
		if err := rows.Scan(&p.ID, &p.BrandID, &p.Phase); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
