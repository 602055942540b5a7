package macros_test

import (
	"fmt"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// The macro API: a brand key creates, lists, replaces and deletes its brand's macros; a
// wrong field is a 422 naming it; another brand sees none of them and cannot change them.
func TestMacroAPI(t *testing.T) {
	e := casestest.New(t)
	svc := macros.New(e.DB, e.Cases, nil)
	app := e.API(func(r fiber.Router) { macros.Routes(r, svc) })
	var m macros.Macro
	if st := trackingtest.Call(t, app, "POST", "/api/v1/macros", e.KeyA, "", []byte(`{"name": "ask for a photo", "status": "waiting_customer",
		"note": "asked for a photo of the box", "assign": "me"}`), &m); st != 201 || m.ID == 0 || m.BrandID != e.BrandA {
		t.Fatalf("create: %d %+v", st, m)
	}
	var bad struct {
		Error struct {
			Fields []struct{ Field string } `json:"fields"`
		} `json:"error"`
	}
	if st := trackingtest.Call(t, app, "POST", "/api/v1/macros", e.KeyA, "", []byte(`{"name": "x", "status": "closed"}`), &bad); st != 422 ||
		len(bad.Error.Fields) != 1 || bad.Error.Fields[0].Field != "status" {
		t.Fatalf("a macro closing cases: %d %+v", st, bad)
	}
	var list struct{ Macros []macros.Macro }
	if st := trackingtest.Call(t, app, "GET", "/api/v1/macros", e.KeyB, "", nil, &list); st != 200 || len(list.Macros) != 0 {
		t.Fatalf("brand B's list: %d %+v", st, list)
	}
	if st := trackingtest.Call(t, app, "PUT", "/api/v1/macros/"+itoa(m.ID), e.KeyB, "", []byte(`{"name": "stolen"}`), nil); st != 404 {
		t.Fatalf("brand B replacing A's macro: %d", st)
	}
	if st := trackingtest.Call(t, app, "PUT", "/api/v1/macros/"+itoa(m.ID), e.KeyA, "", []byte(`{"name": "photo please", "status": "open"}`), &m); st != 200 || m.Name != "photo please" {
		t.Fatalf("replace: %d %+v", st, m)
	}
	if st := trackingtest.Call(t, app, "GET", "/api/v1/macros", e.KeyA, "", nil, &list); st != 200 || len(list.Macros) != 1 || list.Macros[0].Status != "open" {
		t.Fatalf("brand A's list: %d %+v", st, list)
	}
	if st := trackingtest.Call(t, app, "DELETE", "/api/v1/macros/"+itoa(m.ID), e.KeyA, "", nil, nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
