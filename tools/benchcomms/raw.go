package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
)

// rawInsert is the planning baseline: the same contact rows as dialer.Plan writes, with a
// plain batched INSERT (200 rows a transaction, the dialect's statement size), nothing
// computed. They go in as sent, so that the dispatch step leaves them alone.
func rawInsert(ctx context.Context, db *store.DB, reqs []dialer.Request) (float64, error) {
	now := time.Now().UTC()
	start := time.Now()
	for s := 0; s < len(reqs); s += 200 {
		chunk := reqs[s:min(s+200, len(reqs))]
		err := db.WriteTx(ctx, func(tx store.Tx) error {
			return db.BulkExec(ctx, tx, `INSERT INTO contacts (brand_id, parcel_id, channel, status, rule_id, trigger_ref,
				campaign_id, template_id, template_version, script_id, script_version, recipient, time_zone, language,
				subject, body, html, encoding, parts, not_before, due_at, detail, unsubscribe_token, created_at, updated_at, done_at)`,
				"", 26, len(chunk), nil, func(i int, dst []any) []any {
					r := chunk[i]
					return append(dst, r.BrandID, r.ParcelID, "sms", "sent", r.RuleID+10_000_000, "raw", nil, r.TemplateID, r.TemplateVersion,
						nil, nil, r.To, r.TimeZone, r.Language, "", r.Body, "", "GSM-7", 1, now, now, "", nil, now, now, now)
				})
		})
		if err != nil {
			return 0, fmt.Errorf("raw insert: %w", err)
		}
	}
	return float64(len(reqs)) / time.Since(start).Seconds(), nil
}

// rawClaim is the dispatch baseline: the database work of claiming and recording with no
// window, opt-out or log rows and no sending — SELECT a batch of due ids (FOR UPDATE SKIP
// LOCKED on PostgreSQL), mark them sending in that transaction, mark them sent in another.
func rawClaim(ctx context.Context, db *store.DB, want int) (float64, error) {
	sel := `SELECT id FROM contacts WHERE channel = 'sms' AND status = 'planned' AND due_at <= ? ORDER BY due_at LIMIT 500`
	if db.Dialect == store.Postgres {
		sel += ` FOR UPDATE SKIP LOCKED`
	}
	done := 0
	start := time.Now()
	for done < want {
		var ids []any
		err := db.WriteTx(ctx, func(tx store.Tx) error {
			ids = ids[:0]
			rows, err := tx.QueryContext(ctx, db.Rebind(sel), time.Now().UTC())
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			if len(ids) == 0 {
				return nil
			}
			_, err = tx.ExecContext(ctx, db.Rebind(`UPDATE contacts SET status = 'sending' WHERE id IN (`+marks(len(ids))+`)`), ids...)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("raw claim: %w", err)
		}
		if len(ids) == 0 {
			return 0, fmt.Errorf("raw claim: %d of %d due rows found", done, want)
		}
		if err := db.WriteTx(ctx, func(tx store.Tx) error {
			_, err := tx.ExecContext(ctx, db.Rebind(`UPDATE contacts SET status = 'sent', provider_id = 'raw' WHERE id IN (`+marks(len(ids))+`)`), ids...)
			return err
		}); err != nil {
			return 0, fmt.Errorf("raw claim: %w", err)
		}
		done += len(ids)
	}
	return float64(done) / time.Since(start).Seconds(), nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
