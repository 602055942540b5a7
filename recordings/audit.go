package recordings

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
)

// Audit actions: a person played, downloaded or exported a recording; the retention job
// deleted one or kept one because its case is on legal hold.
const (
	ActionPlay     = "play"
	ActionDownload = "download"
	ActionExport   = "export"
	ActionDelete   = "delete"
	ActionKeepHold = "keep_hold"
)

// AuditEntry is one row of the recordings' audit log. UserID 0 is the system (a job).
type AuditEntry struct {
	ID          int64     `json:"id"`
	BrandID     int64     `json:"brand_id,omitempty"`
	RecordingID int64     `json:"recording_id"`
	CallID      int64     `json:"call_id"`
	UserID      int64     `json:"user_id,omitempty"`
	Action      string    `json:"action"`
	Detail      string    `json:"detail,omitempty"`
	At          time.Time `json:"at"`
}

// Audit appends e to the audit log (At defaults to now).
func (s *Service) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	row := auditRow{BrandID: nzID(e.BrandID), RecordingID: e.RecordingID, CallID: e.CallID, UserID: nzID(e.UserID),
		Action: e.Action, Detail: e.Detail, At: e.At.UTC()}
	if err := s.db.Gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("audit %s of recording %d: %w", e.Action, e.RecordingID, err)
	}
	return nil
}

// AuditLog returns the newest audit rows scope may see (of recordingID only when not 0),
// at most limit (1-500).
func (s *Service) AuditLog(ctx context.Context, scope access.Scope, recordingID int64, limit int) ([]AuditEntry, error) {
	limit = min(max(limit, 1), 500)
	where, args := scope.SQL("brand_id", "", "")
	q := s.db.Gorm.WithContext(ctx).Where(where, args...)
	if recordingID != 0 {
		q = q.Where("recording_id = ?", recordingID)
	}
	var rows []auditRow
	if err := q.Order("at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("recordings audit log: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, RecordingID: r.RecordingID, CallID: r.CallID, Action: r.Action, Detail: r.Detail, At: r.At}
		if r.BrandID != nil {
			out[i].BrandID = *r.BrandID
		}
		if r.UserID != nil {
			out[i].UserID = *r.UserID
		}
	}
	return out, nil
}

type auditRow struct {
	ID          int64 `gorm:"primaryKey"`
	BrandID     *int64
	RecordingID int64
	CallID      int64
	UserID      *int64
	Action      string
	Detail      string
	At          time.Time
}

func (auditRow) TableName() string { return "recording_audit" }
