package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// hydrate fills hits with what the agent sees, reading parcels and cases again through the
// caller's scope: a backend's stale or foreign document never reaches the answer.
func (s *Search) hydrate(ctx context.Context, scope access.Scope, found map[[2]string]Hit) ([]Hit, error) {
	var parcelIDs, caseIDs, callIDs []any
	for k := range found {
		id, err := strconv.ParseInt(k[1], 10, 64)
		switch {
		case k[0] == "parcel":
			parcelIDs = append(parcelIDs, k[1])
		case k[0] == "call" && err == nil:
			callIDs = append(callIDs, id)
		case err == nil:
			caseIDs = append(caseIDs, id)
		}
	}
	out := make([]Hit, 0, len(found))
	if len(parcelIDs) > 0 {
		where, args := scope.SQL("p.brand_id", "p.origin_country", "p.destination_country")
		rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT p.id, p.brand_id, p.phase, p.recipient_name, p.recipient_phone,
			p.recipient_email, p.updated_at, (SELECT COUNT(*) FROM case_parcels cp JOIN cases c ON c.id = cp.case_id
			WHERE cp.parcel_id = p.id AND c.status NOT IN ('resolved', 'closed'))
			FROM parcels p WHERE p.id IN (`+store.InList(len(parcelIDs))+`) AND `+where), append(parcelIDs, args...)...)
		if err != nil {
			return nil, fmt.Errorf("search: read parcels: %w", err)
		}
		for rows.Next() {
			var h Hit
			if err := rows.Scan(&h.ID, &h.BrandID, &h.Phase, &h.Name, &h.Phone, &h.Email, &h.UpdatedAt, &h.OpenCases); err != nil {
				rows.Close()
				return nil, err
			}
			f := found[[2]string{"parcel", h.ID}]
			h.Kind, h.Match, h.Score, h.UpdatedAt = "parcel", f.Match, f.Score, h.UpdatedAt.UTC()
			h.URL = "/api/v1/parcels/" + h.ID
			out = append(out, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(caseIDs) > 0 {
		where, args := scope.SQL("c.brand_id", "c.origin_country", "c.destination_country")
		rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT c.id, c.number, c.brand_id, c.status, c.type, c.contact_name,
			c.contact_phone, c.contact_email, c.parcel_id, c.updated_at, p.phase
			FROM cases c LEFT JOIN parcels p ON p.id = c.parcel_id WHERE c.id IN (`+store.InList(len(caseIDs))+`) AND `+where),
			append(caseIDs, args...)...)
		if err != nil {
			return nil, fmt.Errorf("search: read cases: %w", err)
		}
		for rows.Next() {
			var h Hit
			var id int64
			var phase sql.NullString
			var updated time.Time
			if err := rows.Scan(&id, &h.ID, &h.BrandID, &h.Status, &h.CaseType, &h.Name, &h.Phone, &h.Email, &h.ParcelID, &updated, &phase); err != nil {
				rows.Close()
				return nil, err
			}
			f := found[[2]string{"case", strconv.FormatInt(id, 10)}]
			h.Kind, h.Match, h.Score, h.UpdatedAt, h.Phase = "case", f.Match, f.Score, updated.UTC(), tracking.Phase(phase.String)
			h.URL = "/api/v1/cases/" + h.ID
			out = append(out, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(callIDs) > 0 {
		calls, err := s.hydrateCalls(ctx, scope, found, callIDs)
		if err != nil {
			return nil, err
		}
		out = append(out, calls...)
	}
	return out, nil
}
