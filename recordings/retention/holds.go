package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Hold is a legal hold on a case: while it is not lifted, the recordings of the case's calls
// are kept whatever the brand's retention.
type Hold struct {
	ID         int64      `json:"id"`
	BrandID    int64      `json:"brand_id"`
	CaseID     int64      `json:"case_id"`
	Reason     string     `json:"reason"`
	SetBy      string     `json:"set_by"`
	SetAt      time.Time  `json:"set_at"`
	LiftedBy   string     `json:"lifted_by,omitempty"`
	LiftedAt   *time.Time `json:"lifted_at,omitempty"`
	LiftReason string     `json:"lift_reason,omitempty"`
}

// CaseBrand returns the brand of case id if scope may see it, else ErrNotFound.
func (s *Service) CaseBrand(ctx context.Context, scope access.Scope, id int64) (int64, error) {
	var brand int64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM cases WHERE id = ?`), id).Scan(&brand)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.AllowsBrand(brand)) {
		return 0, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("case %d: %w", id, err)
	}
	return brand, nil
}

func reason(field, r string) (string, error) {
	r = strings.TrimSpace(r)
	if r == "" {
		return "", input.Invalid(input.Errorf(field, "is required: say why (a claim, a court order, a dispute)"))
	}
	if fe := input.Text(field, r, input.MaxLong); fe != nil {
		return "", input.Invalid(fe)
	}
	return r, nil
}

// PlaceHold puts case caseID (of brand) on hold for why, by whom.
func (s *Service) PlaceHold(ctx context.Context, brand, caseID int64, why, by string) (Hold, error) {
	why, err := reason("reason", why)
	if err != nil {
		return Hold{}, err
	}
	h := Hold{BrandID: brand, CaseID: caseID, Reason: why, SetBy: by, SetAt: s.now().UTC()}
	err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO recording_holds (brand_id, case_id, reason, set_by, set_at)
		VALUES (?,?,?,?,?) RETURNING id`), brand, caseID, h.Reason, by, h.SetAt).Scan(&h.ID)
	if err != nil {
		return Hold{}, fmt.Errorf("hold case %d: %w", caseID, err)
	}
	s.log.Info("legal hold placed", "hold", h.ID, "case", caseID, "brand", brand, "by", by)
	return h, nil
}

// LiftHold lifts hold id of case caseID (of brand) for why, by whom.
func (s *Service) LiftHold(ctx context.Context, brand, caseID, id int64, why, by string) (Hold, error) {
	why, err := reason("reason", why)
	if err != nil {
		return Hold{}, err
	}
	now := s.now().UTC()
	res, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE recording_holds SET lifted_by = ?, lifted_at = ?, lift_reason = ?
		WHERE id = ? AND case_id = ? AND brand_id = ? AND lifted_at IS NULL`), by, now, why, id, caseID, brand)
	if err != nil {
		return Hold{}, fmt.Errorf("lift hold %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		holds, err := s.Holds(ctx, brand, caseID)
		if err != nil {
			return Hold{}, err
		}
		for _, h := range holds {
			if h.ID == id {
				return h, fmt.Errorf("hold %d: %w", id, ErrLifted)
			}
		}
		return Hold{}, fmt.Errorf("hold %d: %w", id, ErrNotFound)
	}
	s.log.Info("legal hold lifted", "hold", id, "case", caseID, "brand", brand, "by", by)
	holds, err := s.Holds(ctx, brand, caseID)
	for _, h := range holds {
		if h.ID == id {
			return h, err
		}
	}
	return Hold{}, err
}

// Holds lists the holds of case caseID (of brand), newest first, lifted ones included.
func (s *Service) Holds(ctx context.Context, brand, caseID int64) ([]Hold, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, brand_id, case_id, reason, set_by, set_at, lifted_by, lifted_at, lift_reason
		FROM recording_holds WHERE brand_id = ? AND case_id = ? ORDER BY id DESC LIMIT 500`), brand, caseID)
	if err != nil {
		return nil, fmt.Errorf("holds of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := []Hold{}
	for rows.Next() {
		var h Hold
		var set, lifted store.NullTime
		if err := rows.Scan(&h.ID, &h.BrandID, &h.CaseID, &h.Reason, &h.SetBy, &set, &h.LiftedBy, &lifted, &h.LiftReason); err != nil {
			return nil, err
		}
		h.SetAt = set.Time
		if lifted.Valid {
			t := lifted.Time
			h.LiftedAt = &t
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
