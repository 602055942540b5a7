package portal

import (
	"strings"
	"testing"
)

func TestTrackingPage(t *testing.T) {
	f := newFixture(t)
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","location":"London","country":"GB"},
		{"item_id":"RB123456785GB","code":"EMH","occurred_at":"2026-11-09T06:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU","reason":"ABSENT","action":"NOTICE_LEFT"}]}`)

	r := f.do(t, "GET", "/track/rb123456785gb", "", "")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{"RB123456785GB", "Delivery attempted", "Nobody was at home", "A notice was left", "Novosibirsk, Russia", "Russia", "United Kingdom",
		"09.11.2026 13:00", "Asia/Novosibirsk", "₽1,200.00"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Personal data never reaches the public page.
	for _, secret := range []string{"Иван", "Петров", "913", "ivan@example.com", "Ленина"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("public page shows personal data %q", secret)
		}
	}
	if r := f.do(t, "GET", "/track/RB123456785GB?lang=ru", "", ""); !strings.Contains(r.body, "Курьер не смог вручить посылку") || !strings.Contains(r.body, "Никого не было дома") || !strings.Contains(r.body, `lang="ru"`) ||
		!strings.Contains(r.body, "1\u00a0200,00\u00a0₽") { // cash on delivery as Russians write money
		t.Errorf("Russian page: %.300s", r.body)
	}
	if r := f.do(t, "GET", "/track/RB123456785GB", "", "", "Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8"); !strings.Contains(r.body, "Где мой заказ") {
		t.Error("Accept-Language ru did not choose Russian")
	}
}

func TestTrackingPageErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/track/RB123456785GB", 404, "could not find"},
		{"/track/RB123456786GB", 400, "does not look like a tracking number"},
		{"/track/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 400, "&lt;script&gt;"},
		{"/track", 200, "Tracking number"},
	} {
		r := f.do(t, "GET", tc.path, "", "")
		if r.status != tc.status || !strings.Contains(r.body, tc.want) || strings.Contains(r.body, "<script>alert") {
			t.Errorf("%s: %d, want %d with %q: %.200s", tc.path, r.status, tc.status, tc.want, r.body)
		}
	}
	if r := f.do(t, "GET", "/track?id=rb+1234+5678+5+gb", "", ""); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/track/") {
		t.Errorf("search form redirect: %d %s", r.status, r.header.Get("Location"))
	}
	if r := f.do(t, "GET", "/static/wismo.css", "", ""); r.status != 200 || !strings.Contains(r.body, "--accent") {
		t.Errorf("stylesheet: %d", r.status)
	}
}
