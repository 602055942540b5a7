package callpages

import (
	"github.com/wismo/wismo/i18n"
)

// disposition is the call's disposition in the viewer's language: the desk's words for the
// standard ones and the self-service's, the brand's own word as it is.
func disposition(L i18n.Locale, d string) string {
	for _, key := range []string{"js.desk.disposition." + d, "callpage.disposition." + d} {
		if i18n.Default().Has(key) {
			return L.T(key)
		}
	}
	return d
}
