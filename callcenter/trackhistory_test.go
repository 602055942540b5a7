package callcenter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// The tracking page reads a parcel's hotline and hand-dialled calls of the parcel's brand, with
// the customer's number; the dialer's own attempts (contact_ref) come from the dialer.
func TestTrackHistoryCalls(t *testing.T) {
	ctx := context.Background()
	log, a, b := twoBrandLog(t)
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	for _, c := range []Call{
		{Direction: Inbound, Mode: ModeHotline, BrandID: a, ParcelID: "RB123456785GB", From: "sip:+79131234567@trunk", To: "sip:hotline@wismo",
			StartedAt: at.Add(time.Hour), Outcome: Answered, Disposition: "reached"},
		{Direction: Outbound, Mode: ModePreview, BrandID: a, ParcelID: "RB123456785GB", From: "sip:agent@wismo", To: "<sip:+79131234567@trunk;user=phone>",
			StartedAt: at, Outcome: NoAnswer},
		{Direction: Outbound, Mode: ModeProgressive, BrandID: a, ParcelID: "RB123456785GB", ContactRef: "7", To: "sip:+79131234567@trunk",
			StartedAt: at, Outcome: Busy},
		{Direction: Inbound, Mode: ModeHotline, BrandID: b, ParcelID: "RB123456785GB", From: "sip:+79990000000@trunk", StartedAt: at, Outcome: Abandoned},
		{Direction: Inbound, Mode: ModeHotline, BrandID: a, ParcelID: "RB000000005GB", From: "sip:+79990000001@trunk", StartedAt: at, Outcome: Answered},
	} {
		if err := log.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := log.TrackHistory(ctx, a, "RB123456785GB")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("calls %+v, want the hand-dialled and the hotline call of brand A", got)
	}
	if c := got[0]; c.Direction != Outbound || c.Outcome != NoAnswer || c.Customer != "+79131234567" || !c.At.Equal(at) {
		t.Errorf("first %+v", c)
	}
	if c := got[1]; c.Direction != Inbound || c.Outcome != Answered || c.Disposition != "reached" || c.Customer != "+79131234567" {
		t.Errorf("second %+v", c)
	}
}

// twoBrandLog is the call log of a new database with two brands, A and B.
func twoBrandLog(t *testing.T) (log *CallLog, a, b int64) {
	t.Helper()
	db := storetest.Open(t)
	acc := access.NewService(db)
	brandA, _, errA := acc.CreateBrand(context.Background(), "Brand A")
	brandB, _, errB := acc.CreateBrand(context.Background(), "Brand B")
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	return NewCallLog(db), brandA.ID, brandB.ID
}
