package casepages

import (
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
)

// The view tabs' counts are reused for one viewer and filter set within the TTL, whatever the
// view, sort or page; another viewer, other filters, an expired entry or a change through the
// pages count again; a client varying its filters cannot grow the cache past its cap.
func TestCountCache(t *testing.T) {
	cc := newCountCache()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	q := cases.ViewQuery{View: cases.ViewOpen, Sort: cases.SortDue, Country: "RU"}
	counts := map[cases.View]cases.ViewCount{cases.ViewOpen: {N: 7}}
	cc.put(1, q, now, counts)

	other := q
	other.View, other.Sort, other.After = cases.ViewClosed, cases.SortCreated, "cursor"
	if got, ok := cc.get(1, other, now.Add(time.Second)); !ok || got[cases.ViewOpen].N != 7 {
		t.Fatalf("another view or page of the same filters should reuse the counts: %v %v", got, ok)
	}
	if _, ok := cc.get(2, q, now); ok {
		t.Fatal("another viewer must count for themselves")
	}
	filtered := q
	filtered.Country = "BY"
	if _, ok := cc.get(1, filtered, now); ok {
		t.Fatal("other filters must be counted")
	}
	if _, ok := cc.get(1, q, now.Add(countTTL)); ok {
		t.Fatal("counts older than the TTL must be counted again")
	}
	cc.changed()
	if _, ok := cc.get(1, q, now); ok {
		t.Fatal("a change through the pages must drop the counts")
	}
	for i := range 3 * countMax {
		f := q
		f.Region = string(rune('A'+i%26)) + time.Duration(i).String()
		cc.put(int64(i), f, now, counts)
	}
	if n := len(cc.m); n > countMax {
		t.Fatalf("the cache holds %d entries, past its cap of %d", n, countMax)
	}
}
