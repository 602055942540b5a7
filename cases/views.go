package cases

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/keyset"
)

// The agents' views of cases (the /cases page): a named selection, filters, one of four
// sorts, and keyset paging: a page ends with a cursor holding the last row's sort key and
// id, and the next page starts after it (no OFFSET, so the thousandth page costs what the
// first does, on the indexes cases_view_* of migration 00015).

// View names a selection of cases.
type View string

// The views.
const (
	ViewMine        View = "mine"         // open cases assigned to the viewer
	ViewUnassigned  View = "unassigned"   // open cases nobody has
	ViewDueSoon     View = "due_soon"     // open, resolution due within DueSoon
	ViewBreached    View = "breached"     // open with a clock past due
	ViewWaitingPost View = "waiting_post" // waiting for the partner post's answer
	ViewOpen        View = "open"         // every open case
	ViewClosed      View = "closed"       // resolved and closed
)

// Views lists the views in the order the page shows them.
var Views = []View{ViewMine, ViewUnassigned, ViewDueSoon, ViewBreached, ViewWaitingPost, ViewOpen, ViewClosed}

// Sort orders a view.
type Sort string

// The sorts: SLA due (soonest first), last update, creation, priority (newest and most
// urgent first).
const (
	SortDue      Sort = "due"
	SortUpdated  Sort = "updated"
	SortCreated  Sort = "created"
	SortPriority Sort = "priority"
)

// Sorts lists the sorts.
var Sorts = []Sort{SortDue, SortUpdated, SortCreated, SortPriority}

// DueSoon is how far ahead the "due soon" view looks.
const DueSoon = 4 * time.Hour

// CountCap bounds a view's count: beyond it the page says "1,000+" (counting every row of a
// large view would cost more than showing it).
const CountCap = 1000

// ViewQuery asks for one page of a view.
type ViewQuery struct {
	View       View
	Sort       Sort
	Me         int64 // the viewer (ViewMine)
	BrandID    int64
	Type       CaseType
	Status     CaseStatus
	Source     Source
	Country    string // destination country
	Region     string // destination region (ISO 3166-2, e.g. RU-NVS)
	AssigneeID int64
	After      string // the cursor of the previous page's end ("" is the first page)
	Limit      int
}

// ViewPage is a page of a view.
type ViewPage struct {
	Cases []CaseView
	// Next is the cursor of the next page ("" when this is the last).
	Next string
}

const openStatuses = `('new', 'open', 'waiting_customer', 'waiting_partner_post')`

// where builds the view's and filters' conditions (without the cursor).
func (q ViewQuery) where(scope access.Scope, now time.Time) (string, []any) {
	w, args := scope.SQL("brand_id", "origin_country", "destination_country")
	conds := []string{w}
	add := func(cond string, v ...any) {
		conds = append(conds, cond)
		args = append(args, v...)
	}
	switch q.View {
	case ViewMine:
		add("status IN "+openStatuses+" AND assignee_id = ?", q.Me)
	case ViewUnassigned:
		add("status IN " + openStatuses + " AND assignee_id IS NULL")
	case ViewDueSoon:
		add("status IN "+openStatuses+" AND sla_paused_at IS NULL AND resolution_due > ? AND resolution_due <= ?", now, now.Add(DueSoon))
	case ViewBreached:
		add(`status IN `+openStatuses+` AND ((first_response_at IS NULL AND first_response_due <= ?)
			OR (sla_paused_at IS NULL AND resolution_due <= ?))`, now, now)
	case ViewWaitingPost:
		add("status = 'waiting_partner_post'")
	case ViewClosed:
		add("status IN ('resolved', 'closed')")
	default:
		add("status IN " + openStatuses)
	}
	if q.BrandID != 0 {
		add("brand_id = ?", q.BrandID)
	}
	if q.Type != "" {
		add("type = ?", string(q.Type))
	}
	if q.Status != "" {
		add("status = ?", string(q.Status))
	}
	if q.Source != "" {
		add("source = ?", string(q.Source))
	}
	if q.Country != "" {
		add("destination_country = ?", strings.ToUpper(q.Country))
	}
	if q.Region != "" {
		add("destination_region = ?", strings.ToUpper(q.Region))
	}
	if q.AssigneeID != 0 {
		add("assignee_id = ?", q.AssigneeID)
	}
	return strings.Join(conds, " AND "), args
}

// sortKey is a sort's column and direction.
func (s Sort) key() (col string, desc bool) {
	switch s {
	case SortUpdated:
		return "updated_at", true
	case SortCreated:
		return "id", true
	case SortPriority:
		return "priority_rank", true
	}
	return "resolution_due", false
}

// ErrBadCursor is a page cursor that this code did not write.
var ErrBadCursor = keyset.ErrBadCursor

