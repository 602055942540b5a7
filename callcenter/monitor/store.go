package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
)

// sessionRow is a row of monitor_sessions.
type sessionRow struct {
	ID        int64 `gorm:"primaryKey"`
	BrandID   *int64
	CallID    int64
	UserID    int64
	Mode      string
	Modes     string
	StartedAt time.Time
	EndedAt   *time.Time
}

func (sessionRow) TableName() string { return "monitor_sessions" }

func toRow(s Session) sessionRow {
	modes, _ := json.Marshal(s.Modes)
	r := sessionRow{ID: s.ID, CallID: s.CallID, UserID: s.UserID, Mode: s.Mode, Modes: string(modes), StartedAt: s.StartedAt, EndedAt: s.EndedAt}
	if s.BrandID != 0 {
		r.BrandID = &s.BrandID
	}
	return r
}

func toSession(r sessionRow) Session {
	s := Session{ID: r.ID, CallID: r.CallID, UserID: r.UserID, Mode: r.Mode, StartedAt: r.StartedAt.UTC(), EndedAt: r.EndedAt}
	if r.BrandID != nil {
		s.BrandID = *r.BrandID
	}
	if s.EndedAt != nil {
		t := s.EndedAt.UTC()
		s.EndedAt = &t
	}
	if err := json.Unmarshal([]byte(r.Modes), &s.Modes); err != nil {
		s.Modes = nil
	}
	return s
}

func (s *Service) insert(ctx context.Context, se *Session) error {
	r := toRow(*se)
	if err := s.db.Gorm.WithContext(ctx).Create(&r).Error; err != nil {
		return fmt.Errorf("log monitoring of call %d: %w", se.CallID, err)
	}
	se.ID = r.ID
	return nil
}

func (s *Service) update(ctx context.Context, se Session) error {
	r := toRow(se)
	err := s.db.Gorm.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", se.ID).
		Updates(map[string]any{"mode": r.Mode, "modes": r.Modes}).Error
	if err != nil {
		return fmt.Errorf("log mode of monitoring session %d: %w", se.ID, err)
	}
	return nil
}

func (s *Service) end(ctx context.Context, id int64, at time.Time) error {
	return s.db.Gorm.WithContext(ctx).Model(&sessionRow{}).Where("id = ? AND ended_at IS NULL", id).Update("ended_at", at).Error
}

// Sessions is the monitoring log of call callID (every call of scope's brands when 0),
// newest first, at most limit (1-500).
func (s *Service) Sessions(ctx context.Context, scope access.Scope, callID int64, limit int) ([]Session, error) {
	where, args := scope.SQL("brand_id", "", "")
	q := s.db.Gorm.WithContext(ctx).Where(where, args...)
	if callID != 0 {
		// The call itself must be one of scope's: another brand's call is not found, not empty.
		var n int64
		if err := s.db.Gorm.WithContext(ctx).Table("calls").Where(where, args...).Where("id = ?", callID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("monitoring log: %w", err)
		}
		if n == 0 {
			return nil, ErrNoCall
		}
		q = q.Where("call_id = ?", callID)
	}
	var rows []sessionRow
	if err := q.Order("started_at DESC, id DESC").Limit(min(max(limit, 1), 500)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("monitoring log: %w", err)
	}
	out := make([]Session, len(rows))
	for i, r := range rows {
		out[i] = toSession(r)
	}
	return out, nil
}
