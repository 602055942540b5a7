package casepages

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/wismo/wismo/callcenter/trackcalls"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// describe writes a timeline entry in the viewer's language from its data: the case log's
// changes (status, assignment, opening, merging, replies...) and the messages' status. What
// people wrote (notes, partner answers) and entries it does not know keep their summary.
func describe(L i18n.Locale, it item, people map[int64]string) string {
	f := it.Fields
	str := func(k string) string { s, _ := f[k].(string); return s }
	switch it.Kind {
	case "contact":
		ch, st := str("channel"), str("status")
		if ch == "" || st == "" {
			return it.Summary
		}
		text := L.T("cases.log.contact", "channel", L.T("cases.channel."+ch), "to", str("recipient"), "status", L.T("cases.contact."+st))
		if st == "planned" {
			text += " " + L.T("cases.log.planned_for", "at", str("due_local"))
		}
		return text
	case "choice":
		return describeChoice(L, it)
	case "call":
		return describeCall(L, it)
	case "event":
		return describeEvent(L, it)
	case "escalation":
		return describeAttempt(L, it)
	case "attachment":
		if m := attached.FindStringSubmatch(it.Summary); m != nil {
			n, _ := strconv.ParseInt(m[3], 10, 64)
			return L.N("cases.log.attachment", int(n), "file", m[1], "type", m[2])
		}
		return it.Summary
	case "case":
	default:
		return it.Summary
	}
	switch str("change") {
	case "status":
		return L.T("cases.log.status", "from", L.T("cases.status."+str("from")), "to", L.T("cases.status."+str("to")))
	case "assigned":
		id, ok := f["assignee_id"].(float64)
		if !ok {
			return L.T("cases.log.unassigned")
		}
		who := people[int64(id)]
		if who == "" {
			who = "#" + strings.TrimSuffix(L.Format(int64(id)), ".0")
		}
		return L.T("cases.log.assigned", "who", who)
	case "created":
		return L.T("cases.log.created", "type", L.T("cases.type."+str("type")), "source", L.T("cases.source."+str("source")))
	case "updated":
		if ps, ok := f["parcels"].([]any); ok {
			var ids []string
			for _, p := range ps {
				if s, ok := p.(string); ok {
					ids = append(ids, s)
				}
			}
			return L.T("cases.log.parcels", "parcels", strings.Join(ids, ", "))
		}
		if fs, ok := f["fields"].([]any); ok {
			var names []string
			for _, n := range fs {
				if s, ok := n.(string); ok {
					names = append(names, L.T("cases.field."+s))
				}
			}
			return L.T("cases.log.updated", "fields", strings.Join(names, ", "))
		}
	case "merged":
		if into := str("into"); into != "" {
			return L.T("cases.log.merged_into", "number", into)
		}
		return L.T("cases.log.merged_from", "number", str("from"))
	case "reply":
		return L.T("cases.log.reply", "channel", L.T("cases.channel."+str("channel")), "to", str("to"))
	case "partner_answer":
		return L.T("cases.log.partner_answer", "message", strings.TrimPrefix(it.Summary, "partner post answered: "))
	case "escalated":
		return L.T("cases.log.escalated", "country", str("country"))
	case "escalation_delivered":
		if n, ok := f["attempt"].(float64); ok {
			return L.T("cases.log.webhook_delivered", "country", str("country"), "attempt", strconv.Itoa(int(n)))
		}
	case "escalation_failed":
		if n, ok := f["attempt"].(float64); ok {
			return L.T("cases.log.escalation_gave_up", "country", str("country"), "attempts", strconv.Itoa(int(n)), "error", str("error"))
		}
	case "sla_breached":
		timer := L.T("cases.sla.resolution")
		if str("timer") == "first_response" {
			timer = L.T("cases.sla.first")
		}
		return L.T("cases.log.sla_breached", "timer", timer)
	}
	return it.Summary
}

// attached reads the case log's attachment line (cases.AddAttachment): "attached <file>
// (<type>, <n> bytes)".
var attached = regexp.MustCompile(`^attached (.+) \(([^,()]+), (\d+) bytes\)$`)

// word is the catalog's text of prefix+value, or value itself where the catalog has none (a
// brand's own disposition, a mode added later).
func word(L i18n.Locale, prefix, value string) string {
	if value == "" || !i18n.Default().Has(prefix+value) {
		return value
	}
	return L.T(prefix + value)
}

// describeCall is a call in the viewer's language: "hotline call from +7913...: answered
// (reached)", from the call log's data (callcenter.Call).
func describeCall(L i18n.Locale, it item) string {
	f := it.Fields
	str := func(k string) string { s, _ := f[k].(string); return s }
	if str("direction") == "" {
		return it.Summary
	}
	key, number := "cases.call.to", str("to")
	if str("direction") == "inbound" {
		key, number = "cases.call.from", str("from")
	}
	text := L.T(key, "mode", word(L, "cases.call.mode.", str("mode")), "number", trackcalls.URIUser(number))
	outcome := L.T("cases.call.in_progress")
	if o := str("outcome"); o != "" {
		outcome = word(L, "callpage.outcome.", o)
	}
	return text + ": " + outcome
}

// disposition is an agent's disposition of a call in the viewer's language.
func disposition(L i18n.Locale, d string) string {
	return word(L, "js.desk.disposition.", word(L, "callpage.disposition.", d))
}

// describeEvent is a tracking event for staff: its UPU code, then the customer words of the
// viewer's language (trackwords: what the tracking page says), the reason and action, and the
// place. The UPU list's own notes are for integrators, not for a reader of a case.
func describeEvent(L i18n.Locale, it item) string {
	f := it.Fields
	str := func(k string) string { s, _ := f[k].(string); return s }
	code := str("code")
	if code == "" {
		return it.Summary
	}
	ev := trackwords.For(string(L.Lang), nil).Events([]tracking.EventView{{Code: code, Phase: tracking.Phase(str("phase")),
		Reason: str("reason"), Action: str("action")}})[0]
	text := code + " " + ev.Label
	if ev.Detail != "" {
		text += " (" + ev.Detail + ")"
	}
	if loc := str("location"); loc != "" {
		text += " — " + loc
	}
	return text
}

// describeAttempt is one delivery of an escalation to a partner post's webhook.
func describeAttempt(L i18n.Locale, it item) string {
	f := it.Fields
	attempt, ok := f["attempt"].(float64)
	if !ok {
		return it.Summary
	}
	country, _ := f["country"].(string)
	n := strconv.Itoa(int(attempt))
	if e, _ := f["error"].(string); e != "" {
		return L.T("cases.log.webhook_failed", "country", country, "attempt", n, "error", e)
	}
	status, _ := f["status_code"].(float64)
	if status >= 200 && status < 300 {
		return L.T("cases.log.webhook_delivered", "country", country, "attempt", n)
	}
	return L.T("cases.log.webhook_failed", "country", country, "attempt", n, "error", "HTTP "+strconv.Itoa(int(status)))
}
