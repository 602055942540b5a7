package cases_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// Paging a view by any sort visits every case once: no duplicates and no gaps, with many
// cases sharing a sort key (same priority, same update time, no due time at all).
func TestViewKeysetPagingHasNoDuplicatesOrGaps(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	var ps []tracking.ParcelInput
	for i := range 30 {
		ps = append(ps, trackingtest.Parcel(tracking.MakeS10("RB", 100000+i, "GB")))
	}
	e.Upsert(e.ScopeA(), ps...)
	prios := []string{"low", "normal", "high", "urgent"}
	want := map[string]bool{}
	for i, p := range ps {
		if i%3 == 0 { // three cases share each instant
			e.Now = e.Now.Add(time.Minute)
		}
		c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{p.ID}, Type: "damage", Priority: prios[i%4]})
		want[c.Number] = true
	}
	// Some cases lose their resolution clock (they list after the others when sorted by due time).
	e.Count(`SELECT COUNT(*) FROM cases`) // the table is there
	if _, err := e.DB.SQL.Exec(e.DB.Rebind(`UPDATE cases SET resolution_due = NULL WHERE id % 7 = 0`)); err != nil {
		t.Fatal(err)
	}
	// Brand B's cases never show in A's views; a viewer of both brands pages through all.
	var psB []tracking.ParcelInput
	for i := range 7 {
		psB = append(psB, trackingtest.Parcel(tracking.MakeS10("RB", 500000+i, "GB")))
	}
	e.Upsert(e.ScopeB(), psB...)
	wantBoth := maps.Clone(want)
	for i, p := range psB {
		c := e.Open(e.ScopeB(), cases.CaseInput{Parcels: []string{p.ID}, Type: "damage", Priority: prios[(i+1)%4]})
		wantBoth[c.Number] = true
	}
	for _, tc := range []struct {
		name  string
		scope access.Scope
		want  map[string]bool
	}{{"brand A", e.ScopeA(), want}, {"brands A and B", access.Brands(e.BrandA, e.BrandB), wantBoth}, {"operator", access.Operator(), wantBoth}} {
		for _, sort := range cases.Sorts {
			t.Run(tc.name+"/"+string(sort), func(t *testing.T) {
				want := tc.want
				seen := map[string]int{}
				var order []string
				after := ""
				for pages := 0; ; pages++ {
					if pages > 20 {
						t.Fatal("paging does not end")
					}
					page, err := e.Cases.ViewPage(ctx, tc.scope, cases.ViewQuery{View: cases.ViewOpen, Sort: sort, After: after, Limit: 4})
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range page.Cases {
						seen[c.Number]++
						order = append(order, c.Number)
					}
					if page.Next == "" {
						break
					}
					after = page.Next
				}
				for n := range want {
					if seen[n] != 1 {
						t.Errorf("case %s listed %d times (order %v)", n, seen[n], order)
					}
				}
				if len(seen) != len(want) {
					t.Errorf("listed %d cases, want %d: %v", len(seen), len(want), order)
				}
				// The whole list in one page has the same order.
				all, err := e.Cases.ViewPage(ctx, tc.scope, cases.ViewQuery{View: cases.ViewOpen, Sort: sort, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var one []string
				for i, c := range all.Cases {
					one = append(one, c.Number)
					if i > 0 && outOfOrder(sort, all.Cases[i-1], c) {
						t.Errorf("%s before %s is out of %s order", all.Cases[i-1].Number, c.Number, sort)
					}
				}
				if !slices.Equal(one, order) {
					t.Errorf("paged order %v differs from the one-page order %v", order, one)
				}
			})
		}
	}
	counts, err := e.Cases.CountViews(ctx, e.ScopeA(), cases.ViewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if counts[cases.ViewOpen].N != 30 || counts[cases.ViewUnassigned].N != 30 || counts[cases.ViewClosed].N != 0 || counts[cases.ViewOpen].Capped {
		t.Errorf("counts: %+v", counts)
	}
	if _, err := e.Cases.ViewPage(ctx, e.ScopeA(), cases.ViewQuery{After: "garbage"}); !errors.Is(err, cases.ErrBadCursor) {
		t.Errorf("a broken cursor: %v", err)
	}
}

// Two writers read version 1; the second to write is refused (409/412), and its change is
// not applied over the first's. A writer that names no version still changes the case.
func TestOptimisticLockingRefusesTheSecondWriter(t *testing.T) {
	e := casestest.New(t)
	app := caseAPI(e)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"})
	get := func() (cases.CaseView, string) {
		req := httptestRequest("GET", "/api/v1/cases/"+c.Number, e.KeyA, "", "")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		var v cases.CaseView
		decodeJSON(t, resp, &v)
		return v, resp.Header.Get("ETag")
	}
	v, tag := get()
	if tag != `"1"` || v.Version != 1 {
		t.Fatalf("a new case: ETag %q, version %d", tag, v.Version)
	}
	patch := func(ifMatch, body string) (int, string) {
		resp, err := app.Test(httptestRequest("PATCH", "/api/v1/cases/"+c.Number, e.KeyA, ifMatch, body), -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(resp)
	}
	if st, body := patch(tag, `{"priority": "high"}`); st != 200 {
		t.Fatalf("first writer: %d %s", st, body)
	}
	st, body := patch(tag, `{"priority": "low"}`)
	if st != 412 || !contains(body, "changed by someone else") {
		t.Fatalf("second writer on version 1: %d %s", st, body)
	}
	if v, tag := get(); v.Priority != "high" || tag != `"2"` {
		t.Fatalf("after the refused write: priority %s, ETag %s (want the first writer's high, \"2\")", v.Priority, tag)
	}
	if st, body := patch("", `{"priority": "urgent"}`); st != 200 {
		t.Fatalf("a client without If-Match: %d %s", st, body)
	}
	// In the service: IfVersion on a stale version is ErrStale.
	_, err := e.Cases.AddNote(cases.IfVersion(context.Background(), 1), e.ScopeA(), casestest.AgentA, c.Number, 0, "late note")
	var se *cases.StaleError
	if !errors.As(err, &se) || !errors.Is(err, cases.ErrStale) || se.Have != 3 {
		t.Fatalf("stale note: %v", err)
	}
}

// Merging closes the duplicate as such, links it to the target (whose SLA stands) and puts
// its log on the target's timeline.
func TestMergeClosesTheDuplicateIntoTheTarget(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel(tracking.MakeS10("RB", 200000, "GB")))
	target := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"})
	e.Now = e.Now.Add(time.Hour)
	dup := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{tracking.MakeS10("RB", 200000, "GB")}, Type: "damage", Note: "the same box again"})
	before, _, err := e.Cases.Case(ctx, e.ScopeA(), target.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kept cases.CaseView
	if st := trackingtest.Call(t, caseAPI(e), "POST", "/api/v1/cases/"+dup.Number+"/merge", e.KeyA, "", []byte(`{"into": "`+target.Number+`"}`), &kept); st != 200 || kept.Number != target.Number {
		t.Fatalf("merge over the API: %d %+v", st, kept.Number)
	}
	d, err := e.Cases.Detail(ctx, e.ScopeA(), dup.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != cases.StatusClosed || d.ResolutionCode != "duplicate" || d.MergedInto != target.Number {
		t.Fatalf("the duplicate: %s %s merged into %q", d.Status, d.ResolutionCode, d.MergedInto)
	}
	tv, err := e.Cases.Detail(ctx, e.ScopeA(), target.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tv.SLA.Resolution.Due == nil || !tv.SLA.Resolution.Due.Equal(*before.SLA.ResolutionDue) || tv.Status != cases.StatusNew {
		t.Errorf("the target's SLA or status moved: %+v %s", tv.SLA.Resolution, tv.Status)
	}
	if !slices.Contains(tv.Parcels, tracking.MakeS10("RB", 200000, "GB")) {
		t.Errorf("the duplicate's parcel is not on the target: %v", tv.Parcels)
	}
	found := false
	for _, en := range tv.Timeline {
		if en.Kind == "note" && en.Summary == "the same box again" && en.Ref == dup.Number {
			found = true
		}
	}
	if !found {
		t.Errorf("the duplicate's note is not on the target's timeline: %+v", tv.Timeline)
	}
	if st := trackingtest.Call(t, caseAPI(e), "POST", "/api/v1/cases/"+dup.Number+"/merge", e.KeyA, "", []byte(`{"into": "`+target.Number+`"}`), nil); st != 409 {
		t.Errorf("merging twice over the API: %d", st)
	}
	if _, err := e.Cases.Merge(ctx, e.ScopeB(), casestest.AgentA, dup.Number, 0, target.Number); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("another brand merging: %v", err)
	}
}

func httptestRequest(method, path, key, ifMatch, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	return req
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// outOfOrder reports whether a listed before b breaks the sort (ties are ordered by id).
func outOfOrder(sort cases.Sort, a, b cases.CaseView) bool {
	switch sort {
	case cases.SortUpdated:
		return a.UpdatedAt.Before(b.UpdatedAt)
	case cases.SortPriority:
		return a.Priority.Rank() < b.Priority.Rank()
	case cases.SortDue:
		da, db := a.SLA.Resolution.Due, b.SLA.Resolution.Due
		return (da == nil && db != nil) || (da != nil && db != nil && da.After(*db))
	}
	return false
}
