package portal

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/store"
)

// newDaysFixture is the tracking page with delivery days (clock: Friday 20 November 2026,
// 12:00 UTC) and its page cache, for RB123456785GB after a failed attempt on 19 November.
func newDaysFixture(t *testing.T, limits ...FeedbackLimits) (*trackFixture, *deliverydays.Service) {
	t.Helper()
	var days *deliverydays.Service
	lim := FeedbackLimits{}
	if len(limits) > 0 {
		lim = limits[0]
	}
	f := newTrackFixture(t, lim, withPageCache, func(d *Deps) {
		days = deliverydays.New(d.DB.(*store.DB), d.CaseDesk.(*cases.CaseService),
			deliverydays.WithClock(func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }))
		d.Days = days
		cache := d.TrackCache
		days.OnChoice(func(_ int64, id string) { cache.Drop(id) })
	})
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMG","occurred_at":"2026-11-18T03:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU"},
		{"item_id":"RB123456785GB","code":"EDG","occurred_at":"2026-11-19T02:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU"},
		{"item_id":"RB123456785GB","code":"EMH","occurred_at":"2026-11-19T09:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU","reason":"ABSENT","action":"REDELIVERY"}]}`)
	return f, days
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestTrackPageChooseAnotherDay: after a failed attempt the page offers the working days as
// buttons (weekday and date in the page's language, no date picker); one tap files the
// choice, opens a delivery_change case and the page says so, in English and in Russian.
func TestTrackPageChooseAnotherDay(t *testing.T) {
	f, _ := newDaysFixture(t)
	b := f.browser(t)
	page := b.do("GET", "/track/RB123456785GB?lang=en", nil)
	if page.status != 200 {
		t.Fatalf("page: %d", page.status)
	}
	mustContain(t, "the English page", page.body, `id="move"`, "We could not deliver your parcel: choose another day",
		`name="date" value="2026-11-23"`, `<span class="wd">Mon</span> <span class="dt">23 November</span>`,
		`value="2026-12-01"`, `action="/track/RB123456785GB/day#move"`)
	for _, not := range []string{`type="date"`, `value="2026-11-21"`, `value="2026-11-22"`, `value="2026-11-20"`} {
		if strings.Contains(page.body, not) {
			t.Errorf("the page offers %s", not)
		}
	}
	token := csrfField.FindStringSubmatch(page.body)[1]
	r := b.do("POST", "/track/RB123456785GB/day", url.Values{"_csrf": {token}, "date": {"2026-11-24"}})
	if r.status != 303 || r.header.Get("Location") != "/track/RB123456785GB#move" {
		t.Fatalf("choice: %d %q %.300s", r.status, r.header.Get("Location"), r.body)
	}
	list := f.brandCases(t, f.brandA)
	if len(list) != 1 || list[0].Type != cases.TypeDeliveryChange || list[0].Source != cases.SourceFeedbackForm {
		t.Fatalf("cases after the choice: %+v", list)
	}
	page = b.do("GET", "/track/RB123456785GB?lang=en", nil)
	mustContain(t, "the English page after the choice", page.body, "You chose delivery on Tue 24 November on this page.",
		`id="move-request">`+list[0].Number+`<`)
	page = b.do("GET", "/track/RB123456785GB?lang=ru", nil)
	mustContain(t, "the Russian page after the choice", page.body, "Мы не смогли доставить посылку: выберите другой день",
		`<span class="wd">пн</span> <span class="dt">23 ноября</span>`, "Вы выбрали доставку на вт, 24 ноября на этой странице.",
		"Номер вашего обращения:")
	// The same tap again files nothing more.
	b.do("POST", "/track/RB123456785GB/day", url.Values{"_csrf": {token}, "date": {"2026-11-24"}})
	if n := len(f.brandCases(t, f.brandA)); n != 1 {
		t.Errorf("%d cases after the same tap twice", n)
	}
}

// TestTrackPageShowsAChoiceMadeByAutomatedCall: a choice made in an automated call shows on
// the page at once (the cached page is dropped), in the customer's words.
func TestTrackPageShowsAChoiceMadeByAutomatedCall(t *testing.T) {
	f, days := newDaysFixture(t)
	b := f.browser(t)
	for _, lang := range []string{"en", "ru"} {
		b.do("GET", "/track/RB123456785GB?lang="+lang, nil) // cached now
	}
	if _, err := days.Choose(context.Background(), f.brandA, "RB123456785GB", "2026-11-25", deliverydays.ViaRobocall, 77); err != nil {
		t.Fatal(err)
	}
	page := b.do("GET", "/track/RB123456785GB?lang=en", nil)
	mustContain(t, "the English page", page.body, "We called you with an automated message; you chose delivery on Wed 25 November.")
	page = b.do("GET", "/track/RB123456785GB?lang=ru", nil)
	mustContain(t, "the Russian page", page.body, "Мы позвонили вам с автоматическим сообщением; вы выбрали доставку на ср, 25 ноября.")
	if !strings.Contains(page.body, `class="day planned" `) && !strings.Contains(page.body, `value="2026-11-25" class="day planned"`) {
		t.Errorf("the chosen day is not marked planned")
	}
}

// TestTrackPageRefusesABadDayOrToken keeps the buttons and says why.
func TestTrackPageRefusesABadDayOrToken(t *testing.T) {
	f, _ := newDaysFixture(t)
	b := f.browser(t)
	page := b.do("GET", "/track/RB123456785GB?lang=en", nil)
	token := csrfField.FindStringSubmatch(page.body)[1]
	r := b.do("POST", "/track/RB123456785GB/day?lang=en", url.Values{"_csrf": {token}, "date": {"2026-11-22"}})
	if r.status != 422 {
		t.Fatalf("a Sunday: %d", r.status)
	}
	mustContain(t, "the refusal", r.body, "This day can no longer be chosen", `value="2026-11-23"`)
	r = b.do("POST", "/track/RB123456785GB/day?lang=ru", url.Values{"_csrf": {"0123456789abcdef0123456789abcdef"}, "date": {"2026-11-24"}})
	if r.status != 403 {
		t.Fatalf("a foreign token: %d", r.status)
	}
	if n := len(f.brandCases(t, f.brandA)); n != 0 {
		t.Errorf("%d cases after refused taps", n)
	}
}

// TestTrackPageOffersNoDaysOnceDelivered.
func TestTrackPageOffersNoDaysOnceDelivered(t *testing.T) {
	f, _ := newDaysFixture(t)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMI","occurred_at":"2026-11-20T05:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU"}]}`)
	page := f.browser(t).do("GET", "/track/RB123456785GB?lang=en", nil)
	if strings.Contains(page.body, `id="move"`) || strings.Contains(page.body, `name="date"`) {
		t.Errorf("a delivered parcel's page offers delivery days")
	}
}

