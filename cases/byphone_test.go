package cases

import (
	"context"
	"testing"

	"github.com/wismo/wismo/access"
)

func TestParcelsByPhone(t *testing.T) {
	e := newEnv(t)
	e.upsert(e.scopeA(), parcel("RB123456785GB"))
	other := parcel("EA001234568GB")
	other.Recipient.Phone = "+7 913 765-43-21"
	if res := e.upsert(e.scopeB(), other); res[0].Status != StatusAccepted {
		t.Fatalf("%+v", res[0])
	}
	ctx := context.Background()
	got, err := e.svc.ParcelsByPhone(ctx, e.scopeA(), "+79131234567")
	if err != nil || len(got) != 1 || got[0].ID != "RB123456785GB" || got[0].BrandID != e.brandA {
		t.Fatalf("brand A by its recipient's phone: %+v %v", got, err)
	}
	if got, _ := e.svc.ParcelsByPhone(ctx, e.scopeB(), "+79131234567"); len(got) != 0 {
		t.Fatalf("brand B sees brand A's parcel by phone: %+v", got)
	}
	if got, _ := e.svc.ParcelsByPhone(ctx, access.Operator(), "+79137654321"); len(got) != 1 || got[0].BrandID != e.brandB {
		t.Fatalf("the operator sees %+v for the second phone", got)
	}
	if got, _ := e.svc.ParcelsByPhone(ctx, e.scopeA(), ""); len(got) != 0 {
		t.Fatal("empty phone matched")
	}
}
