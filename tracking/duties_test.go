package tracking_test

import (
	"context"
	"testing"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// Duties at customs: a customs event may carry the amount due and an https link to pay; a bad
// one is refused naming its field; they are stored and read back with the event, replaced when
// the post resends the event with other duties, and only the parcel's brand reads them.
func TestCustomsDuties(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	customs := func(code, at string, d *tracking.DutiesInput) tracking.EventInput {
		ev := trackingtest.Event(idA, code, at)
		ev.Office, ev.Location, ev.Country, ev.TimeZone = "RUMOWA", "Москва", "RU", "Europe/Moscow"
		ev.Duties = d
		return ev
	}
	due := &tracking.DutiesInput{Amount: "1250", Currency: "rub", PayURL: "https://pay.example.ru/d/1"}
	for _, tc := range []struct {
		ev    tracking.EventInput
		field string
	}{
		{customs("EMA", "2026-11-01T10:00:00Z", due), "duties"},
		{customs("EME", "2026-11-05T10:00:00Z", &tracking.DutiesInput{Amount: "12,50", Currency: "RUB"}), "duties.amount"},
		{customs("EME", "2026-11-05T10:00:00Z", &tracking.DutiesInput{Amount: "0", Currency: "RUB"}), "duties.amount"},
		{customs("EME", "2026-11-05T10:00:00Z", &tracking.DutiesInput{Amount: "10", Currency: "рубль"}), "duties.currency"},
		{customs("EME", "2026-11-05T10:00:00Z", &tracking.DutiesInput{Amount: "10", Currency: "RUB", PayURL: "http://pay.example.ru/"}), "duties.pay_url"},
		{customs("EME", "2026-11-05T10:00:00Z", &tracking.DutiesInput{Amount: "10", Currency: "RUB", PayURL: "javascript:alert(1)"}), "duties.pay_url"},
	} {
		res := e.Events(e.ScopeA(), tc.ev)
		if res[0].Status != tracking.StatusRejected || res[0].Error == nil || res[0].Error.Field != tc.field {
			t.Errorf("%s %+v: %+v, want rejected on %s", tc.ev.Code, tc.ev.Duties, res[0], tc.field)
		}
	}
	if n := e.Count(`SELECT COUNT(*) FROM customs_duties`); n != 0 {
		t.Fatalf("%d duties stored from refused events", n)
	}
	ev := customs("EME", "2026-11-05T10:00:00Z", due)
	ev.Reason = "CUSTOMS_DUTIES"
	if res := e.Events(e.ScopeA(), customs("EDB", "2026-11-04T10:00:00Z", nil), ev); res[0].Status != tracking.StatusAccepted || res[1].Status != tracking.StatusAccepted {
		t.Fatalf("customs events: %+v", res)
	}
	read := func() *tracking.DutiesView {
		t.Helper()
		v, err := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
		if err != nil {
			t.Fatal(err)
		}
		last := v.Events[len(v.Events)-1]
		if v.Events[0].Duties != nil || last.Code != "EME" {
			t.Fatalf("events: %+v", v.Events)
		}
		return last.Duties
	}
	if d := read(); d == nil || *d != (tracking.DutiesView{Amount: "1250.00", Currency: "RUB", PayURL: "https://pay.example.ru/d/1"}) {
		t.Fatalf("duties read back: %+v", d)
	}
	ev.Duties = &tracking.DutiesInput{Amount: "980.50", Currency: "RUB"}
	e.Events(e.ScopeA(), ev)
	if d := read(); d == nil || d.Amount != "980.50" || d.PayURL != "" {
		t.Fatalf("resent with other duties: %+v", d)
	}
	if _, err := e.Tracking.Parcel(context.Background(), e.ScopeB(), idA); !tracking.IsNotFound(err) {
		t.Fatalf("brand B reads A's parcel: %v", err)
	}
	// Another brand's key cannot plant duties on A's parcel.
	other := customs("EME", "2026-11-06T10:00:00Z", &tracking.DutiesInput{Amount: "99999", Currency: "RUB"})
	if res := e.Events(e.ScopeB(), other); res[0].Status != tracking.StatusRejected {
		t.Fatalf("brand B's event on A's parcel: %+v", res[0])
	}
	if d := read(); d == nil || d.Amount != "980.50" {
		t.Fatalf("after brand B's attempt: %+v", d)
	}
}
