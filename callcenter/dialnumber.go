package callcenter

import (
	"context"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/geo"
)

// defaultDialCountry reads a national number an agent types when the call is about no
// parcel: wismo's customers are mostly in Russia.
const defaultDialCountry = "RU"

// ErrBadNumber is a number to call that is not a phone number: the field error names "to".
var ErrBadNumber = fmt.Errorf("%w: to", ErrInvalid)

// numberToDial is what an agent typed into the desk's dial box (or an API client sent) as
// the number the trunk dials: E.164, read as a national number of the parcel's destination
// country (of Russia for a call about no parcel), so that the call log, the screen pop and
// the dialer's opt-outs all see one spelling of a number. A SIP URI ("sip:...") is an
// address, not a number, and is dialled as it is.
func (c *Center) numberToDial(ctx context.Context, brand int64, parcelID, typed string) (string, error) {
	typed = strings.TrimSpace(typed)
	if strings.HasPrefix(strings.ToLower(typed), "sip:") || strings.HasPrefix(strings.ToLower(typed), "sips:") {
		return typed, nil
	}
	country := defaultDialCountry
	if parcelID != "" && c.parcels != nil {
		if p, err := c.parcels.Parcel(ctx, access.Brands(brand), parcelID); err == nil && p.DestinationCountry != "" {
			country = p.DestinationCountry
		}
	}
	e164, err := geo.NormalizePhone(typed, country)
	if err != nil {
		if typed == "" {
			return "", fmt.Errorf("%w: enter a number to call", ErrBadNumber)
		}
		return "", fmt.Errorf("%w: %q is not a phone number wismo can dial; type it with the country code, like +7 913 123-45-67", ErrBadNumber, typed)
	}
	return e164, nil
}
