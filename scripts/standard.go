package scripts

import (
	"time"

	"github.com/wismo/wismo/dialer"
)

// The standard flow every brand starts from (installed by standardflow.go), in English and
// Russian. Brands edit it like anything of their own.

// StandardCampaign is the name of the standard flow's call campaign.
const StandardCampaign = "Standard calls"

type stdTemplate struct {
	name, channel, lang string
	content             Content
}

func standardTemplates() []stdTemplate {
	return []stdTemplate{
		{"sorting_center", "sms", "en", Content{SMS: `{{.brand.name}}: parcel {{.parcel.id}} is at the sorting centre{{if .delivery_date}}, expected {{.delivery_date}}{{end}}. Track it: {{.tracking_link}}`}},
		{"sorting_center", "sms", "ru", Content{SMS: `{{.brand.name}}: посылка {{.parcel.id}} в сортировочном центре{{if .delivery_date}}, ожидаемая доставка {{.delivery_date}}{{end}}. Отслеживание: {{.tracking_link}}`}},
		{"delivery_failed", "sms", "en", Content{SMS: `{{.brand.name}}: we could not deliver parcel {{.parcel.id}} ({{.event.reason_text}}). Choose a new day or a pick-up point: {{.tracking_link}}`}},
		{"delivery_failed", "sms", "ru", Content{SMS: `{{.brand.name}}: не удалось доставить посылку {{.parcel.id}} ({{.event.reason_text}}). Выберите другой день или пункт выдачи: {{.tracking_link}}`}},
		{"customs_hold", "sms", "en", Content{SMS: `{{.brand.name}}: customs is holding parcel {{.parcel.id}}: {{.event.reason_text}}. What to do: {{.tracking_link}}`}},
		{"customs_hold", "sms", "ru", Content{SMS: `{{.brand.name}}: посылка {{.parcel.id}} задержана таможней: {{.event.reason_text}}. Что делать: {{.tracking_link}}`}},
		{"customs_hold", "email", "en", Content{
			Subject: `Your parcel {{.parcel.id}} is held by customs`,
			Text: `Hello {{.recipient.first_name}},

customs is holding your parcel {{.parcel.id}} from {{.brand.name}}: {{.event.reason_text}}.
See what to do to release it: {{.tracking_link}}

{{.brand.name}}`,
			HTML: `<p>Hello {{.recipient.first_name}},</p>
<p>customs is holding your parcel <b>{{.parcel.id}}</b> from {{.brand.name}}: {{.event.reason_text}}.</p>
<p><a href="{{.tracking_link}}">See what to do to release it</a></p>
<p>{{.brand.name}}</p>`}},
		{"customs_hold", "email", "ru", Content{
			Subject: `Посылка {{.parcel.id}} задержана таможней`,
			Text: `Здравствуйте, {{.recipient.first_name}}!

Таможня задержала вашу посылку {{.parcel.id}} от {{.brand.name}}: {{.event.reason_text}}.
Что сделать, чтобы её выпустили: {{.tracking_link}}

{{.brand.name}}`,
			HTML: `<p>Здравствуйте, {{.recipient.first_name}}!</p>
<p>Таможня задержала вашу посылку <b>{{.parcel.id}}</b> от {{.brand.name}}: {{.event.reason_text}}.</p>
<p><a href="{{.tracking_link}}">Что сделать, чтобы её выпустили</a></p>
<p>{{.brand.name}}</p>`}},
		{"pickup_ready", "sms", "en", Content{SMS: `{{.brand.name}}: parcel {{.parcel.id}} is waiting for you at {{.event.location}}.{{if .cod.present}} Pay on collection: {{.cod.text}}.{{end}} {{.tracking_link}}`}},
		{"pickup_ready", "sms", "ru", Content{SMS: `{{.brand.name}}: посылка {{.parcel.id}} ждёт вас: {{.event.location}}.{{if .cod.present}} Оплата при получении: {{.cod.text}}.{{end}} {{.tracking_link}}`}},
	}
}

// standardScript is what agents follow on the standard flow's calls.
// It ships in English (the default variant) and Russian; the recipient's language picks.
func standardScript() ScriptInput {
	return ScriptInput{Name: "standard_call", Variants: []Variant{
		{Language: "en", Body: standardScriptEN()},
		{Language: "ru", Body: standardScriptRU()},
	}}
}

