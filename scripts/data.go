package scripts

import (
	"strings"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// Data is what a template sees, as nested maps so that text/template's missingkey=error
// names any variable that does not exist:
//
//	.parcel.id .parcel.service_level .parcel.kind .parcel.weight_kg .parcel.phase
//	.parcel.origin_country .parcel.destination_country .parcel.promised_date
//	.parcel.expected_date (predicted from recent deliveries; the promised date without data)
//	.parcel.status_words .parcel.status_detail (the latest event, its reason and action, in
//	the customer words of the tracking page, recipient's language, brand's overrides: trackwords)
//	.parcel.duties .parcel.duties_pay_url (at import customs, when the data carries duties)
//	.recipient.name .recipient.first_name .recipient.phone .recipient.email
//	.recipient.address .recipient.language .recipient.time_zone
//	.cod.present .cod.amount .cod.currency .cod.text
//	.event.code .event.meaning .event.reason .event.reason_text .event.action
//	.event.location .event.country .event.local_time .event.date
//	.brand.name  .tracking_link  .delivery_date  .expected_delivery_date
//	.pickup.present .pickup.name .pickup.address .pickup.hours .pickup.deadline .pickup.map_link
//
// Times and dates are written in the recipient's zone and language (ru: 02.01.2006 15:04,
// otherwise 2 Jan 2006 15:04).
type Data map[string]any

// dataFor builds the template data of a parcel, the event that fired (nil for none) and
// the brand, with the brand's overrides of the customer words (trackwords).
func dataFor(p tracking.ParcelView, ev *tracking.EventView, brand, link string, words map[string]string) Data {
	loc, err := geo.LoadZone(p.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	lang := p.Recipient.Language
	first, _, _ := strings.Cut(strings.TrimSpace(p.Recipient.Name), " ")
	if strings.EqualFold(lang, "ru") {
		// Russian recipients are often written "Surname Name": greet by the second word.
		if parts := strings.Fields(p.Recipient.Name); len(parts) >= 2 {
			first = parts[1]
		}
	}
	cod := map[string]any{"present": false, "amount": "", "currency": "", "text": ""}
	if p.COD != nil {
		cod = map[string]any{"present": true, "amount": p.COD.Amount, "currency": p.COD.Currency, "text": p.COD.Amount + " " + p.COD.Currency}
	}
	expected := p.ExpectedDate
	if expected == "" {
		expected = p.PromisedDate
	}
	d := Data{
		"parcel": map[string]any{"id": p.ID, "service_level": string(p.ServiceLevel), "kind": string(p.Kind), "weight_kg": p.WeightKg,
			"phase": string(p.Phase), "origin_country": p.OriginCountry, "destination_country": p.DestinationCountry,
			"promised_date": p.PromisedDate, "expected_date": expected},
		"recipient": map[string]any{"name": p.Recipient.Name, "first_name": first, "phone": p.Recipient.Phone, "email": p.Recipient.Email,
			"address": p.Recipient.Address, "language": lang, "time_zone": p.Recipient.TimeZone},
		"cod":                    cod,
		"brand":                  map[string]any{"name": brand},
		"tracking_link":          link,
		"delivery_date":          localDate(p.PromisedDate, lang),
		"expected_delivery_date": localDate(expected, lang),
		"pickup":                 pickupData(p.Pickup, lang),
		"event":                  map[string]any{"code": "", "meaning": "", "reason": "", "reason_text": "", "action": "", "location": "", "country": "", "local_time": "", "date": ""},
	}
	if ev != nil {
		reason := ev.Reason
		if r, ok := tracking.LookupReason(ev.Reason); ok {
			reason = r.Meaning
			if t, ok := reasonRU(ev.Reason); ok && strings.EqualFold(lang, "ru") {
				reason = t
			}
		}
		at := ev.OccurredAt.In(loc)
		d["event"] = map[string]any{"code": ev.Code, "meaning": ev.Meaning, "reason": ev.Reason, "reason_text": reason,
			"action": ev.Action, "location": ev.Location, "country": ev.Country, "local_time": localTime(at, lang), "date": localDate(at.Format("2006-01-02"), lang)}
	}
	trackwords.Fill(d["parcel"].(map[string]any), p, words)
	return d
}

// pickupData is the point where the parcel waits (tracking.PickupView), its last day written
// like delivery_date.
func pickupData(pp *tracking.PickupView, lang string) map[string]any {
	if pp == nil {
		pp = &tracking.PickupView{}
	}
	return map[string]any{"present": pp.Address != "", "name": pp.Name, "address": pp.Address, "hours": pp.Hours,
		"deadline": localDate(pp.Deadline, lang), "map_link": pp.MapLink}
}

func localTime(t time.Time, lang string) string {
	if strings.EqualFold(lang, "ru") {
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

func localDate(ymd, lang string) string {
	t, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	if strings.EqualFold(lang, "ru") {
		return t.Format("02.01.2006")
	}
	return t.Format("2 Jan 2006")
}

// reasonRU is the Russian wording of non-delivery and customs reasons for Russian templates.
func reasonRU(code string) (string, bool) {
	m := map[string]string{
		"ABSENT": "адресата не было дома", "UNREACHABLE": "не удалось дозвониться до адресата",
		"BAD_ADDRESS": "неполный или неверный адрес", "INACCESSIBLE": "адрес недоступен", "MOVED": "адресат выбыл",
		"REFUSED": "адресат отказался от получения", "RESCHEDULED": "адресат попросил другой день",
		"UNPAID": "не оплачен наложенный платёж или пошлина", "DECEASED": "адресат умер",
		"UNCLAIMED": "истёк срок хранения", "CUSTOMS_DOCS": "нужны документы для таможни",
		"CUSTOMS_PROHIBITED": "запрещённое или ограниченное вложение", "CUSTOMS_CONTACT": "таможня не может связаться с адресатом",
		"CUSTOMS_DUTIES": "ожидается оплата таможенных платежей",
	}
	t, ok := m[code]
	return t, ok
}

// sampleParcel is the parcel templates are validated against: every field set, so that
// each variable resolves.
func sampleParcel() (tracking.ParcelView, *tracking.EventView) {
	at := time.Date(2026, 11, 20, 7, 30, 0, 0, time.UTC)
	p := tracking.ParcelView{ID: "RB123456785GB", BrandID: 1, ServiceLevel: tracking.Standard, Kind: tracking.KindPacket, WeightKg: 0.4,
		OriginCountry: "GB", DestinationCountry: "RU", COD: &tracking.MoneyInput{Amount: "1200.00", Currency: "RUB"},
		Recipient: tracking.RecipientView{Name: "Петров Иван", Phone: "+79131234567", Email: "ivan@example.com",
			Address: "ул. Ленина 1, Новосибирск", Region: "RU-NVS", Language: "ru", TimeZone: "Asia/Novosibirsk"},
		Phase: "at_sorting_center", PromisedDate: "2026-11-24",
		Pickup: &tracking.PickupView{Deadline: "2026-11-30", Name: "Пункт выдачи №5", Address: "Красный проспект 2, Новосибирск",
			Hours: "Пн-Пт 9:00-20:00", MapLink: tracking.MapLink("Красный проспект 2, Новосибирск")}}
	ev := &tracking.EventView{Code: "EMH", Meaning: "Unsuccessful (attempted) delivery", OccurredAt: at, Office: "RUNSKA",
		Location: "Новосибирск", Country: "RU", TimeZone: "Asia/Novosibirsk", Reason: "ABSENT", Action: "NOTICE_LEFT"}
	return p, ev
}

// SampleData is the data templates are validated and previewed with when no parcel is given.
func SampleData(publicURL string) Data {
	p, ev := sampleParcel()
	p.Events = []tracking.EventView{*ev}
	return dataFor(p, ev, "Sample Shop", strings.TrimSuffix(publicURL, "/")+"/track/"+p.ID, nil)
}
