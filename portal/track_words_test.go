package portal

import (
	"fmt"
	"strings"
	"testing"
)

// TestTrackingPageWords: every phase of a parcel in both languages, over HTTP: the customer's
// sentence per event with its reason and action (never the UPU list's notes, never a phase name
// standing in for an event), the right badge instead of a promise, countries by name.
func TestTrackingPageWords(t *testing.T) {
	f := newFixture(t)
	parcel := func(id, dest, phone string) string {
		return fmt.Sprintf(`{"parcels":[{"id":%q,"service_level":"standard","kind":"packet","weight_kg":0.4,
 "origin_country":"TR","destination_country":%q,"recipient":{"name":"Анна Смирнова","phone":%q,"email":"anna@example.com"}}]}`, id, dest, phone)
	}
	ev := func(id, code, at, extra string) string {
		return fmt.Sprintf(`{"item_id":%q,"code":%q,"occurred_at":%q,"office":"TRISTA","location":"Istanbul","country":"TR"%s}`, id, code, at, extra)
	}
	type want struct{ en, ru, notEN, notRU []string }
	for _, tc := range []struct {
		name, id string
		events   []string
		want     want
	}{
		{"failed attempt", "RB220000019GB", []string{"EMA", "EMH|ABSENT|NOTICE_LEFT"}, want{
			en:    []string{"The courier could not deliver the parcel", "Nobody was at home", "A notice was left", "Expected by", "Turkey · PTT", "Belarus · Belpost", "Europe/Minsk"},
			ru:    []string{"Курьер не смог вручить посылку", "Никого не было дома", "Оставлено извещение", "Ожидается", "Турция · PTT", "Беларусь · Белпочта", "Europe/Minsk"},
			notEN: []string{"Unsuccessful (attempted) delivery", "carries a", ">TR<", ">BY<", "Europe/Moscow"},
			notRU: []string{"Unsuccessful", "Europe/Moscow"}}},
		{"customs hold", "RB220000022GB", []string{"EMA", "EMD", "EDB", "EME|CUSTOMS_DUTIES"}, want{
			en:    []string{"Customs is holding the parcel", "Duties and taxes are waiting to be paid", "The parcel arrived in the destination country"},
			ru:    []string{"Таможня задержала посылку", "Ожидается оплата пошлин и налогов", "Посылка передана таможне"},
			notEN: []string{"carries a retention reason", "Held by import customs"}}},
		{"customs released", "RB220000036GB", []string{"EMA", "EMD", "EDB", "EDC"}, want{
			en:    []string{"Customs has released the parcel"},
			ru:    []string{"Таможня выпустила посылку", "Посылка прибыла в страну назначения"},
			notEN: []string{"Item returned from import customs"}}},
		{"returning", "RB220000040GB", []string{"EMA", "EMH|REFUSED|RETURN_TO_SENDER", "EMG"}, want{
			en:    []string{"Returning to the sender: no delivery is expected", "The recipient refused the parcel", "The parcel is on its way back to the sender"},
			ru:    []string{"Возвращается отправителю: доставки не будет", "Получатель отказался от посылки", "Посылка едет обратно к отправителю"},
			notEN: []string{"Expected by", "On time", "Late<", "arrived at your delivery office"}, notRU: []string{"Ожидается", "В срок", "в ваше отделение"}}},
		{"returned", "RB220000075GB", []string{"EMA", "EMH|REFUSED|RETURN_TO_SENDER", "EMI"}, want{
			en:    []string{"Returned to the sender", "The parcel was handed back to the sender"},
			ru:    []string{"Возвращена отправителю", "Посылка вручена отправителю"},
			notEN: []string{"Expected by", "On time", "The parcel was delivered"}, notRU: []string{"Ожидается", "В срок", "Посылка вручена<"}}},
		{"cancelled", "RB220000053GB", []string{"EMA", "EMD", "EDX"}, want{
			en:    []string{"Cancelled: the parcel will not be delivered", "The parcel was not allowed into the country"},
			ru:    []string{"Отменена: посылка не будет доставлена", "Посылку не пропустили в страну"},
			notEN: []string{"Expected by", "On time", "Import terminated"}, notRU: []string{"В срок"}}},
		{"pickup", "RB220000067GB", []string{"EMA", "EMD", "EDH"}, want{
			en:    []string{"Waiting for you at the pickup point", "The parcel is waiting for you at the pickup point"},
			ru:    []string{"Ждёт вас в пункте выдачи", "Посылка ждёт вас в пункте выдачи"},
			notEN: []string{"On time"}, notRU: []string{"В срок"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := f.do(t, "POST", "/api/v1/parcels", f.keyA, parcel(tc.id, "BY", "+375 29 123 45 67")); r.status != 200 {
				t.Fatalf("parcel: %d %s", r.status, r.body)
			}
			var list []string
			for i, e := range tc.events {
				parts := strings.Split(e, "|")
				extra := ""
				if len(parts) == 3 {
					extra = fmt.Sprintf(`,"reason":%q,"action":%q`, parts[1], parts[2])
				} else if len(parts) == 2 {
					extra = fmt.Sprintf(`,"reason":%q`, parts[1])
				}
				list = append(list, ev(tc.id, parts[0], fmt.Sprintf("2026-11-%02dT10:00:00Z", i+1), extra))
			}
			if r := f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[`+strings.Join(list, ",")+`]}`); r.status != 200 {
				t.Fatalf("events: %d %s", r.status, r.body)
			}
			for _, lang := range []string{"en", "ru"} {
				r := f.do(t, "GET", "/track/"+tc.id+"?lang="+lang, "", "")
				if r.status != 200 {
					t.Fatalf("%s: status %d", lang, r.status)
				}
				wants, nots := tc.want.en, tc.want.notEN
				if lang == "ru" {
					wants, nots = tc.want.ru, tc.want.notRU
				}
				for _, w := range wants {
					if !strings.Contains(r.body, w) {
						t.Errorf("%s page lacks %q", lang, w)
					}
				}
				for _, n := range nots {
					if strings.Contains(r.body, n) {
						t.Errorf("%s page shows %q", lang, n)
					}
				}
				if !strings.Contains(r.body, "Brand A") {
					t.Errorf("%s page does not name the shop", lang)
				}
			}
		})
	}
}
