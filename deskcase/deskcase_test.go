package deskcase_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/deskcase"
	"github.com/wismo/wismo/tracking"
)

// TestCaseFromCall: over HTTP, an agent opens a case from a call (the call's parcel, source
// call, the note), the call is linked to it, a later wrap-up adds its note to that case;
// another brand's call is not found, a bad type names the field, an API key is refused.
func TestCaseFromCall(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	parcelA, parcelB := tracking.MakeS10("RR", 830001, "GB"), tracking.MakeS10("RR", 830002, "GB")
	for _, p := range []struct {
		id    string
		scope access.Scope
	}{{parcelA, e.ScopeA()}, {parcelB, e.ScopeB()}} {
		e.Upsert(p.scope, tracking.ParcelInput{ID: p.id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB",
			DestinationCountry: "RU", Recipient: tracking.RecipientInput{Name: "Ivan Petrov", Phone: "+79131234567"}})
	}
	log := callcenter.NewCallLog(e.DB)
	now := time.Now().UTC()
	callA := callcenter.Call{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: e.BrandA, ParcelID: parcelA,
		From: "+79131234567", To: "+78005550100", StartedAt: now, Outcome: callcenter.Answered}
	callB := callA
	callB.BrandID, callB.ParcelID = e.BrandB, parcelB
	for _, c := range []*callcenter.Call{&callA, &callB} {
		if err := log.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	svc := deskcase.New(e.DB, log, e.Cases)
	app := e.API(func(r fiber.Router) { deskcase.Routes(r, svc) })
	if _, err := e.Access.CreateUser(ctx, "anna@a.test", "a login password 1", access.RoleAgent, []int64{e.BrandA}); err != nil {
		t.Fatal(err)
	}
	sess, err := e.Access.Login(ctx, "anna@a.test", "a login password 1")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string, asKey bool) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if asKey {
			req.Header.Set("Authorization", "Bearer "+e.KeyA)
		} else {
			req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
			req.Header.Set("Origin", "http://example.com")
			req.Header.Set(access.CSRFHeader, sess.CSRF)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		var out map[string]any
		json.Unmarshal(b, &out)
		return res.StatusCode, out
	}
	path := fmt.Sprintf("/api/v1/calls/%d/cases", callA.ID)
	code, out := do("POST", path, `{"type": "non_receipt_or_delay", "note": "Customer says the parcel is late."}`, false)
	number, _ := out["number"].(string)
	if code != fiber.StatusCreated || number == "" || out["url"] != "/cases/"+number || out["created"] != true {
		t.Fatalf("open a case from the call: %d %v", code, out)
	}
	c, _, err := e.Cases.Case(ctx, e.ScopeA(), number, e.BrandA)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != cases.SourceCall || len(c.ParcelIDs) != 1 || c.ParcelIDs[0] != parcelA || c.Type != cases.TypeNonReceipt {
		t.Errorf("the case: %+v", c)
	}
	// The wrap-up's note goes to the same case: updated, not a second case.
	code, out = do("POST", path, fmt.Sprintf(`{"number": %q, "note": "Call back after 18:00."}`, number), false)
	if code != fiber.StatusOK || out["number"] != number || out["created"] != false {
		t.Fatalf("update the case from the call: %d %v", code, out)
	}
	if n := e.Count(`SELECT COUNT(*) FROM case_log WHERE kind = 'note' AND summary LIKE '%18:00%'`); n != 1 {
		t.Errorf("%d notes with the wrap-up's text, want 1", n)
	}
	if code, out = do("GET", path, "", false); code != fiber.StatusOK || fmt.Sprint(out["cases"]) != "["+number+"]" {
		t.Errorf("cases of the call: %d %v", code, out)
	}
	// Refusals.
	if code, out = do("POST", path, `{"type": "lost_in_space"}`, false); code != fiber.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out), "type") {
		t.Errorf("bad type: %d %v", code, out)
	}
	if code, _ = do("POST", fmt.Sprintf("/api/v1/calls/%d/cases", callB.ID), `{"type": "non_receipt_or_delay"}`, false); code != fiber.StatusNotFound {
		t.Errorf("another brand's call: %d, want 404", code)
	}
	if code, _ = do("POST", path, `{"type": "non_receipt_or_delay"}`, true); code != fiber.StatusForbidden {
		t.Errorf("an API key: %d, want 403", code)
	}
	// The case page's "Call the recipient" (/desk?...&case=N): the desk links the call it
	// places, still ringing, to that case, with no note of the agent's.
	placed := callcenter.Call{Direction: callcenter.Outbound, Mode: callcenter.ModePreview, BrandID: e.BrandA, ParcelID: parcelA,
		From: "+78005550100", To: "+79131234567", StartedAt: now}
	if err := log.Create(ctx, &placed); err != nil {
		t.Fatal(err)
	}
	placedPath := fmt.Sprintf("/api/v1/calls/%d/cases", placed.ID)
	if code, out = do("POST", placedPath, fmt.Sprintf(`{"number": %q}`, number), false); code != fiber.StatusOK || out["number"] != number || out["created"] != false {
		t.Fatalf("link the placed call to the case: %d %v", code, out)
	}
	if code, out = do("GET", placedPath, "", false); code != fiber.StatusOK || fmt.Sprint(out["cases"]) != "["+number+"]" {
		t.Errorf("cases of the placed call: %d %v", code, out)
	}
	if n := e.Count(fmt.Sprintf(`SELECT COUNT(*) FROM case_log WHERE kind = 'note' AND summary = 'Call %d (outbound).'`, placed.ID)); n != 1 {
		t.Errorf("%d notes naming the placed call, want 1", n)
	}
	if n := e.Count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}
