package portal

import (
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/reports"
)

// abandonTable is the dashboard's table of abandoned outbound calls per campaign (issue 16
// section 3): answered by a person and abandoned in the last 24 hours (Ofcom) and 30 days
// (FTC), each rate flagged when it is over the 3% the rules allow.
func abandonTable(list []reports.CampaignAbandons, loc i18n.Locale) table {
	t := table{Name: "abandons", Title: loc.T("abandon.title"),
		Head: []string{loc.T("abandon.campaign"), loc.T("abandon.mode"), loc.T("abandon.answered_24h"), loc.T("abandon.abandoned_24h"),
			loc.T("abandon.rate_24h"), loc.T("abandon.answered_30d"), loc.T("abandon.abandoned_30d"), loc.T("abandon.rate_30d")},
		Num: []bool{false, false, true, true, true, true, true, true}, Empty: loc.T("abandon.empty")}
	rate := func(w reports.AbandonWindow) string {
		if w.Answered == 0 {
			return ""
		}
		s := pct(w.Rate)
		if w.Over {
			s += " " + loc.T("abandon.over")
		}
		return s
	}
	for _, a := range list {
		t.Rows = append(t.Rows, []string{a.Name, loc.T("abandon.mode_" + a.Mode), itoa(a.Day.Answered), itoa(a.Day.Abandoned), rate(a.Day),
			itoa(a.Month.Answered), itoa(a.Month.Abandoned), rate(a.Month)})
	}
	return t
}
