package scripts

import "github.com/wismo/wismo/cases"

// The standard flow's rules on elapsed time (docs/elapsed.md), installed for brands that get
// the standard flow from now on. Brands that had it before opt in with StandardElapsed
// (elapsed.Service.OptIn), which adds the same templates and rules.

func standardElapsedTemplates() []stdTemplate {
	return []stdTemplate{
		{"customs_still_held", "sms", "en", Content{SMS: `{{.brand.name}}: customs has been holding parcel {{.parcel.id}} for several days. What is needed to release it: {{.tracking_link}}`}},
		{"customs_still_held", "sms", "ru", Content{SMS: `{{.brand.name}}: посылка {{.parcel.id}} уже несколько дней на таможне. Что нужно для выпуска: {{.tracking_link}}`}},
		{"pickup_deadline", "sms", "en", Content{SMS: `{{.brand.name}}: parcel {{.parcel.id}} waits for you until {{.pickup.deadline}} at {{.pickup.address}}{{if .pickup.hours}} ({{.pickup.hours}}){{end}}. After that it goes back to the sender. {{.tracking_link}}`}},
		{"pickup_deadline", "sms", "ru", Content{SMS: `{{.brand.name}}: посылка {{.parcel.id}} ждёт вас до {{.pickup.deadline}}: {{.pickup.address}}{{if .pickup.hours}} ({{.pickup.hours}}){{end}}. Потом она вернётся отправителю. {{.tracking_link}}`}},
	}
}

func standardElapsedRules() []Rule {
	return []Rule{
		{Name: "Customs hold for 3 days: SMS", Trigger: "customs_held", N: 3, Condition: `recipient.has_phone`, Action: "sms", Template: "customs_still_held"},
		{Name: "No scan for 7 days: case for an agent", Trigger: "no_scan", N: 7, Action: "open_case", CaseType: string(cases.TypeNonReceipt),
			Note: "The parcel has had no scan for 7 days: check with the post and tell the customer."},
		{Name: "Pick-up deadline in 2 days: SMS", Trigger: "pickup_deadline", N: 2, Condition: `recipient.has_phone`, Action: "sms", Template: "pickup_deadline"},
	}
}

// StandardElapsed returns the standard flow's elapsed-time templates and rules (enabled), for
// a brand that opts in.
func StandardElapsed() ([]TemplateInput, []Rule) {
	var tpls []TemplateInput
	for _, t := range standardElapsedTemplates() {
		tpls = append(tpls, TemplateInput{Name: t.name, Channel: t.channel, Language: t.lang, Content: t.content})
	}
	rules := standardElapsedRules()
	for i := range rules {
		rules[i].Enabled = true
	}
	return tpls, rules
}
