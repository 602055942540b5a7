package portal

import (
	"strings"
	"testing"
)

// At customs the page says what the customer must pay, formatted for the page's language,
// with the post's link to pay, when the customs event carries duties (over HTTP, both
// languages; the events come through the API).
func TestCustomsPageShowsDuties(t *testing.T) {
	f := newFixture(t)
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	r := f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","country":"GB"},
		{"item_id":"RB123456785GB","code":"EDB","occurred_at":"2026-11-05T08:00:00Z","office":"RUMOWA","country":"RU"},
		{"item_id":"RB123456785GB","code":"EME","occurred_at":"2026-11-05T10:00:00Z","office":"RUMOWA","country":"RU",
		 "reason":"CUSTOMS_DUTIES","duties":{"amount":"1250.00","currency":"RUB","pay_url":"https://pay.example.ru/d?id=1&x=2"}},
		{"item_id":"RB123456785GB","code":"EME","occurred_at":"2026-11-05T11:00:00Z","office":"RUMOWB","country":"RU",
		 "duties":{"amount":"5","currency":"RUB","pay_url":"http://pay.example.ru/"}}]}`)
	res := results(t, r.body)
	if len(res) != 4 || res[2].Status != "accepted" || res[3].Status != "rejected" || res[3].Error.Field != "duties.pay_url" {
		t.Fatalf("ingest: %s", r.body)
	}
	for lang, want := range map[string][]string{
		"en": {"What you need to do", "Duties to pay: ₽1,250.00", `href="https://pay.example.ru/d?id=1&amp;x=2"`, "Pay the duties online"},
		"ru": {"Что нужно сделать", "Пошлины к оплате: 1\u00a0250,00\u00a0₽", `href="https://pay.example.ru/d?id=1&amp;x=2"`, "Оплатить пошлину онлайн"},
	} {
		page := f.do(t, "GET", "/track/RB123456785GB?lang="+lang, "", "")
		if page.status != 200 {
			t.Fatalf("%s: %d", lang, page.status)
		}
		for _, w := range want {
			if !strings.Contains(page.body, w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
	}
	// Without duties in the data, the page names no amount.
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[{"item_id":"RB123456785GB","code":"EME","occurred_at":"2026-11-05T10:00:00Z","office":"RUMOWA","country":"RU","reason":"CUSTOMS_DUTIES","duties":{"amount":"1","currency":"RUB"}}]}`)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[{"item_id":"RB123456785GB","code":"EDC","occurred_at":"2026-11-06T10:00:00Z","office":"RUMOWA","country":"RU"}]}`)
	if page := f.do(t, "GET", "/track/RB123456785GB?lang=en", "", ""); strings.Contains(page.body, "Duties to pay") {
		t.Errorf("released from customs, the page still asks for duties")
	}
}
