package portal

import (
	"regexp"
	"testing"
)

// TestPageOffersOneSetOfDays: the page's only delivery days are the day buttons (package
// deliverydays: working days within the horizon); the Delivery options form keeps the pick-up
// point and the return and has no day list of its own, in both languages. Before the delivery
// office there are no days at all. (The old form listed 30 calendar days, weekends included.)
func TestPageOffersOneSetOfDays(t *testing.T) {
	f, _ := newDaysFixture(t)
	b := f.browser(t)
	anyDay := regexp.MustCompile(`value="(\d{4}-\d\d-\d\d)"`)
	for _, lang := range []string{"en", "ru"} {
		page := b.do("GET", "/track/RB123456785GB?lang="+lang, nil)
		mustContain(t, lang+" page", page.body, `id="move"`, `id="options"`, `name="option" value="pickup"`, `name="option" value="return"`)
		if regexp.MustCompile(`name="day"|value="day"|type="date"`).MatchString(page.body) {
			t.Errorf("%s: the options form still offers its own days", lang)
		}
		buttons := regexp.MustCompile(`name="date" value="(\d{4}-\d\d-\d\d)"`).FindAllStringSubmatch(page.body, -1)
		all := anyDay.FindAllStringSubmatch(page.body, -1)
		if len(buttons) == 0 || len(all) != len(buttons) {
			t.Errorf("%s: %d day buttons, %d days on the page: want one set", lang, len(buttons), len(all))
		}
		for _, d := range []string{"2026-11-21", "2026-11-22", "2026-11-28", "2026-11-29"} { // weekends
			for _, got := range all {
				if got[1] == d {
					t.Errorf("%s: the page offers %s, a weekend", lang, d)
				}
			}
		}
	}
	// In transit: no days anywhere, the form still takes a pick-up point.
	f.do(t, "POST", "/api/v1/parcels", f.keyA, `{"parcels":[{"id":"RB123456799GB","service_level":"standard","kind":"packet","weight_kg":0.4,
		"origin_country":"GB","destination_country":"RU","recipient":{"name":"Анна","phone":"+7 913 123 45 67","region":"RU-NVS"}}]}`)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[{"item_id":"RB123456799GB","code":"EMC","occurred_at":"2026-11-18T03:00:00Z","office":"GBLONA","country":"GB"}]}`)
	page := b.do("GET", "/track/RB123456799GB?lang=en", nil)
	mustContain(t, "the in-transit page", page.body, `name="option" value="pickup"`, "A new delivery day is chosen with the day buttons on this page once")
	if anyDay.MatchString(page.body) {
		t.Errorf("the in-transit page offers days: %v", anyDay.FindAllString(page.body, -1))
	}
}
