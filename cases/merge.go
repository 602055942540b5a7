package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// Merge closes the case number as a duplicate of the case into (same brand): the duplicate
// is resolved with code "duplicate" and closed, remembers its target (its number leads there),
// and its parcels are linked to the target. The target's SLA clocks stand; its timeline
// shows the duplicate's log from then on. Both cases log the merge.
func (s *CaseService) Merge(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, into string) (*Case, error) {
	into = strings.ToUpper(strings.TrimSpace(into))
	if into == "" {
		return nil, input.Invalid(input.Errorf("into", "is required: the number of the case to keep"))
	}
	if strings.EqualFold(into, strings.TrimSpace(number)) {
		return nil, input.Invalid(input.Errorf("into", "a case cannot be merged into itself"))
	}
	var target *Case
	err := s.inTx(ctx, func(tx store.Tx) error {
		now := s.now()
		dup, err := caseByNumber(ctx, s.db, tx, scope, number, brandID, true)
		if err != nil {
			return err
		}
		if want, ok := ctx.Value(versionKey{}).(int64); ok && want != dup.Version {
			return &StaleError{Number: dup.Number, Want: want, Have: dup.Version}
		}
		if dup.MergedInto != nil {
			return fmt.Errorf("case %s is merged already: %w", dup.Number, ErrBadTransition)
		}
		target, err = caseByNumber(ctx, s.db, tx, scope, into, dup.BrandID, true)
		if err != nil {
			return input.Invalid(input.Errorf("into", "no case %s of this brand", into))
		}
		if target.MergedInto != nil {
			return input.Invalid(input.Errorf("into", "case %s is itself merged into another case", target.Number))
		}
		cfg, err := loadSLAConfig(ctx, s.db, tx, dup.BrandID)
		if err != nil {
			return err
		}
		if _, err := s.apply(ctx, tx, now, dup, cfg, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
			from := c.Status
			if c.Status.IsOpen() || c.Status == StatusResolved {
				if c.Status != StatusResolved {
					c.enter(StatusResolved, "duplicate", cfg.Calendar, now)
				}
				c.enter(StatusClosed, "", cfg.Calendar, now)
				c.ResolutionCode = "duplicate"
			}
			c.MergedInto = &target.ID
			return []logEntry{statusLog(actor, from, c.Status, now, " (duplicate)"),
					{At: now, Kind: "merged", Actor: actor.Label, Summary: "merged into " + target.Number, Data: map[string]any{"into": target.Number}}},
				[]outbox.Entry{caseMessage(TopicCaseStatusChanged, c, from)}, nil
		}); err != nil {
			return err
		}
		target, err = s.apply(ctx, tx, now, target, cfg, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
			for _, p := range dup.ParcelIDs {
				if slices.Contains(c.ParcelIDs, p) || len(c.ParcelIDs) >= MaxCaseParcels {
					continue
				}
				if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO case_parcels (case_id, parcel_id) VALUES (?, ?)`), c.ID, p); err != nil {
					return nil, nil, fmt.Errorf("merge parcels: %w", err)
				}
				c.ParcelIDs = append(c.ParcelIDs, p)
			}
			return []logEntry{{At: now, Kind: "merged", Actor: actor.Label, Summary: "case " + dup.Number + " merged into this one",
				Data: map[string]any{"from": dup.Number}}}, []outbox.Entry{caseMessage(TopicCaseUpdated, c, "")}, nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("merge case %s into %s: %w", number, into, err)
	}
	return target, nil
}

// mergedCases are the cases merged into the case id (id -> number).
func mergedCases(ctx context.Context, db *store.DB, q store.Tx, id int64) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT id, number FROM cases WHERE merged_into = ?`), id)
	if err != nil {
		return nil, fmt.Errorf("merged cases: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var cid int64
		var n string
		if err := rows.Scan(&cid, &n); err != nil {
			return nil, err
		}
		out[cid] = n
	}
	return out, rows.Err()
}

// caseNumber is the number of the case id.
func caseNumber(ctx context.Context, db *store.DB, q store.Tx, id int64) (string, error) {
	var n string
	if err := q.QueryRowContext(ctx, db.Rebind(`SELECT number FROM cases WHERE id = ?`), id).Scan(&n); err != nil {
		return "", fmt.Errorf("case %d: %w", id, err)
	}
	return n, nil
}

// ResolutionCodes returns the codes a case of brand may be resolved with: the shipped list,
// then the brand's own (case_resolution_codes).
func (s *CaseService) ResolutionCodes(ctx context.Context, brand int64) ([]string, error) {
	return resolutionCodes(ctx, s.db, s.db.SQL, brand)
}

func resolutionCodes(ctx context.Context, db *store.DB, q store.Tx, brand int64) ([]string, error) {
	out := slices.Clone(ResolutionCodes)
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT code FROM case_resolution_codes WHERE brand_id = ? ORDER BY code`), brand)
	if err != nil {
		return nil, fmt.Errorf("resolution codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// AddResolutionCode extends a brand's resolution codes (lower-case words joined by _).
func (s *CaseService) AddResolutionCode(ctx context.Context, scope access.Scope, brand int64, code, label string) error {
	if !scope.AllowsBrand(brand) {
		return fmt.Errorf("brand %d: %w", brand, ErrNotFound)
	}
	code = strings.TrimSpace(code)
	if !queueRE.MatchString(code) {
		return input.Invalid(input.Errorf("code", "must be lower-case letters, digits, _ or - (up to 64), got %q", code))
	}
	return s.db.WriteTx(ctx, func(tx store.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO case_resolution_codes (brand_id, code, label) VALUES (?, ?, ?)
			ON CONFLICT (brand_id, code) DO UPDATE SET label = excluded.label`), brand, code, strings.TrimSpace(label))
		return err
	})
}
