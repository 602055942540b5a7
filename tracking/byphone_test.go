package tracking_test

import (
	"context"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

func TestParcelsByPhone(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	other := trackingtest.Parcel("EA001234568GB")
	other.Recipient.Phone = "+7 913 765-43-21"
	if res := e.Upsert(e.ScopeB(), other); res[0].Status != tracking.StatusAccepted {
		t.Fatalf("%+v", res[0])
	}
	ctx := context.Background()
	got, err := e.Tracking.ParcelsByPhone(ctx, e.ScopeA(), "+79131234567")
	if err != nil || len(got) != 1 || got[0].ID != "RB123456785GB" || got[0].BrandID != e.BrandA {
		t.Fatalf("brand A by its recipient's phone: %+v %v", got, err)
	}
	if got, _ := e.Tracking.ParcelsByPhone(ctx, e.ScopeB(), "+79131234567"); len(got) != 0 {
		t.Fatalf("brand B sees brand A's parcel by phone: %+v", got)
	}
	if got, _ := e.Tracking.ParcelsByPhone(ctx, access.Operator(), "+79137654321"); len(got) != 1 || got[0].BrandID != e.BrandB {
		t.Fatalf("the operator sees %+v for the second phone", got)
	}
	if got, _ := e.Tracking.ParcelsByPhone(ctx, e.ScopeA(), ""); len(got) != 0 {
		t.Fatal("empty phone matched")
	}
}

// A case page's list of the recipient's other parcels: the same brand's, the case's own left
// out, another brand's never, ids and phases from one query.
func TestRecipientsOtherParcels(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel("EA001234568GB"))
	e.Upsert(e.ScopeB(), trackingtest.Parcel("CP123456785DE")) // brand B, same phone
	ctx := context.Background()
	got, err := e.Tracking.RecipientsOtherParcels(ctx, e.ScopeA(), e.BrandA, "+79131234567", "RB123456785GB")
	if err != nil || len(got) != 1 || got[0].ID != "EA001234568GB" || got[0].Phase == "" {
		t.Fatalf("brand A's other parcel of the recipient: %+v %v", got, err)
	}
	if got, _ := e.Tracking.RecipientsOtherParcels(ctx, e.ScopeB(), e.BrandA, "+79131234567", ""); len(got) != 0 {
		t.Fatalf("brand B reads brand A's parcels: %+v", got)
	}
	if got, _ := e.Tracking.RecipientsOtherParcels(ctx, e.ScopeA(), e.BrandA, "", ""); len(got) != 0 {
		t.Fatal("empty phone matched")
	}
}
