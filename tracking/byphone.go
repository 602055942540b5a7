package tracking

import (
	"context"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
)

// maxByPhone bounds how many parcels a phone lookup returns (a hotline screen pop).
const maxByPhone = 20

// ParcelsByPhone returns the parcels visible to scope whose recipient phone is e164 (as
// stored: E.164), most recently updated first. The telephony engine matches a hotline
// caller to a brand and a screen pop with it.
func (s *Service) ParcelsByPhone(ctx context.Context, scope access.Scope, e164 string) ([]ParcelView, error) {
	if e164 == "" {
		return nil, nil
	}
	return s.parcelsWhere(ctx, scope, "recipient_phone = ?", e164)
}

// serialCond is the keyed lookup's condition, the expression of index parcels_serial.
const serialCond = "substr(id, 3, 9) = ?"

// ParcelsBySerial returns the parcels visible to scope whose S10 id has the nine digits a
// hotline caller keyed in (the serial and its check digit), most recently updated first;
// none, without a query, when the check digit is wrong.
func (s *Service) ParcelsBySerial(ctx context.Context, scope access.Scope, digits string) ([]ParcelView, error) {
	if len(digits) != 9 || strings.Trim(digits, "0123456789") != "" || S10CheckDigit(digits[:8]) != int(digits[8]-'0') {
		return nil, nil
	}
	return s.parcelsWhere(ctx, scope, serialCond, digits)
}

// parcelsWhere reads the parcels visible to scope matching cond (one argument), most
// recently updated first, at most maxByPhone.
func (s *Service) parcelsWhere(ctx context.Context, scope access.Scope, cond string, arg any) ([]ParcelView, error) {
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	q := s.db.Rebind(`SELECT id FROM parcels WHERE ` + cond + ` AND ` + where +
		fmt.Sprintf(` ORDER BY updated_at DESC, id LIMIT %d`, maxByPhone))
	rows, err := s.db.SQL.QueryContext(ctx, q, append([]any{arg}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("parcels where %s: %w", cond, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ParcelView, 0, len(ids))
	for _, id := range ids {
		v, err := s.Parcel(ctx, scope, id)
		if IsNotFound(err) {
			continue // changed hands in between
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// RecipientsOtherParcels lists, in one query, the other parcels of brand whose recipient
// phone is e164 (all but except), most recently updated first, as ids and phases: what a
// case page shows of them, without reading each parcel and its scans.
func (s *Service) RecipientsOtherParcels(ctx context.Context, scope access.Scope, brand int64, e164, except string) ([]ParcelRef, error) {
	if e164 == "" || !scope.AllowsBrand(brand) {
		return nil, nil
	}
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	q := s.db.Rebind(`SELECT id, brand_id, phase FROM parcels WHERE recipient_phone = ? AND brand_id = ? AND id <> ? AND ` + where +
		fmt.Sprintf(` ORDER BY updated_at DESC, id LIMIT %d`, maxByPhone))
	rows, err := s.db.SQL.QueryContext(ctx, q, append([]any{e164, brand, except}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("the recipient's other parcels: %w", err)
	}
	defer rows.Close()
	var out []ParcelRef
	for rows.Next() {
		var r ParcelRef
		if err := rows.Scan(&r.ID, &r.BrandID, &r.Phase); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
