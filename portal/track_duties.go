package portal

import (
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// addDuties fills the duties due at customs (trackwords.DutiesDue: the latest customs event
// that carries them, since the parcel reached customs), written in the page's language:
// "Duties to pay: ₽1,250.00" / "Пошлины к оплате: 1 250,00 ₽".
func addDuties(c *trackCustoms, evs []tracking.EventView, lang string) {
	if d := trackwords.DutiesDue(evs); d != nil {
		c.Duties, c.PayURL = trackwords.For(lang, nil).Duties(*d), d.PayURL
	}
}