// ViewPage returns one page of a view of the cases visible to scope.
func (s *CaseService) ViewPage(ctx context.Context, scope access.Scope, q ViewQuery) (ViewPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > MaxCaseList {
		limit = 50
	}
	var after *keyset.Cursor
	if q.After != "" {
		c, err := keyset.Parse(q.After)
		if err != nil {
			return ViewPage{}, ErrBadCursor
		}
		after = &c
	}
	now := s.now()
	where, args := q.where(scope, now)
	col, desc := q.Sort.key()
	brands, err := s.viewBrands(ctx, scope, q)
	if err != nil {
		return ViewPage{}, err
	}
	var list []*Case
	if q.Sort == SortDue || q.Sort == "" {
		// First the cases with a due time, soonest first; then those without, by id.
		if after == nil || !after.Null {
			cond, cargs := keyset.After(col, desc, after)
			part, err := s.viewRows(ctx, brands, where+" AND resolution_due IS NOT NULL"+cond, append(args, cargs...), col, desc, limit+1)
			if err != nil {
				return ViewPage{}, err
			}
			list = part
			after = nil
		}
		if len(list) <= limit {
			cond, cargs := keyset.After("id", false, after)
			part, err := s.viewRows(ctx, brands, where+" AND resolution_due IS NULL"+cond, append(args, cargs...), "id", false, limit+1-len(list))
			if err != nil {
				return ViewPage{}, err
			}
			list = append(list, part...)
		}
	} else {
		cond, cargs := keyset.After(col, desc, after)
		part, err := s.viewRows(ctx, brands, where+cond, append(args, cargs...), col, desc, limit+1)
		if err != nil {
			return ViewPage{}, err
		}
		list = part
	}
	var page ViewPage
	if len(list) > limit {
		list = list[:limit]
		page.Next = cursorOf(list[limit-1], q.Sort).String()
	}
	views, err := s.views(ctx, list, now)
	page.Cases = views
	return page, err
}

func cursorOf(c *Case, s Sort) keyset.Cursor {
	switch s {
	case SortUpdated:
		return keyset.Cursor{Time: c.UpdatedAt, ID: c.ID}
	case SortCreated:
		return keyset.Cursor{Int: c.ID, ID: c.ID}
	case SortPriority:
		return keyset.Cursor{Int: int64(c.Priority.Rank()), ID: c.ID}
	}
	if c.SLA.ResolutionDue == nil {
		return keyset.Cursor{Null: true, ID: c.ID}
	}
	return keyset.Cursor{Time: *c.SLA.ResolutionDue, ID: c.ID}
}

func viewSQL(where, order string, limit int) string {
	return fmt.Sprintf(`SELECT %s FROM cases WHERE %s ORDER BY %s LIMIT %d`, caseCols, where, order, limit)
}

// viewRows reads up to limit cases in (col, id) order. A viewer of several brands gets one
// query per brand, each walking that brand's index, merged here: one query over all the
// brands would sort every matching case.
func (s *CaseService) viewRows(ctx context.Context, brands []int64, where string, args []any, col string, desc bool, limit int) ([]*Case, error) {
	if limit <= 0 {
		return nil, nil
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	order := col + " " + dir
	if col != "id" {
		order += ", id " + dir
	}
	if len(brands) == 0 {
		return s.queryCases(ctx, viewSQL(where, order, limit), args)
	}
	var out []*Case
	for _, b := range brands {
		part, err := s.queryCases(ctx, viewSQL(where+" AND brand_id = ?", order, limit), append(slices.Clone(args), b))
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	slices.SortFunc(out, func(a, b *Case) int {
		c := compareKey(a, b, col)
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
	return out[:min(len(out), limit)], nil
}

// compareKey compares two cases by a view's sort column.
func compareKey(a, b *Case, col string) int {
	switch col {
	case "updated_at":
		return a.UpdatedAt.Compare(b.UpdatedAt)
	case "priority_rank":
		return cmp.Compare(a.Priority.Rank(), b.Priority.Rank())
	case "resolution_due":
		if a.SLA.ResolutionDue != nil && b.SLA.ResolutionDue != nil {
			return a.SLA.ResolutionDue.Compare(*b.SLA.ResolutionDue)
		}
	}
	return 0
}

func (s *CaseService) queryCases(ctx context.Context, query string, args []any) ([]*Case, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("case view: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("case view: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// viewBrands are the brands a view queries one by one (nil: one query, as for one brand).
func (s *CaseService) viewBrands(ctx context.Context, scope access.Scope, q ViewQuery) ([]int64, error) {
	if q.BrandID != 0 {
		return nil, nil
	}
	if _, _, post := scope.Post(); post {
		return nil, nil
	}
	if !scope.All() {
		if ids := scope.BrandIDs(); len(ids) > 1 {
			return ids, nil
		}
		return nil, nil
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id FROM brands ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("brands: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// views evaluates the SLA clocks of listed cases (each brand's configuration read once).
func (s *CaseService) views(ctx context.Context, list []*Case, now time.Time) ([]CaseView, error) {
	configs := map[int64]SLAConfig{}
	out := make([]CaseView, 0, len(list))
	for _, c := range list {
		cfg, ok := configs[c.BrandID]
		if !ok {
			var err error
			if cfg, err = loadSLAConfig(ctx, s.db, s.db.SQL, c.BrandID); err != nil {
				return nil, err
			}
			configs[c.BrandID] = cfg
		}
		out = append(out, c.View(slaView(c, cfg, now)))
	}
	return out, nil
}

// ViewCount is how many cases a view holds, exactly up to CountCap (Capped: more than that).
type ViewCount struct {
	N      int
	Capped bool
}

// CountViews counts every view for scope with the query's filters (its View and cursor are
// ignored), each stopping at CountCap+1 rows.
func (s *CaseService) CountViews(ctx context.Context, scope access.Scope, q ViewQuery) (map[View]ViewCount, error) {
	now := s.now()
	out := map[View]ViewCount{}
	for _, v := range Views {
		q.View = v
		where, args := q.where(scope, now)
		var n int
		err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE %s LIMIT %d) t`,
			where, CountCap+1)), args...).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("count view %s: %w", v, err)
		}
		out[v] = ViewCount{N: min(n, CountCap), Capped: n > CountCap}
	}
	return out, nil
}
