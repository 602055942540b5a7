package casepages

import (
	"strconv"
	"time"

	"github.com/wismo/wismo/i18n"
)

// describeChoice writes a customer's choice of a delivery day (package deliverydays) in the
// viewer's language: "Customer chose delivery on Tue 08.12.2026 in an automated call (call 17)".
func describeChoice(L i18n.Locale, it item) string {
	f := it.Fields
	str := func(k string) string { s, _ := f[k].(string); return s }
	d, err := time.Parse(time.DateOnly, str("date"))
	if err != nil || str("via") == "" {
		return it.Summary
	}
	day := L.T("cases.weekday."+str("weekday")) + " " + d.Format("02.01.2006")
	verb := "cases.log.choice.chose"
	if planned, _ := f["planned"].(bool); planned {
		verb = "cases.log.choice.confirmed"
	}
	text := L.T(verb, "day", day, "via", L.T("cases.via."+str("via")))
	if id, ok := f["call_id"].(float64); ok && id > 0 {
		text += " " + L.T("cases.log.choice.call", "id", strconv.FormatInt(int64(id), 10))
	}
	return text
}
