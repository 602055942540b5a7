package callcenter

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestDialNumberIsE164: the number an agent types ("8 913 123-45-67") is the call's number
// in E.164 in the call log, read in the parcel's destination country; a number that is not
// one is refused before anything is dialled, naming the field, from the API and the desk.
// Before, the call log kept the number as typed.
func TestDialNumberIsE164(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	log := storetest.Logger(t)
	acc := access.NewService(db)
	parcels := tracking.NewService(db, log, nil)
	brand, _, err := acc.CreateBrand(ctx, "Shop A")
	if err != nil {
		t.Fatal(err)
	}
	kz := tracking.MakeS10("RR", 820001, "GB")
	in := tracking.ParcelInput{ID: kz, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB",
		DestinationCountry: "KZ", Recipient: tracking.RecipientInput{Name: "Aigerim", Phone: "+77012345678"}}
	if res, err := parcels.UpsertParcels(ctx, access.Brands(brand.ID), []tracking.ParcelItem{{Input: in}}); err != nil || res[0].Status != tracking.StatusAccepted {
		t.Fatalf("parcel: %+v %v", res, err)
	}
	c, agents := softphoneCenter(t, Config{AgentRing: time.Second}, db, acc, parcels, log)
	if _, err := acc.CreateUser(ctx, "agent@a.test", "a login password 1", access.RoleAgent, []int64{brand.ID}); err != nil {
		t.Fatal(err)
	}
	sess, err := acc.Login(ctx, "agent@a.test", "a login password 1")
	if err != nil {
		t.Fatal(err)
	}
	desk := c.phones.deskOf(sess.User.ID, sess.User)
	desk.attach(ctx, &keptSink{}) // the desk page is open; it never answers the ring
	app := fiber.New()
	app.Use(access.Authenticate(acc))
	Routes(app, c)
	post := func(to, parcel string) (int, string) {
		body := fmt.Sprintf(`{"to": %q, "brand_id": %d, "parcel_id": %q}`, to, brand.ID, parcel)
		req := httptest.NewRequest("POST", "/api/v1/agent/calls", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", access.SessionCookie+"="+sess.Token)
		req.Header.Set(access.CSRFHeader, sess.CSRF)
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// lastTo waits for the newest call to end (the agent's page never answers) and returns
	// its number and its customer leg's.
	lastTo := func(n int) string {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			calls, err := c.Calls.List(ctx, access.Operator(), CallFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) == n && calls[0].EndedAt != nil {
				if ag, _ := agents.Get(ctx, sess.User.ID); ag.State == Available {
					return calls[0].To
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("call %d never ended: %+v", n, calls)
			}
		}
	}
	if err := agents.SetState(ctx, sess.User.ID, Available); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		via, typed, parcel, want string
	}{
		{"api", "8 913 123-45-67", "", "+79131234567"},
		{"desk", "8 (913) 123 45 68", "", "+79131234568"},
		{"api", "701 234 5679", kz, "+77012345679"}, // national in the parcel's country, Kazakhstan
	} {
		if tc.via == "api" {
			if code, body := post(tc.typed, tc.parcel); code != fiber.StatusAccepted {
				t.Fatalf("POST %q: %d %s", tc.typed, code, body)
			}
		} else if err := desk.handle(ctx, inbound{Type: "dial", To: tc.typed, BrandID: brand.ID, ParcelID: tc.parcel}); err != nil {
			t.Fatalf("desk dial %q: %v", tc.typed, err)
		}
		if got := lastTo(i + 1); got != tc.want {
			t.Errorf("%s dialled %q: the call log says %q, want %q", tc.via, tc.typed, got, tc.want)
		}
	}
	// Not a number: refused with the field, nothing dialled.
	if code, body := post("12ab", ""); code != fiber.StatusUnprocessableEntity || !strings.Contains(body, "to: ") || !strings.Contains(body, "12ab") {
		t.Errorf("POST 12ab: %d %s, want 422 naming to", code, body)
	}
	if err := desk.handle(ctx, inbound{Type: "dial", To: "call me", BrandID: brand.ID}); err == nil || !strings.Contains(err.Error(), "not a phone number") {
		t.Errorf("desk dial of words: %v", err)
	}
	if calls, _ := c.Calls.List(ctx, access.Operator(), CallFilter{Limit: 10}); len(calls) != 3 {
		t.Errorf("%d calls logged, want 3: a bad number dialled", len(calls))
	}
}
