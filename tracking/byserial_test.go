package tracking_test

import (
	"context"
	"testing"

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
