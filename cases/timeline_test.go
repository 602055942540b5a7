package cases_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// callSource stands in for the call log of another domain.
type callSource struct {
	entries []cases.TimelineEntry
	asked   [][]string
	scopes  []access.Scope
}

func (s *callSource) TimelineFor(_ context.Context, scope access.Scope, parcelIDs []string) ([]cases.TimelineEntry, error) {
	s.asked = append(s.asked, parcelIDs)
	s.scopes = append(s.scopes, scope)
	return s.entries, nil
}

type failingSource struct{}

func (failingSource) TimelineFor(context.Context, access.Scope, []string) ([]cases.TimelineEntry, error) {
	return nil, fmt.Errorf("call log unavailable")
}

func TestSortTimeline(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	in := []cases.TimelineEntry{
		{At: t0.Add(2 * time.Hour), Kind: "event", Summary: "e2"},
		{At: t0, Kind: "event", Summary: "e0"},
		{At: t0.Add(time.Hour), Kind: "case", Summary: "c1"},
		{At: t0.Add(time.Hour), Kind: "note", Summary: "n1"},
		{At: t0.Add(-time.Hour), Kind: "call", Summary: "call"},
		{At: t0.Add(2 * time.Hour), Kind: "contact", Summary: "sms"},
	}
	cases.SortTimeline(in)
	var got []string
	for _, e := range in {
		got = append(got, e.Summary)
	}
	if want := []string{"call", "e0", "c1", "n1", "e2", "sms"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v (ties keep the gathering order)", got, want)
	}
}

func TestCaseTimeline(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	e.Events(e.ScopeA(), trackingtest.Event("RB123456785GB", "EMA", "2026-11-18T10:00:00Z"), trackingtest.Event("RB123456785GB", "EMC", "2026-11-19T08:00:00Z"))
	calls := &callSource{entries: []cases.TimelineEntry{
		{At: time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC), Kind: "call", Summary: "we called: no answer", Ref: "RB123456785GB"},
		{At: time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC), Kind: "contact", Summary: "SMS sent", Ref: "RB123456785GB"},
	}}
	e.Cases.AddTimelineSource(calls)
	e.Cases.AddTimelineSource(failingSource{})
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "non_receipt_or_delay", Note: "customer called"})
	e.Now = e.Now.Add(time.Hour)
	if _, err := e.Cases.AddNote(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, "asked the post"); err != nil {
		t.Fatal(err)
	}
	v, err := e.Cases.Detail(ctx, e.ScopeA(), c.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range v.Timeline {
		got = append(got, en.Kind+": "+en.Summary)
	}
	want := []string{
		"event: EMA Posting or collection of the item — London",
		"event: EMC Departure from outward office of exchange — London",
		"call: we called: no answer",
		"case: case opened (non_receipt_or_delay, normal, from agent)",
		"note: customer called",
		"contact: SMS sent",
		"note: asked the post",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("timeline\n%q\nwant\n%q", got, want)
	}
	if len(calls.asked) != 1 || !slices.Equal(calls.asked[0], []string{"RB123456785GB"}) || !calls.scopes[0].AllowsBrand(e.BrandA) {
		t.Fatalf("sources asked %v", calls.asked)
	}
	pt, err := e.Cases.ParcelTimeline(ctx, e.ScopeA(), "RB123456785GB")
	if err != nil || len(pt) != len(want) {
		t.Fatalf("parcel timeline: %d entries, %v", len(pt), err)
	}
	if _, err := e.Cases.ParcelTimeline(ctx, e.ScopeB(), "RB123456785GB"); !tracking.IsNotFound(err) {
		t.Fatalf("brand B reads brand A's parcel timeline: %v", err)
	}
}
