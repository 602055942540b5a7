package main

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/store/storetest"
)

// The tracking page's history adapter hands the call log's calls to the portal in time order,
// with the customer's side of each call.
func TestTrackCommsFromCallLog(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	b, _, err := access.NewService(db).CreateBrand(ctx, "Track Shop")
	if err != nil {
		t.Fatal(err)
	}
	log := callcenter.NewCallLog(db)
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	for _, c := range []callcenter.Call{
		{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: b.ID, ParcelID: "RB123456785GB", From: "sip:+79131234567@trunk",
			StartedAt: at.Add(time.Hour), Outcome: callcenter.Abandoned},
		{Direction: callcenter.Outbound, Mode: callcenter.ModePreview, BrandID: b.ID, ParcelID: "RB123456785GB", To: "sip:+79137654321@trunk",
			StartedAt: at, Outcome: callcenter.Answered, Disposition: "callback_requested"},
	} {
		if err := log.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := trackComms{calls: log}.ParcelComms(ctx, b.ID, "RB123456785GB")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Direction != "outbound" || got[0].Disposition != "callback_requested" || got[0].To != "+79137654321" ||
		got[1].Direction != "inbound" || got[1].Outcome != "abandoned" || got[1].To != "+79131234567" || got[1].Channel != "call" {
		t.Fatalf("comms %+v", got)
	}
	if other, err := (trackComms{calls: log}).ParcelComms(ctx, b.ID+1, "RB123456785GB"); err != nil || len(other) != 0 {
		t.Fatalf("another brand: %+v %v", other, err)
	}
}
