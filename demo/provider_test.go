package demo

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// gated holds the provider's receipts until the test opens the gate: a receipt that comes
// before the send is recorded waits for the dialer's sweep, which this test does not run.
type gated struct {
	d    *dialer.Service
	gate chan struct{}
}

func (g gated) HandleReceipt(ctx context.Context, provider, id, state, detail string) error {
	<-g.gate
	return g.d.HandleReceipt(ctx, provider, id, state, detail)
}

// TestProviderDelivers: in demo mode an SMS and an email sent through the demo provider end
// delivered, by a receipt through the dialer's receipt path, as with a real SMSC.
func TestProviderDelivers(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC) // a Monday, noon in London
	clock := func() time.Time { return now }
	tr := tracking.NewService(db, log, nil)
	tr.SetClock(clock)
	b, _, err := acc.CreateBrand(ctx, "Demo Shop")
	if err != nil {
		t.Fatal(err)
	}
	id := tracking.MakeS10("RR", 840001, "GB")
	if res, err := tr.UpsertParcels(ctx, access.Brands(b.ID), []tracking.ParcelItem{{Input: tracking.ParcelInput{ID: id, ServiceLevel: "standard",
		Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "GB", Recipient: tracking.RecipientInput{Name: "Ann",
			Phone: "+447911123456", Email: "ann@example.com", TimeZone: "Europe/London"}}}}); err != nil || res[0].Status != tracking.StatusAccepted {
		t.Fatalf("parcel: %+v %v", res, err)
	}
	sms, email := &Provider{Channel: dialer.SMS, Delay: time.Millisecond}, &Provider{Channel: dialer.Email, Delay: time.Millisecond}
	d, err := dialer.New(db, log, dialer.Options{SMS: sms, Email: email, Now: clock, PublicURL: "http://wismo.test"})
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	sms.Receipts, email.Receipts = gated{d, gate}, gated{d, gate}
	reqs := []dialer.Request{
		{BrandID: b.ID, ParcelID: id, Channel: dialer.SMS, To: "+447911123456", TimeZone: "Europe/London", Language: "en", Body: "Your parcel is on its way.", NotBefore: now},
		{BrandID: b.ID, ParcelID: id, Channel: dialer.Email, To: "ann@example.com", TimeZone: "Europe/London", Language: "en", Subject: "Your parcel", Body: "On its way.", NotBefore: now},
	}
	if err := db.WriteTx(ctx, func(tx store.Tx) error { return d.Plan(ctx, tx, reqs) }); err != nil {
		t.Fatal(err)
	}
	if n, err := d.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("sent %d: %v", n, err)
	}
	close(gate)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		cs, err := d.Contacts(ctx, access.Brands(b.ID), id)
		if err != nil {
			t.Fatal(err)
		}
		delivered := 0
		for _, c := range cs {
			if c.Status == dialer.StatusDelivered {
				delivered++
			}
		}
		if delivered == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("contacts not delivered: %+v", cs)
		}
	}
}
