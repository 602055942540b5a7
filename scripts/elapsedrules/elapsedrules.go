// Package elapsedrules is what the rules on elapsed time (docs/elapsed.md) are, apart from
// how they run: the trigger kinds, the range of their N and the checks of a rule's fields,
// and the standard flow's defaults. scripts validates and installs rules with it; package
// elapsed arms, sweeps and fires them. It is kept out of scripts, which is at its size limit.
package elapsedrules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/tracking"
)

// nRange is each trigger's range of N (days, or failed attempts).
var nRange = map[string][2]int{"no_scan": {1, 90}, "past_promised": {0, 60}, "pickup_deadline": {0, 30},
	"failed_attempts": {1, 10}, "customs_held": {1, 60}}

// Kinds are the elapsed-time trigger kinds.
func Kinds() []string {
	return []string{"no_scan", "past_promised", "pickup_deadline", "failed_attempts", "customs_held"}
}

// Is reports whether trigger is an elapsed-time trigger.
func Is(trigger string) bool { _, ok := nRange[trigger]; return ok }

// Problem is a rule field that is wrong, and why.
type Problem struct{ Field, Message string }

// Check checks what only elapsed-time triggers take: N in its range (and no N on other
// triggers), phases as the codes of no_scan (no codes on the others), no delay.
func Check(trigger string, n int, codes []string, delay time.Duration) []Problem {
	var p []Problem
	add := func(field, msg string) { p = append(p, Problem{field, msg}) }
	if !Is(trigger) {
		if n != 0 {
			add("n", "only elapsed-time triggers ("+strings.Join(Kinds(), ", ")+") take N")
		}
		return p
	}
	if lim := nRange[trigger]; n < lim[0] || n > lim[1] {
		unit := "days"
		if trigger == "failed_attempts" {
			unit = "failed attempts"
		}
		add("n", fmt.Sprintf("%s needs N between %d and %d (%s), got %d", trigger, lim[0], lim[1], unit, n))
	}
	for _, c := range codes {
		switch {
		case trigger != "no_scan":
			add("codes", trigger+" takes no codes (only no_scan takes phases)")
			return p
		case !slices.Contains(tracking.Phases(), tracking.Phase(c)):
			add("codes", fmt.Sprintf("%q is not a phase; no_scan takes phases such as customs or at_sorting_center", c))
		}
	}
	if delay != 0 {
		add("delay", "an elapsed-time trigger waits by its N: leave the delay empty")
	}
	return p
}

// Template is an SMS template of the standard flow's elapsed-time rules.
type Template struct{ Name, Language, SMS string }

// Rule is one of the standard flow's elapsed-time rules.
type Rule struct {
	Name, Trigger, Condition, Action, Template, CaseType, Note string
	N                                                          int
}

// StandardTemplates are the SMS templates the standard rules name, in English and Russian.
func StandardTemplates() []Template {
	return []Template{
		{"customs_still_held", "en", `{{.brand.name}}: customs has been holding parcel {{.parcel.id}} for several days. What is needed to release it: {{.tracking_link}}`},
		{"customs_still_held", "ru", `{{.brand.name}}: посылка {{.parcel.id}} уже несколько дней на таможне. Что нужно для выпуска: {{.tracking_link}}`},
		{"pickup_deadline", "en", `{{.brand.name}}: parcel {{.parcel.id}} waits for you until {{.pickup.deadline}} at {{.pickup.address}}{{if .pickup.hours}} ({{.pickup.hours}}){{end}}. After that it goes back to the sender. {{.tracking_link}}`},
		{"pickup_deadline", "ru", `{{.brand.name}}: посылка {{.parcel.id}} ждёт вас до {{.pickup.deadline}}: {{.pickup.address}}{{if .pickup.hours}} ({{.pickup.hours}}){{end}}. Потом она вернётся отправителю. {{.tracking_link}}`},
	}
}

// StandardRules are the standard flow's rules on elapsed time: an SMS when customs has held
// an item for 3 days, a case for an agent when a parcel has had no scan for 7 days, an SMS 2
// days before the pick-up point's last day.
func StandardRules() []Rule {
	return []Rule{
		{Name: "Customs hold for 3 days: SMS", Trigger: "customs_held", N: 3, Condition: `recipient.has_phone`, Action: "sms", Template: "customs_still_held"},
		{Name: "No scan for 7 days: case for an agent", Trigger: "no_scan", N: 7, Action: "open_case", CaseType: "non_receipt_or_delay",
			Note: "The parcel has had no scan for 7 days: check with the post and tell the customer."},
		{Name: "Pick-up deadline in 2 days: SMS", Trigger: "pickup_deadline", N: 2, Condition: `recipient.has_phone`, Action: "sms", Template: "pickup_deadline"},
	}
}
