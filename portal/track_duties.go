package portal

import (
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/tracking"
)

// addDuties fills the duties due at customs from the latest customs event that carries them,
// among the events since the parcel reached customs (tracking/duties.go), written in the
// page's language: "Duties to pay: 1 250,00 ₽" / "Duties to pay: ₽1,250.00".
func addDuties(c *trackCustoms, evs []tracking.EventView, lang string) {
	for i := len(evs) - 1; i >= 0 && evs[i].Phase == "customs"; i-- {
		if d := evs[i].Duties; d != nil {
			loc := i18n.New(i18n.Lang(lang), nil)
			c.Duties = loc.T("track.duties_due", "amount", loc.Money(d.Amount, d.Currency))
			c.PayURL = d.PayURL
			return
		}
	}
}
