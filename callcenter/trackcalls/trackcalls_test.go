package trackcalls_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/trackcalls"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// A screen pop's history: the caller's latest calls and the parcel's, newest first, within
// the agent's brands, without the ringing call, at most limit; an unknown caller has none.
func TestPastCallsOfTheScreenPop(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	add := func(brand int64, from, to, parcel, outcome string, minute int) int64 {
		var id int64
		if err := e.DB.SQL.QueryRowContext(ctx, e.DB.Rebind(`INSERT INTO calls (direction, mode, brand_id, from_uri, to_uri, parcel_id,
			started_at, ended_at, outcome) VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			brand, from, to, parcel, at.Add(time.Duration(minute)*time.Minute), at.Add(time.Duration(minute+1)*time.Minute), outcome).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	const caller = "+79131234567"
	first := add(e.BrandA, caller, "+78005550100", "", "answered", 0)
	aboutParcel := add(e.BrandA, "+79990000001", "+78005550100", "RB123456785GB", "abandoned", 5) // another number, the same parcel
	add(e.BrandB, caller, "+78005550100", "", "answered", 7)                                      // another brand's
	ringing := add(e.BrandA, caller, "+78005550100", "RB123456785GB", "", 9)

	got, err := trackcalls.Past(ctx, e.DB, access.Brands(e.BrandA), caller, "RB123456785GB", ringing, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint([]int64{aboutParcel, first}) {
		t.Fatalf("past calls %v, want %v (newest first, brand A only, not the ringing one)", ids, []int64{aboutParcel, first})
	}
	if c := got[1]; c.Outcome != "answered" || !c.StartedAt.Equal(at) || c.EndedAt == nil || !c.EndedAt.Equal(at.Add(time.Minute)) {
		t.Errorf("the first call reads %+v", c)
	}
	if got, _ := trackcalls.Past(ctx, e.DB, access.Brands(e.BrandA), caller, "", ringing, 1); len(got) != 1 || got[0].ID != first {
		t.Errorf("by phone, limit 1: %+v", got)
	}
	if got, _ := trackcalls.Past(ctx, e.DB, access.Brands(e.BrandA), "", "", ringing, 10); len(got) != 0 {
		t.Errorf("no phone and no parcel: %+v", got)
	}
}
