package deliverydays_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// TestDeliveryDaysAPI: a brand's key lists the days and chooses one; the same choice again
// answers the same; a day not offered is a 422 naming date; another brand's key and a
// partner post's are refused.
func TestDeliveryDaysAPI(t *testing.T) {
	e, s := world(t)
	app := e.API(func(r fiber.Router) { deliverydays.Routes(r, s) })
	var got struct {
		Days   []deliverydays.DayView   `json:"days"`
		Choice *deliverydays.ChoiceView `json:"choice"`
	}
	if code := trackingtest.Call(t, app, "GET", "/api/v1/parcels/"+item+"/delivery-days", e.KeyA, "", nil, &got); code != 200 {
		t.Fatalf("GET: %d", code)
	}
	if len(got.Days) != 7 || got.Days[0] != (deliverydays.DayView{Date: "2026-11-23", Weekday: "monday", Planned: true}) || got.Choice != nil {
		t.Fatalf("days %+v, choice %+v", got.Days, got.Choice)
	}
	var ch struct {
		Choice deliverydays.ChoiceView `json:"choice"`
	}
	body := []byte(`{"date": "2026-11-24", "via": "phone", "call_id": 5}`)
	if code := trackingtest.Call(t, app, "POST", "/api/v1/parcels/"+item+"/delivery-day", e.KeyA, "", body, &ch); code != 200 {
		t.Fatalf("POST: %d", code)
	}
	if ch.Choice.Date != "2026-11-24" || ch.Choice.Weekday != "tuesday" || ch.Choice.CaseNumber == "" || ch.Choice.Via != "phone" {
		t.Fatalf("choice %+v", ch.Choice)
	}
	first := ch.Choice.CaseNumber
	if code := trackingtest.Call(t, app, "POST", "/api/v1/parcels/"+item+"/delivery-day", e.KeyA, "", body, &ch); code != 200 || ch.Choice.CaseNumber != first {
		t.Fatalf("the same choice again: %d %+v", code, ch.Choice)
	}
	trackingtest.Call(t, app, "GET", "/api/v1/parcels/"+item+"/delivery-days", e.KeyA, "", nil, &got)
	if got.Choice == nil || got.Choice.Date != "2026-11-24" || !got.Days[1].Planned {
		t.Fatalf("after the choice: %+v %+v", got.Days, got.Choice)
	}
	var bad struct {
		Error struct {
			Fields []struct{ Field, Message string }
		}
	}
	code := trackingtest.Call(t, app, "POST", "/api/v1/parcels/"+item+"/delivery-day", e.KeyA, "", []byte(`{"date": "2026-11-22"}`), &bad)
	if code != 422 || len(bad.Error.Fields) != 1 || bad.Error.Fields[0].Field != "date" || !strings.Contains(bad.Error.Fields[0].Message, "2026-11-23") {
		b, _ := json.Marshal(bad)
		t.Fatalf("a Sunday: %d %s", code, b)
	}
	for name, key := range map[string]string{"brand B": e.KeyB, "post": e.PostKeyGB} {
		if code := trackingtest.Call(t, app, "GET", "/api/v1/parcels/"+item+"/delivery-days", key, "", nil, nil); code != 404 && code != 403 {
			t.Errorf("GET as %s: %d", name, code)
		}
		if code := trackingtest.Call(t, app, "POST", "/api/v1/parcels/"+item+"/delivery-day", key, "", body, nil); code != 404 && code != 403 {
			t.Errorf("POST as %s: %d", name, code)
		}
	}
	if n := e.Count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}
