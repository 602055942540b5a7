// Package retention deletes call recordings older than their brand's retention and keeps
// those of calls linked to a case under legal hold (tables recording_retention and
// recording_holds, migration 00040; docs/recordings-storage.md).
//
// Guarantees:
//   - a brand with no retention set (or 0 days) keeps its recordings forever: deleting a
//     customer's call is a decision a brand makes, not a default;
//   - a recording is deleted only when it finished and started more than the brand's days
//     ago, and no hold that is not lifted names a case its call is linked to (call_cases);
//   - deleting removes the audio files first (the stored file and a WAV a conversion left),
//     then writes the audit row 'delete', then the rows: its talk analytics (call_talk), its
//     transcripts where a call_transcripts table exists, and the recording. A crash between
//     steps leaves a row the next sweep deletes again (an audit row twice, never none), never a
//     file of no row;
//   - a held recording past its retention gets one 'keep_hold' audit row per hold, however
//     often the sweep runs.
package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
)

// JobName is the background job that enforces retention (WISMO_JOBS).
const JobName = "recording-retention"

// The sweep's pace and limits.
const (
	Every   = time.Hour
	Batch   = 100
	MaxDays = 36500 // a hundred years: longer is "forever", which is 0
)

// Sentinel errors, mapped to statuses at the HTTP edge.
var (
	ErrNotFound = errors.New("not found")
	ErrLifted   = errors.New("hold already lifted")
)

// Service keeps retention settings and holds and runs the sweep.
type Service struct {
	db   *store.DB
	recs *recordings.Service
	log  *slog.Logger
	now  func() time.Time
}

// New returns the retention of recs' recordings in db.
func New(db *store.DB, recs *recordings.Service, log *slog.Logger) *Service {
	return &Service{db: db, recs: recs, log: log.With("component", "recording-retention"), now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Setting is a brand's retention.
type Setting struct {
	BrandID   int64      `json:"brand_id"`
	Days      int        `json:"days"` // 0: kept forever
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Days returns brand's retention (Days 0 when none is set).
func (s *Service) Days(ctx context.Context, brand int64) (Setting, error) {
	out := Setting{BrandID: brand}
	var at store.NullTime
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT days, updated_by, updated_at FROM recording_retention WHERE brand_id = ?`), brand).
		Scan(&out.Days, &out.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("retention of brand %d: %w", brand, err)
	}
	if at.Valid {
		t := at.Time
		out.UpdatedAt = &t
	}
	return out, nil
}

// SetDays sets brand's retention to days (0-MaxDays; 0 keeps forever), by whom.
func (s *Service) SetDays(ctx context.Context, brand int64, days int, by string) (Setting, error) {
	if days < 0 || days > MaxDays {
		return Setting{}, input.Invalid(input.Errorf("days", "must be 0 (keep forever) to %d, got %d", MaxDays, days))
	}
	now := s.now().UTC()
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO recording_retention (brand_id, days, updated_by, updated_at) VALUES (?,?,?,?)
		ON CONFLICT (brand_id) DO UPDATE SET days = excluded.days, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
		brand, days, by, now)
	if err != nil {
		return Setting{}, fmt.Errorf("set retention of brand %d: %w", brand, err)
	}
	return Setting{BrandID: brand, Days: days, UpdatedBy: by, UpdatedAt: &now}, nil
}
