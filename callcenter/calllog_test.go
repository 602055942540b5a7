package callcenter

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

func TestCallLogBrandScoped(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	b1, key1, err := acc.CreateBrand(ctx, "Brand One")
	if err != nil {
		t.Fatal(err)
	}
	b2, _, err := acc.CreateBrand(ctx, "Brand Two")
	if err != nil {
		t.Fatal(err)
	}
	log := NewCallLog(db)
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(brand int64, callID string, outcome Outcome) Call {
		c := Call{Direction: Outbound, Mode: ModePreview, BrandID: brand, From: "sip:wismo@127.0.0.1", To: "sip:+79131234567@trunk",
			SIPCallID: callID, StartedAt: now}
		if err := log.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
		leg := Leg{CallID: c.ID, Kind: LegCustomer, To: c.To, SIPCallID: callID, StartedAt: now, RingingAt: ptrTime(now.Add(time.Second))}
		if err := log.AddLeg(ctx, &leg); err != nil {
			t.Fatal(err)
		}
		leg.Outcome, leg.EndedAt, leg.SIPStatus = outcome, ptrTime(now.Add(5*time.Second)), 200
		if err := log.UpdateLeg(ctx, &leg); err != nil {
			t.Fatal(err)
		}
		c.Outcome, c.EndedAt, c.SIPStatus, c.HangupSide = outcome, ptrTime(now.Add(5*time.Second)), 200, LegCustomer
		if outcome == Answered {
			c.AnsweredAt = ptrTime(now.Add(2 * time.Second))
		}
		if err := log.Update(ctx, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1 := mk(b1.ID, "call-one@wismo", Answered)
	mk(b2.ID, "call-two@wismo", Busy)
	mk(b1.ID, "call-three@wismo", NoAnswer)

	app := fiber.New()
	scope := access.Brands(b1.ID)
	app.Use(access.Authenticate(acc))
	callLogRoutes(app, log)
	get := func(path string) (int, []byte) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+key1)
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	var out struct{ Calls []Call }
	code, body := get("/api/v1/calls")
	if err := json.Unmarshal(body, &out); code != 200 || err != nil {
		t.Fatalf("%d %s %v", code, body, err)
	}
	if len(out.Calls) != 2 {
		t.Fatalf("brand one sees %d calls, want 2: %s", len(out.Calls), body)
	}
	code, body = get("/api/v1/calls?outcome=answered")
	json.Unmarshal(body, &out)
	if code != 200 || len(out.Calls) != 1 || out.Calls[0].SIPCallID != "call-one@wismo" || len(out.Calls[0].Legs) != 1 {
		t.Fatalf("answered filter: %d %s", code, body)
	}
	got := out.Calls[0]
	if !got.AnsweredAt.Equal(*c1.AnsweredAt) || got.Legs[0].Outcome != Answered || got.HangupSide != LegCustomer {
		t.Fatalf("round trip lost fields: %+v", got)
	}
	if code, _ := get("/api/v1/calls?direction=sideways"); code != 400 {
		t.Fatalf("bad filter answered %d", code)
	}
	// Another brand's call is a 404, not a leak.
	_, body = get("/api/v1/calls?sip_call_id=call-two@wismo")
	json.Unmarshal(body, &out)
	if len(out.Calls) != 0 {
		t.Fatalf("brand one sees brand two's call: %s", body)
	}
	if err := log.SetDisposition(ctx, scope, c1.ID, DispReached); err != nil {
		t.Fatal(err)
	}
	back, err := log.Get(ctx, scope, c1.ID)
	if err != nil || back.Disposition != DispReached {
		t.Fatalf("disposition: %+v %v", back, err)
	}
}

// A call about a parcel reaches the outbox when it is logged and when its outcome is known
// (a database trigger), so every node's tracking page cache hears of it.
func TestCallsAboutAParcelReachTheOutbox(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	b, _, err := access.NewService(db).CreateBrand(ctx, "Brand One")
	if err != nil {
		t.Fatal(err)
	}
	log := NewCallLog(db)
	count := func() int {
		var n int
		if err := db.SQL.QueryRow(db.Rebind(`SELECT COUNT(*) FROM outbox WHERE topic = 'call.logged' AND item_id = ? AND brand_id = ?`),
			"RB123456785GB", b.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c := Call{Direction: Inbound, BrandID: b.ID, ParcelID: "RB123456785GB", From: "sip:+79131234567@trunk", To: "sip:88005553535@wismo",
		SIPCallID: "in-1", StartedAt: time.Now().UTC()}
	if err := log.Create(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("logging the call wrote %d messages, want 1", n)
	}
	c.Outcome, c.EndedAt = Answered, ptrTime(time.Now().UTC())
	if err := log.Update(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("after the outcome %d messages, want 2", n)
	}
}
