package cases

import (
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/keyset"
	"github.com/wismo/wismo/store/storetest"
)

// Every view page of one brand (but Due soon by other keys than due) reads an index in the sort's order: SQLite's plan has no
// "TEMP B-TREE FOR ORDER BY" (a sort of every matching case, which at 200,000 cases is what
// makes a list slow), whatever the view, sort or cursor.
func TestViewPagesWalkAnIndexInSortOrder(t *testing.T) {
	db := storetest.Open(t)
	if db.Dialect != store.SQLite {
		t.Skip("the plan is SQLite's; PostgreSQL chooses by its statistics")
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, v := range Views {
		for _, srt := range Sorts {
			if v == ViewDueSoon && srt != SortDue {
				continue // the matches are those due within DueSoon: few, and sorted in memory
			}
			after := &keyset.Cursor{Time: now, ID: 10}
			if srt == SortPriority || srt == SortCreated {
				after = &keyset.Cursor{Int: 2, ID: 10}
			}
			q := ViewQuery{View: v, Sort: srt, Me: 1}
			where, args := q.where(access.Brands(1), now)
			col, desc := srt.key()
			cond, cargs := keyset.After(col, desc, after)
			dir := map[bool]string{true: "DESC", false: "ASC"}[desc]
			order := col + " " + dir
			if col != "id" {
				order += ", id " + dir
			}
			if srt == SortDue {
				where += " AND resolution_due IS NOT NULL"
			}
			rows, err := db.SQL.Query("EXPLAIN QUERY PLAN "+viewSQL(where+cond, order, 51), append(args, cargs...)...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			if p := strings.Join(plan, "; "); strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("view %s sorted by %s sorts every match: %s", v, srt, p)
			}
			// An agent's first view walks only their own cases (migration 00019), not every
			// open case of the brand filtered by assignee.
			if p := strings.Join(plan, "; "); v == ViewMine && srt == SortDue && !strings.Contains(p, "cases_view_mine_due") {
				t.Errorf("My open by SLA due should walk the viewer's own cases (cases_view_mine_due): %s", p)
			}
		}
	}
}
