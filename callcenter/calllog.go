package callcenter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// CallLog stores a row per call and per leg.
type CallLog struct {
	db *store.DB
	// disposed hears every disposition recorded, with the time the customer asked to be
	// called back (zero when none): the Placer hands it to the dialer (placer.go).
	disposed func(ctx context.Context, c Call, callbackAt time.Time)
}

// NewCallLog returns the call log over db.
func NewCallLog(db *store.DB) *CallLog { return &CallLog{db: db} }

// Create inserts c (without legs) and sets its ID.
func (l *CallLog) Create(ctx context.Context, c *Call) error {
	row := toCallRow(c)
	if err := l.db.Gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("log call: %w", err)
	}
	c.ID = row.ID
	return nil
}

// Update writes every field of c (without legs) but the agent's disposition and note,
// which wrap-up may have written meanwhile (SetDisposition, SetNote).
func (l *CallLog) Update(ctx context.Context, c *Call) error {
	row := toCallRow(c)
	if err := l.db.Gorm.WithContext(ctx).Omit("disposition", "note").Save(&row).Error; err != nil {
		return fmt.Errorf("update call %d: %w", c.ID, err)
	}
	return nil
}

// AddLeg inserts leg g of its call and sets its ID.
func (l *CallLog) AddLeg(ctx context.Context, g *Leg) error {
	row := toLegRow(g)
	if err := l.db.Gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("log leg of call %d: %w", g.CallID, err)
	}
	g.ID = row.ID
	return nil
}

// UpdateLeg writes every field of g.
func (l *CallLog) UpdateLeg(ctx context.Context, g *Leg) error {
	row := toLegRow(g)
	if err := l.db.Gorm.WithContext(ctx).Save(&row).Error; err != nil {
		return fmt.Errorf("update leg %d: %w", g.ID, err)
	}
	return nil
}

// List returns the calls scope may see that match f, newest first, with their legs.
// Calls not yet matched to a brand are seen only by operators.
func (l *CallLog) List(ctx context.Context, scope access.Scope, f CallFilter) ([]Call, error) {
	where, args := scope.SQL("brand_id", "", "")
	q := l.db.Gorm.WithContext(ctx).Where(where, args...)
	if f.Direction != "" {
		q = q.Where("direction = ?", f.Direction)
	}
	if f.Outcome != "" {
		q = q.Where("outcome = ?", string(f.Outcome))
	}
	if f.AgentID != 0 {
		q = q.Where("agent_id = ?", f.AgentID)
	}
	if f.ParcelID != "" {
		q = q.Where("parcel_id = ?", f.ParcelID)
	}
	if f.SIPCallID != "" {
		q = q.Where("sip_call_id = ?", f.SIPCallID)
	}
	if !f.Since.IsZero() {
		q = q.Where("started_at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("started_at < ?", f.Until.UTC())
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var rows []callRow
	if err := q.Order("started_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	if len(rows) == 0 {
		return []Call{}, nil
	}
	ids := make([]int64, len(rows))
	byID := map[int64]int{}
	out := make([]Call, len(rows))
	for i, r := range rows {
		out[i], ids[i], byID[r.ID] = r.toCall(), r.ID, i
	}
	var legs []legRow
	if err := l.db.Gorm.WithContext(ctx).Where("call_id IN ?", ids).Order("id").Find(&legs).Error; err != nil {
		return nil, fmt.Errorf("list legs: %w", err)
	}
	for _, g := range legs {
		i := byID[g.CallID]
		out[i].Legs = append(out[i].Legs, g.toLeg())
	}
	return out, nil
}

// Get returns call id with its legs if scope may see it, else ErrNotFound.
func (l *CallLog) Get(ctx context.Context, scope access.Scope, id int64) (Call, error) {
	where, args := scope.SQL("brand_id", "", "")
	var row callRow
	err := l.db.Gorm.WithContext(ctx).Where(where, args...).Where("id = ?", id).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Call{}, fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Call{}, fmt.Errorf("call %d: %w", id, err)
	}
	c := row.toCall()
	var legs []legRow
	if err := l.db.Gorm.WithContext(ctx).Where("call_id = ?", id).Order("id").Find(&legs).Error; err != nil {
		return Call{}, err
	}
	for _, g := range legs {
		c.Legs = append(c.Legs, g.toLeg())
	}
	return c, nil
}

// SetDisposition records the agent's disposition of an answered call.
func (l *CallLog) SetDisposition(ctx context.Context, scope access.Scope, id int64, disposition string) error {
	return l.Dispose(ctx, scope, id, disposition, time.Time{})
}

// Dispose records the agent's disposition of an answered call and hands it on, with the
// time the customer asked to be called back (callback_requested; zero: none), to the
// dialer's attempt algorithm or the callbacks.
func (l *CallLog) Dispose(ctx context.Context, scope access.Scope, id int64, disposition string, callbackAt time.Time) error {
	if err := l.setDisposition(ctx, scope, id, disposition); err != nil {
		return err
	}
	if l.disposed != nil {
		c, err := l.Get(ctx, scope, id)
		if err != nil {
			return err
		}
		l.disposed(ctx, c, callbackAt)
	}
	return nil
}

func (l *CallLog) setDisposition(ctx context.Context, scope access.Scope, id int64, disposition string) error {
	if disposition == "" {
		return fmt.Errorf("%w: empty disposition", ErrInvalid)
	}
	where, args := scope.SQL("brand_id", "", "")
	res := l.db.Gorm.WithContext(ctx).Model(&callRow{}).Where(where, args...).
		Where("id = ? AND outcome = ?", id, string(Answered)).Update("disposition", disposition)
	if res.Error != nil {
		return fmt.Errorf("dispose call %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("answered call %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetNote records the agent's note on a call scope may see.
func (l *CallLog) SetNote(ctx context.Context, scope access.Scope, id int64, note string) error {
	if len(note) > 4000 {
		return fmt.Errorf("%w: a note has at most 4000 bytes", ErrInvalid)
	}
	where, args := scope.SQL("brand_id", "", "")
	res := l.db.Gorm.WithContext(ctx).Model(&callRow{}).Where(where, args...).Where("id = ?", id).Update("note", note)
	if res.Error != nil {
		return fmt.Errorf("note on call %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	return nil
}
