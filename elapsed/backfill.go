package elapsed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/scripts/elapsedrules"
	"github.com/wismo/wismo/store"
)

// backfillPage is how many existing parcels one call of ArmRules arms per rule.
const backfillPage = 1000

// ArmRules arms the parcels that existed before an elapsed rule was enabled or last changed:
// the consumer arms parcels only when they have news, and a stalled parcel has none. Each
// call arms one page of a brand's unfinished parcels (by id, from where the last page
// stopped) per rule that is not done; it returns how many parcels it armed. Rows that come
// out due long ago meet the freshness guard in the sweep: turning a rule on arms a million
// old parcels but contacts none of them.
func (s *Service) ArmRules(ctx context.Context) (int, error) {
	kinds := elapsedrules.Kinds()
	args := []any{true}
	for _, k := range kinds {
		args = append(args, k)
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.id, r.brand_id, r.updated_at, a.rule_updated_at, COALESCE(a.after_id, ''), a.done
		FROM rules r LEFT JOIN elapsed_rule_arming a ON a.rule_id = r.id
		WHERE r.enabled = ? AND r.trigger_kind IN (`+strings.TrimSuffix(strings.Repeat("?,", len(kinds)), ",")+`) ORDER BY r.id`), args...)
	if err != nil {
		return 0, fmt.Errorf("elapsed rules to arm: %w", err)
	}
	type job struct {
		rule, brand int64
		updated     time.Time
		after       string
	}
	var jobs []job
	for rows.Next() {
		var j job
		var armedAt sql.NullTime
		var done sql.NullBool
		if err := rows.Scan(&j.rule, &j.brand, &j.updated, &armedAt, &j.after, &done); err != nil {
			rows.Close()
			return 0, err
		}
		if !armedAt.Valid || !armedAt.Time.Equal(j.updated) {
			j.after = "" // new or changed since: start over
		} else if done.Bool {
			continue
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// One walk per brand arms all its rules that need it: a page is armed for every rule of
	// the brand at once, from the least advanced cursor.
	armed := 0
	var brands []int64
	byBrand := map[int64][]job{}
	for _, j := range jobs {
		if _, ok := byBrand[j.brand]; !ok {
			brands = append(brands, j.brand)
		}
		byBrand[j.brand] = append(byBrand[j.brand], j)
	}
	for _, b := range brands {
		after := byBrand[b][0].after
		for _, j := range byBrand[b] {
			after = min(after, j.after)
		}
		rules, err := s.elapsedRules(ctx, b)
		if err != nil {
			return armed, err
		}
		err = s.db.WriteTx(ctx, func(tx store.Tx) error {
			ids, err := s.unfinished(ctx, tx, b, after)
			if err != nil {
				return err
			}
			if err := s.arm(ctx, tx, b, ids, rules); err != nil {
				return err
			}
			last := after
			if len(ids) > 0 {
				last = ids[len(ids)-1]
			}
			armed += len(ids)
			for _, j := range byBrand[b] {
				if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO elapsed_rule_arming (rule_id, rule_updated_at, after_id, done, updated_at)
					VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id) DO UPDATE SET rule_updated_at = excluded.rule_updated_at,
					after_id = excluded.after_id, done = excluded.done, updated_at = excluded.updated_at`),
					j.rule, j.updated, last, len(ids) < backfillPage, s.now()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return armed, fmt.Errorf("arm the rules of brand %d on existing parcels: %w", b, err)
		}
	}
	return armed, nil
}

// unfinished is a page of brand's parcels after id after whose journey is not over.
func (s *Service) unfinished(ctx context.Context, q store.Tx, brand int64, after string) ([]string, error) {
	args := []any{brand, after}
	for _, p := range finalPhases {
		args = append(args, string(p))
	}
	args = append(args, backfillPage)
	// A walk in primary key order (+brand_id keeps SQLite off parcels_brand, which made each
	// page sort all the brand's parcels: 75 parcels/s at a million).
	rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT id FROM parcels WHERE +brand_id = ? AND id > ? AND phase NOT IN (?, ?, ?)
		ORDER BY id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("parcels to arm: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
