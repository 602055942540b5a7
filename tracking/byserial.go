package tracking

import (
	"context"
	"fmt"

	"github.com/wismo/wismo/access"
)

// ParcelsBySerial returns the parcels visible to scope whose S10 id has the nine digits
// (the serial and its check digit) a caller keyed in on a phone keypad, most recently updated
// first (at most maxByPhone); none when the check digit is wrong (no query).
func (s *Service) ParcelsBySerial(ctx context.Context, scope access.Scope, digits string) ([]ParcelView, error) {
	if len(digits) != 9 {
		return nil, nil
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return nil, nil
		}
	}
	if S10CheckDigit(digits[:8]) != int(digits[8]-'0') {
		return nil, nil
	}
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id FROM parcels WHERE id LIKE ? AND `+where+
		fmt.Sprintf(` ORDER BY updated_at DESC, id LIMIT %d`, maxByPhone)), append([]any{"__" + digits + "__"}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("parcels by serial: %w", err)
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
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
