package portal

import (
	"strings"
	"testing"
)

// A parcel waiting at a pick-up point: the page shows where (address, hours, a map link) and
// the last day to collect it, in both languages; the API's JSON carries the same point.
func TestTrackingPagePickupPoint(t *testing.T) {
	f := newFixture(t)
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	r := f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","location":"London","country":"GB"},
		{"item_id":"RB123456785GB","code":"EDH","occurred_at":"2026-11-09T06:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU",
		 "pickup":{"deadline":"2026-11-16","name":"Point 5","address":"Krasny prospekt 2, Novosibirsk","hours":"Mon-Fri 9:00-20:00"}},
		{"item_id":"RB123456785GB","code":"EDH","occurred_at":"2026-11-09T05:00:00Z","office":"RUNVSA","pickup":{"address":""}}]}`)
	if !strings.Contains(r.body, `"field":"pickup.address"`) || strings.Count(r.body, `"accepted"`) != 2 {
		t.Fatalf("batch results: %s", r.body)
	}
	page := f.do(t, "GET", "/track/RB123456785GB", "", "")
	for _, want := range []string{`id="pickup"`, "Krasny prospekt 2, Novosibirsk", "Mon-Fri 9:00-20:00", "16.11.2026", "Last day to collect",
		`href="https://www.openstreetmap.org/search?query=Krasny&#43;prospekt&#43;2%2C&#43;Novosibirsk"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if ru := f.do(t, "GET", "/track/RB123456785GB?lang=ru", "", ""); !strings.Contains(ru.body, "Последний день хранения") || !strings.Contains(ru.body, "Открыть на карте") {
		t.Error("Russian page lacks the pick-up point's words")
	}
	api := f.do(t, "GET", "/api/v1/parcels/RB123456785GB", f.keyA, "")
	if !strings.Contains(api.body, `"pickup":{"deadline":"2026-11-16"`) {
		t.Errorf("API view: %.600s", api.body)
	}
}