func standardScriptEN() ScriptBody {
	return ScriptBody{Start: "greet", Steps: []Step{
		{ID: "greet", Say: `Hello, this is the delivery service of {{.brand.name}}, calling about parcel {{.parcel.id}}. Am I speaking with {{.recipient.name}}?`,
			Question: &Question{Text: "Is this the recipient?", Options: []Option{
				{Answer: "yes", Label: "Yes, speaking", Next: "purpose"},
				{Answer: "not_here", Label: "Not now: call later", End: &Ending{Disposition: "callback_requested"}},
				{Answer: "wrong_number", Label: "Wrong number", End: &Ending{Disposition: "wrong_number"}},
			}}},
		{ID: "purpose", Say: `{{if .cod.present}}Your parcel comes with cash on delivery of {{.cod.text}}. {{end}}We would like to agree its delivery{{if .event.reason_text}}: the last attempt failed ({{.event.reason_text}}){{end}}.`,
			Question: &Question{Text: "Will you take the delivery?", Options: []Option{
				{Answer: "yes", Label: "Yes", Next: "confirm"},
				{Answer: "another_day", Label: "Another day", End: &Ending{Disposition: "callback_requested", Note: "agree the day in the delivery options"}},
				{Answer: "refuse", Label: "Refuses the parcel", End: &Ending{Disposition: "refused", Note: "ask why (COD reject)"}},
			}}},
		{ID: "confirm", Say: `Thank you. The courier brings parcel {{.parcel.id}} to {{.recipient.address}}{{if .delivery_date}} by {{.delivery_date}}{{end}}. You can follow it at {{.tracking_link}}.`,
			End: &Ending{Disposition: "reached"}},
	}}
}

func standardScriptRU() ScriptBody {
	return ScriptBody{Start: "greet", Steps: []Step{
		{ID: "greet", Say: `Здравствуйте, это служба доставки {{.brand.name}}, звоним по поводу посылки {{.parcel.id}}. Я говорю с {{.recipient.name}}?`,
			Question: &Question{Text: "Это получатель?", Options: []Option{
				{Answer: "yes", Label: "Да, это я", Next: "purpose"},
				{Answer: "not_here", Label: "Не сейчас: перезвонить", End: &Ending{Disposition: "callback_requested"}},
				{Answer: "wrong_number", Label: "Ошиблись номером", End: &Ending{Disposition: "wrong_number"}},
			}}},
		{ID: "purpose", Say: `{{if .cod.present}}Посылка с наложенным платежом {{.cod.text}}. {{end}}Мы хотели бы согласовать доставку{{if .event.reason_text}}: прошлая попытка не удалась ({{.event.reason_text}}){{end}}.`,
			Question: &Question{Text: "Вы примете доставку?", Options: []Option{
				{Answer: "yes", Label: "Да", Next: "confirm"},
				{Answer: "another_day", Label: "В другой день", End: &Ending{Disposition: "callback_requested", Note: "согласовать день в вариантах доставки"}},
				{Answer: "refuse", Label: "Отказывается от посылки", End: &Ending{Disposition: "refused", Note: "спросить причину (отказ от оплаты)"}},
			}}},
		{ID: "confirm", Say: `Спасибо. Курьер привезёт посылку {{.parcel.id}} по адресу {{.recipient.address}}{{if .delivery_date}} до {{.delivery_date}}{{end}}. Следить за ней можно здесь: {{.tracking_link}}.`,
			End: &Ending{Disposition: "reached"}},
	}}
}

// standardRules are the standard flow's rules; campaign is the standard campaign's id.
func standardRules(campaign int64) []Rule {
	return []Rule{
		{Name: "Sorting centre: SMS with the tracking link", Trigger: "event", Codes: []string{"EDD"},
			Condition: `recipient.has_phone && none(contacts, .template == "sorting_center")`, Action: "sms", Template: "sorting_center"},
		{Name: "Cash on delivery: call before it goes out", Trigger: "event", Codes: []string{"EMG"},
			Condition: `parcel.has_cod && recipient.has_phone`, Action: "call", CampaignID: campaign},
		{Name: "Failed delivery: SMS to choose a new delivery", Trigger: "event", Codes: []string{"EMH"},
			Condition: `event.action != "RETURN_TO_SENDER" && event.reason in ["ABSENT", "RESCHEDULED", "UNREACHABLE", "UNPAID"] && recipient.has_phone`,
			Action:    "sms", Template: "delivery_failed"},
		{Name: "Failed delivery: call to agree delivery", Trigger: "event", Codes: []string{"EMH"},
			Condition: `event.action != "RETURN_TO_SENDER" && event.reason in ["UNREACHABLE", "BAD_ADDRESS", "INACCESSIBLE", "UNPAID", "REFUSED"] && recipient.has_phone`,
			Action:    "call", CampaignID: campaign, Delay: dialer.Duration(15 * time.Minute)},
		{Name: "Customs hold: email", Trigger: "event", Codes: []string{"EME"}, Condition: `recipient.has_email`, Action: "email", Template: "customs_hold"},
		{Name: "Customs hold: SMS", Trigger: "event", Codes: []string{"EME"}, Condition: `recipient.has_phone`, Action: "sms", Template: "customs_hold"},
		{Name: "Pick-up point: SMS", Trigger: "event", Codes: []string{"EDH"}, Condition: `recipient.has_phone`, Action: "sms", Template: "pickup_ready"},
	}
}
