package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
)

// Result counts what one sweep did.
type Result struct {
	Deleted int `json:"deleted"`
	Held    int `json:"held"` // recordings past retention kept by a hold, newly audited
}

// Run sweeps every Every until ctx ends (the recording-retention job).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		if r, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("retention sweep failed", "err", err)
		} else if r.Deleted+r.Held > 0 {
			s.log.Info("retention sweep", "deleted", r.Deleted, "held", r.Held)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type brandDays struct {
	brand int64
	days  int
}

// Sweep deletes the recordings past their brand's retention that no hold keeps, and audits
// the ones a hold keeps (once per hold). It handles at most 100 batches per brand.
func (s *Service) Sweep(ctx context.Context) (Result, error) {
	var res Result
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT brand_id, days FROM recording_retention WHERE days > 0 ORDER BY brand_id`)
	if err != nil {
		return res, fmt.Errorf("retention settings: %w", err)
	}
	var brands []brandDays
	for rows.Next() {
		var b brandDays
		if err := rows.Scan(&b.brand, &b.days); err != nil {
			rows.Close()
			return res, err
		}
		brands = append(brands, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, b := range brands {
		for range 100 {
			n, err := s.sweepBrand(ctx, b, &res)
			if err != nil {
				return res, err
			}
			if n < Batch {
				break
			}
		}
	}
	return res, nil
}

type expired struct {
	recordings.Recording
	held bool
}

// held is true when a hold not lifted names a case the call is linked to.
const heldSQL = `EXISTS (SELECT 1 FROM call_cases cc JOIN recording_holds h ON h.case_id = cc.case_id
	WHERE cc.call_id = r.call_id AND h.lifted_at IS NULL)`

// auditedSQL is true when a hold keeps the recording and it was audited since that hold began.
const auditedSQL = `EXISTS (SELECT 1 FROM call_cases cc JOIN recording_holds h ON h.case_id = cc.case_id
	WHERE cc.call_id = r.call_id AND h.lifted_at IS NULL AND EXISTS (SELECT 1 FROM recording_audit a
	WHERE a.recording_id = r.id AND a.action = 'keep_hold' AND a.at >= h.set_at))`

func (s *Service) sweepBrand(ctx context.Context, b brandDays, res *Result) (int, error) {
	cutoff := s.now().Add(-time.Duration(b.days) * 24 * time.Hour).UTC()
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.id, r.call_id, r.path, r.source_path, r.storage, r.key_id,
		CASE WHEN `+heldSQL+` THEN 1 ELSE 0 END
		FROM recordings r WHERE r.brand_id = ? AND r.finished_at IS NOT NULL AND r.started_at < ? AND NOT `+auditedSQL+`
		ORDER BY r.id LIMIT ?`), b.brand, cutoff, Batch)
	if err != nil {
		return 0, fmt.Errorf("expired recordings of brand %d: %w", b.brand, err)
	}
	var todo []expired
	for rows.Next() {
		var e expired
		var held int
		if err := rows.Scan(&e.ID, &e.CallID, &e.Path, &e.SourcePath, &e.Storage, &e.KeyID, &held); err != nil {
			rows.Close()
			return 0, err
		}
		e.BrandID, e.held = b.brand, held == 1
		todo = append(todo, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, e := range todo {
		if e.held {
			if err := s.audit(ctx, e.Recording, recordings.ActionKeepHold, fmt.Sprintf("retention %d days; case on legal hold", b.days)); err != nil {
				return 0, err
			}
			res.Held++
			continue
		}
		if err := s.delete(ctx, e.Recording, b.days); err != nil {
			return 0, err
		}
		res.Deleted++
	}
	return len(todo), nil
}

func (s *Service) audit(ctx context.Context, rec recordings.Recording, action, detail string) error {
	return s.recs.Audit(ctx, recordings.AuditEntry{BrandID: rec.BrandID, RecordingID: rec.ID, CallID: rec.CallID,
		Action: action, Detail: detail, At: s.now().UTC()})
}

// delete removes one recording: files, then the audit row, then the rows (package doc).
func (s *Service) delete(ctx context.Context, rec recordings.Recording, days int) error {
	if err := s.recs.DeleteAudio(ctx, rec); err != nil {
		return err
	}
	if err := s.audit(ctx, rec, recordings.ActionDelete, fmt.Sprintf("retention %d days", days)); err != nil {
		return err
	}
	// Transcripts live in another package's table, which may not exist: by recording when
	// it names one, else by call.
	col, arg := "", int64(0)
	switch {
	case store.HasColumn(ctx, s.db, "call_transcripts", "recording_id"):
		col, arg = "recording_id", rec.ID
	case store.HasColumn(ctx, s.db, "call_transcripts", "call_id"):
		col, arg = "call_id", rec.CallID
	}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		if col != "" {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM call_transcripts WHERE `+col+` = ?`), arg); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM call_talk WHERE recording_id = ?`), rec.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM recordings WHERE id = ? AND brand_id = ?`), rec.ID, rec.BrandID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete recording %d: %w", rec.ID, err)
	}
	s.log.Info("recording deleted by retention", "recording", rec.ID, "call", rec.CallID, "brand", rec.BrandID, "days", days)
	return nil
}
