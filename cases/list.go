package cases

import (
	"context"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// CaseFilter selects cases for a list. Zero fields do not filter.
type CaseFilter struct {
	Statuses   []CaseStatus
	Type       CaseType
	Queue      string
	AssigneeID int64
	ParcelID   string
	Breached   bool  // only open cases with a clock past due
	Before     int64 // page cursor: cases older than this one (by id)
	Limit      int
}

// MaxCaseList bounds one page of cases.
const MaxCaseList = 200

// List returns a page of cases visible to scope, newest first, and the cursor of the next
// page (0 when this is the last).
func (s *CaseService) List(ctx context.Context, scope access.Scope, f CaseFilter) ([]CaseView, int64, error) {
	where, args := scope.SQL("c.brand_id", "c.origin_country", "c.destination_country")
	conds := []string{where}
	if len(f.Statuses) > 0 {
		conds = append(conds, "c.status IN ("+store.InList(len(f.Statuses))+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.Type != "" {
		add("c.type = ?", string(f.Type))
	}
	if f.Queue != "" {
		add("c.queue = ?", f.Queue)
	}
	if f.AssigneeID != 0 {
		add("c.assignee_id = ?", f.AssigneeID)
	}
	if f.ParcelID != "" {
		add("c.id IN (SELECT case_id FROM case_parcels WHERE parcel_id = ?)", f.ParcelID)
	}
	if f.Before > 0 {
		add("c.id < ?", f.Before)
	}
	now := s.now()
	if f.Breached {
		conds = append(conds, `c.status NOT IN ('resolved', 'closed') AND ((c.first_response_at IS NULL AND c.first_response_due <= ?)
			OR (c.sla_paused_at IS NULL AND c.resolution_due <= ?))`)
		args = append(args, now, now)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxCaseList {
		limit = 50
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(fmt.Sprintf(`SELECT %s FROM cases c WHERE %s ORDER BY c.id DESC LIMIT %d`,
		caseCols, strings.Join(conds, " AND "), limit+1)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	var list []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("list cases: %w", err)
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	var next int64
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID
	}
	configs := map[int64]SLAConfig{}
	out := make([]CaseView, 0, len(list))
	for _, c := range list {
		if err := loadCaseParcels(ctx, s.db, s.db.SQL, c); err != nil {
			return nil, 0, err
		}
		cfg, ok := configs[c.BrandID]
		if !ok {
			if cfg, err = loadSLAConfig(ctx, s.db, s.db.SQL, c.BrandID); err != nil {
				return nil, 0, err
			}
			configs[c.BrandID] = cfg
		}
		out = append(out, c.View(slaView(c, cfg, now)))
	}
	return out, next, nil
}

// Detail returns a case with its timeline, escalations and attachments.
func (s *CaseService) Detail(ctx context.Context, scope access.Scope, number string, brandID int64) (CaseView, error) {
	c, sla, err := s.Case(ctx, scope, number, brandID)
	if err != nil {
		return CaseView{}, err
	}
	v := c.View(sla)
	if c.MergedInto != nil {
		if v.MergedInto, err = caseNumber(ctx, s.db, s.db.SQL, *c.MergedInto); err != nil {
			return CaseView{}, err
		}
	}
	if v.Timeline, err = s.timeline(ctx, scope, c); err != nil {
		return CaseView{}, err
	}
	if v.Escalations, err = s.escalations(ctx, c.ID); err != nil {
		return CaseView{}, err
	}
	if v.Attachments, err = s.attachments(ctx, c.ID); err != nil {
		return CaseView{}, err
	}
	return v, nil
}
