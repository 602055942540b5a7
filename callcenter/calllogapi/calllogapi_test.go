package calllogapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/calllogapi"
	"github.com/wismo/wismo/store/storetest"
)

func ptr(t time.Time) *time.Time { return &t }

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
	log := callcenter.NewCallLog(db)
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(brand int64, callID string, outcome callcenter.Outcome) callcenter.Call {
		c := callcenter.Call{Direction: callcenter.Outbound, Mode: callcenter.ModePreview, BrandID: brand, From: "sip:wismo@127.0.0.1", To: "sip:+79131234567@trunk",
			SIPCallID: callID, StartedAt: now}
		if err := log.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
		leg := callcenter.Leg{CallID: c.ID, Kind: callcenter.LegCustomer, To: c.To, SIPCallID: callID, StartedAt: now, RingingAt: ptr(now.Add(time.Second))}
		if err := log.AddLeg(ctx, &leg); err != nil {
			t.Fatal(err)
		}
		leg.Outcome, leg.EndedAt, leg.SIPStatus = outcome, ptr(now.Add(5*time.Second)), 200
		if err := log.UpdateLeg(ctx, &leg); err != nil {
			t.Fatal(err)
		}
		c.Outcome, c.EndedAt, c.SIPStatus, c.HangupSide = outcome, ptr(now.Add(5*time.Second)), 200, callcenter.LegCustomer
		if outcome == callcenter.Answered {
			c.AnsweredAt = ptr(now.Add(2 * time.Second))
		}
		if err := log.Update(ctx, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1 := mk(b1.ID, "call-one@wismo", callcenter.Answered)
	mk(b2.ID, "call-two@wismo", callcenter.Busy)
	mk(b1.ID, "call-three@wismo", callcenter.NoAnswer)

	app := fiber.New()
	scope := access.Brands(b1.ID)
	app.Use(access.Authenticate(acc))
	calllogapi.Routes(app, log)
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
	var out struct{ Calls []callcenter.Call }
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
	if !got.AnsweredAt.Equal(*c1.AnsweredAt) || got.Legs[0].Outcome != callcenter.Answered || got.HangupSide != callcenter.LegCustomer {
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
	if err := log.SetDisposition(ctx, scope, c1.ID, callcenter.DispReached); err != nil {
		t.Fatal(err)
	}
	back, err := log.Get(ctx, scope, c1.ID)
	if err != nil || back.Disposition != callcenter.DispReached {
		t.Fatalf("disposition: %+v %v", back, err)
	}
}