// TestTrackPageDayTapsAreRateLimited: past the per-address limit a tap answers 429 with the
// page, the days and the reason, and records nothing.
func TestTrackPageDayTapsAreRateLimited(t *testing.T) {
	f, days := newDaysFixture(t, FeedbackLimits{PerIP: Limit{Requests: 1, Window: time.Hour}, PerParcel: Limit{Requests: 100, Window: time.Hour}})
	b := f.browser(t)
	page := b.do("GET", "/track/RB123456785GB?lang=en", nil)
	token := csrfField.FindStringSubmatch(page.body)[1]
	if r := b.do("POST", "/track/RB123456785GB/day", url.Values{"_csrf": {token}, "date": {"2026-11-24"}}); r.status != 303 {
		t.Fatalf("first tap: %d", r.status)
	}
	r := b.do("POST", "/track/RB123456785GB/day?lang=en", url.Values{"_csrf": {token}, "date": {"2026-11-26"}})
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("second tap: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	mustContain(t, "the refusal", r.body, `id="move-error"`, `value="2026-11-26"`)
	l, err := days.Latest(context.Background(), f.brandA, "RB123456785GB")
	if err != nil || l == nil || l.Date != "2026-11-24" {
		t.Fatalf("the choice in force: %+v, %v", l, err)
	}
}
