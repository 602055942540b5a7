package wallboard

import (
	"math"
	"strconv"

	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/reports/ccmetrics"
)

// kind is how a column's number is written.
type kind int

const (
	kCount kind = iota // calls
	kShare             // 0..1, shown as a percentage
	kSecs              // seconds
)

// column is one figure of the report: its name (the CSV's header and the catalog key
// ccm.col.<name>), how it is written, its value (NaN: no data), and the figure whose calls a
// click on it lists ("": no calls behind it, a rate or a time).
type column struct {
	name   string
	kind   kind
	figure ccmetrics.Figure
	get    func(g ccmetrics.Figures) float64
}

func n(v int) float64 { return float64(v) }

// avg is total/count seconds, NaN for no calls.
func avg(total float64, count int) float64 {
	if count == 0 {
		return math.NaN()
	}
	return total / float64(count)
}

// columns are the report's figures in the order shown and exported.
var columns = []column{
	{"offered", kCount, ccmetrics.FigOffered, func(g ccmetrics.Figures) float64 { return n(g.Offered) }},
	{"answered", kCount, ccmetrics.FigAnswered, func(g ccmetrics.Figures) float64 { return n(g.Answered) }},
	{"answered_in_sl", kCount, ccmetrics.FigInSL, func(g ccmetrics.Figures) float64 { return n(g.InSL) }},
	{"service_level", kShare, "", func(g ccmetrics.Figures) float64 { return float64(g.ServiceLevel) }},
	{"abandoned", kCount, ccmetrics.FigAbandoned, func(g ccmetrics.Figures) float64 { return n(g.Abandoned) }},
	{"abandon_rate", kShare, "", func(g ccmetrics.Figures) float64 { return float64(g.AbandonRate) }},
	{"timed_out", kCount, ccmetrics.FigTimedOut, func(g ccmetrics.Figures) float64 { return n(g.TimedOut) }},
	{"deflected", kCount, ccmetrics.FigDeflected, func(g ccmetrics.Figures) float64 { return n(g.Deflected) }},
	{"deflection", kShare, "", func(g ccmetrics.Figures) float64 { return float64(g.Deflection) }},
	{"asa_s", kSecs, "", func(g ccmetrics.Figures) float64 { return float64(g.ASA) }},
	{"max_wait_s", kSecs, ccmetrics.FigOutsideSL, func(g ccmetrics.Figures) float64 { return g.MaxWait }},
	{"handled", kCount, ccmetrics.FigHandled, func(g ccmetrics.Figures) float64 { return n(g.Handled) }},
	{"aht_s", kSecs, "", func(g ccmetrics.Figures) float64 { return float64(g.AHT) }},
	{"talk_avg_s", kSecs, "", func(g ccmetrics.Figures) float64 { return avg(g.TalkS, g.Handled) }},
	{"hold_avg_s", kSecs, "", func(g ccmetrics.Figures) float64 { return avg(g.HoldS, g.Handled) }},
	{"wrap_avg_s", kSecs, "", func(g ccmetrics.Figures) float64 { return avg(g.WrapS, g.Handled) }},
	{"transfers", kCount, ccmetrics.FigTransfers, func(g ccmetrics.Figures) float64 { return n(g.Transfers) }},
	{"fcr_resolved", kCount, ccmetrics.FigFCRResolv, func(g ccmetrics.Figures) float64 { return n(g.FCRResolved) }},
	{"fcr_repeat", kCount, ccmetrics.FigFCRRepeat, func(g ccmetrics.Figures) float64 { return n(g.FCRRepeat) }},
	{"fcr", kShare, "", func(g ccmetrics.Figures) float64 { return float64(g.FCR) }},
	{"fcr_pending", kCount, ccmetrics.FigFCRPend, func(g ccmetrics.Figures) float64 { return n(g.FCRPending) }},
	{"occupancy", kShare, "", func(g ccmetrics.Figures) float64 { return float64(g.Occupancy) }},
}

// raw is the value as the CSV writes it: counts whole, shares to 4 places, seconds to 1; ""
// without data.
func (c column) raw(g ccmetrics.Figures) string {
	v := c.get(g)
	switch {
	case math.IsNaN(v):
		return ""
	case c.kind == kShare:
		return strconv.FormatFloat(v, 'f', 4, 64)
	case c.kind == kSecs:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// show is the value as the page shows it: "80.0%", "16 s", "2:43"; "—" without data.
func (c column) show(L i18n.Locale, g ccmetrics.Figures) string {
	return showValue(L, c.kind, c.get(g))
}

func showValue(L i18n.Locale, k kind, v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case k == kShare:
		return L.NumberText(strconv.FormatFloat(100*v, 'f', 1, 64) + "%")
	case k == kSecs:
		s := int64(math.Round(v))
		if s < 60 {
			return L.T("ccm.seconds", "n", strconv.FormatInt(s, 10))
		}
		return strconv.FormatInt(s/60, 10) + ":" + strconv.FormatInt(s%60/10, 10) + strconv.FormatInt(s%10, 10)
	}
	return L.Number(int64(v))
}
