package tracking_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"

	"github.com/wismo/wismo/tracking/trackingtest"
)

// TestParcelsBySerial: the nine keypad digits of an S10 id find the brand's parcel, never
// another brand's; a wrong check digit or a short input finds nothing.
func TestParcelsBySerial(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	e.Upsert(e.ScopeB(), trackingtest.Parcel("EA001234568GB"))
	ctx := context.Background()
	if got, err := e.Tracking.ParcelsBySerial(ctx, e.ScopeA(), "123456785"); err != nil || len(got) != 1 || got[0].ID != "RB123456785GB" {
		t.Fatalf("brand A by the digits: %+v %v", got, err)
	}
	if got, _ := e.Tracking.ParcelsBySerial(ctx, e.ScopeA(), "001234568"); len(got) != 0 {
		t.Fatalf("brand A finds brand B's parcel: %+v", got)
	}
	for _, bad := range []string{"123456784", "12345678", "", "1234567850", "12345678%"} {
		if got, _ := e.Tracking.ParcelsBySerial(ctx, e.ScopeA(), bad); len(got) != 0 {
			t.Fatalf("%q found %+v", bad, got)
		}
	}
}

// TestParcelsBySerialUsesItsIndex: a keyed tracking number is one index lookup, not a read of
// every parcel (the hotline keys them under load over millions of parcels).
func TestParcelsBySerialUsesItsIndex(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	conn, err := e.DB.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	explain := "EXPLAIN QUERY PLAN "
	if e.DB.Dialect == store.Postgres {
		explain = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil { // an empty table is read whole otherwise
			t.Fatal(err)
		}
	}
	rows, err := conn.QueryContext(ctx, e.DB.Rebind(explain+"SELECT id FROM parcels WHERE "+tracking.SerialCond+" AND brand_id = ?"), "123456785", e.BrandA)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if s, ok := v.(string); ok {
				plan = append(plan, s)
			}
		}
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "parcels_serial") {
		t.Fatalf("the keyed lookup does not use index parcels_serial:\n%s", p)
	}
}
