package casepages

import (
	"strings"

	"github.com/wismo/wismo/i18n"
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
	case "sla_breached":
		timer := L.T("cases.sla.resolution")
		if str("timer") == "first_response" {
			timer = L.T("cases.sla.first")
		}
		return L.T("cases.log.sla_breached", "timer", timer)
	}
	return it.Summary
}
