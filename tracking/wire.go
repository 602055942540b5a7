package tracking

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/input"
)

// ParcelInput is a parcel as integrators send it (POST /api/v1/parcels, import files).
type ParcelInput struct {
	ID                 string         `json:"id"`
	BrandID            int64          `json:"brand_id,omitempty"` // operator imports only
	ServiceLevel       string         `json:"service_level"`
	Kind               string         `json:"kind"`
	WeightKg           float64        `json:"weight_kg"`
	OriginCountry      string         `json:"origin_country"`
	DestinationCountry string         `json:"destination_country"`
	COD                *MoneyInput    `json:"cod,omitempty"`
	DeclaredValue      *MoneyInput    `json:"declared_value,omitempty"`
	Contents           []ContentItem  `json:"contents,omitempty"`
	Recipient          RecipientInput `json:"recipient"`
	Sender             *Party         `json:"sender,omitempty"`
}

// MoneyInput is an amount written as a decimal string, with its currency.
type MoneyInput struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// RecipientInput is the recipient as integrators send it.
type RecipientInput struct {
	Name     string `json:"name"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Address  string `json:"address,omitempty"`
	Region   string `json:"region,omitempty"`
	Language string `json:"language,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
}

// EventInput is a tracking event as posts and integrators send it.
type EventInput struct {
	ItemID     string `json:"item_id"`
	Code       string `json:"code"`
	OccurredAt string `json:"occurred_at"`
	Office     string `json:"office,omitempty"`
	Location   string `json:"location,omitempty"`
	Country    string `json:"country,omitempty"`
	TimeZone   string `json:"time_zone,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Action     string `json:"action,omitempty"`
	Signature  string `json:"signature,omitempty"`
	// Pickup is the point where the item waits: EDH events only (pickup.go).
	Pickup *PickupInput `json:"pickup,omitempty"`
	// Duties: on import customs events only (duties.go).
	Duties *DutiesInput `json:"duties,omitempty"`
}

func parseMoney(field string, in *MoneyInput) (*Money, *input.FieldError) {
	if in == nil {
		return nil, nil
	}
	minor, cur, fe := input.Money(field, in.Amount, in.Currency)
	if fe != nil {
		return nil, fe
	}
	return &Money{Minor: minor, Currency: cur}, nil
}

// FormatMoney writes minor units back as a decimal string.
func FormatMoney(m Money) string { return input.FormatMinor(m.Minor, m.Currency) }

var hsCodeRE = regexp.MustCompile(`^[0-9]{6,10}$`)

// toParcel validates an input parcel and returns the domain parcel (brand not yet set).
func (in *ParcelInput) toParcel() (*Parcel, *input.FieldError) {
	id, err := ParseS10(in.ID)
	if err != nil {
		return nil, input.Errorf("id", "%v", err)
	}
	p := &Parcel{ID: id}
	switch lvl := ServiceLevel(strings.ToLower(strings.TrimSpace(in.ServiceLevel))); lvl {
	case Premium, Standard, Economy:
		p.ServiceLevel = lvl
	default:
		return nil, input.Errorf("service_level", "must be premium, standard or economy, got %q", in.ServiceLevel)
	}
	if math.IsNaN(in.WeightKg) || in.WeightKg <= 0 {
		return nil, input.Errorf("weight_kg", "must be a positive weight in kilograms")
	}
	p.WeightGrams = int(math.Round(in.WeightKg * 1000))
	switch k := Kind(strings.ToLower(strings.TrimSpace(in.Kind))); k {
	case KindPacket:
		if p.WeightGrams > MaxPacketGrams {
			return nil, input.Errorf("weight_kg", "a packet weighs at most 2 kg, got %g kg (send it as kind \"parcel\")", in.WeightKg)
		}
		p.Kind = k
	case KindParcel:
		if p.WeightGrams > MaxParcelGrams {
			return nil, input.Errorf("weight_kg", "a parcel weighs at most 30 kg, got %g kg", in.WeightKg)
		}
		p.Kind = k
	default:
		return nil, input.Errorf("kind", "must be packet (up to 2 kg) or parcel (up to 30 kg), got %q", in.Kind)
	}
	var fe *input.FieldError
	if p.OriginCountry, fe = input.Country("origin_country", in.OriginCountry, true); fe != nil {
		return nil, fe
	}
	if p.DestinationCountry, fe = input.Country("destination_country", in.DestinationCountry, true); fe != nil {
		return nil, fe
	}
	if p.COD, fe = parseMoney("cod", in.COD); fe != nil {
		return nil, fe
	}
	if p.COD != nil && p.COD.Minor == 0 {
		p.COD = nil
	}
	if p.DeclaredValue, fe = parseMoney("declared_value", in.DeclaredValue); fe != nil {
		return nil, fe
	}
	if len(in.Contents) > 100 {
		return nil, input.Errorf("contents", "has more than 100 lines")
	}
	for i, c := range in.Contents {
		f := fmt.Sprintf("contents[%d]", i)
		c.Description = strings.TrimSpace(c.Description)
		if c.Description == "" {
			return nil, input.Errorf(f+".description", "is required")
		}
		if fe := input.Text(f+".description", c.Description, input.MaxShort); fe != nil {
			return nil, fe
		}
		if c.Quantity < 1 {
			return nil, input.Errorf(f+".quantity", "must be at least 1")
		}
		if c.HSCode != "" && !hsCodeRE.MatchString(c.HSCode) {
			return nil, input.Errorf(f+".hs_code", "must be 6 to 10 digits, got %q", c.HSCode)
		}
		if c.Value != "" {
			if _, fe := parseMoney(f, &MoneyInput{Amount: c.Value, Currency: c.Currency}); fe != nil {
				return nil, input.Errorf(f+".value", "%s", fe.Message)
			}
		}
		if c.OriginCountry, fe = input.Country(f+".origin_country", c.OriginCountry, false); fe != nil {
			return nil, fe
		}
		p.Contents = append(p.Contents, c)
	}
	if in.Sender != nil {
		s := *in.Sender
		for _, f := range []struct{ name, v string }{{"sender.name", s.Name}, {"sender.address", s.Address}, {"sender.email", s.Email}, {"sender.phone", s.Phone}} {
			if fe := input.Text(f.name, f.v, input.MaxLong); fe != nil {
				return nil, fe
			}
		}
		if s.Country, fe = input.Country("sender.country", s.Country, false); fe != nil {
			return nil, fe
		}
		p.Sender = s
	}
	r, fe := in.Recipient.toRecipient(p.DestinationCountry)
	if fe != nil {
		return nil, fe
	}
	p.Recipient = r
	return p, nil
}

var languageRE = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)

func (in RecipientInput) toRecipient(country string) (Recipient, *input.FieldError) {
	r := Recipient{
		Name:    strings.TrimSpace(in.Name),
		Address: strings.TrimSpace(in.Address),
		Region:  strings.TrimSpace(in.Region),
	}
	if r.Name == "" {
		return r, input.Errorf("recipient.name", "is required")
	}
	for _, f := range []struct{ name, v string }{{"recipient.name", r.Name}, {"recipient.region", r.Region}} {
		if fe := input.Text(f.name, f.v, input.MaxShort); fe != nil {
			return r, fe
		}
	}
	if fe := input.Text("recipient.address", r.Address, input.MaxLong); fe != nil {
		return r, fe
	}
	if ph := strings.TrimSpace(in.Phone); ph != "" {
		e164, err := geo.NormalizePhone(ph, country)
		if err != nil {
			return r, input.Errorf("recipient.phone", "%v", err)
		}
		r.Phone = e164
	}
	if em := strings.TrimSpace(in.Email); em != "" {
		addr, err := mail.ParseAddress(em)
		if err != nil || addr.Address != em || len(em) > 254 {
			return r, input.Errorf("recipient.email", "%q is not an email address", em)
		}
		r.Email = strings.ToLower(em)
	}
	switch lang := strings.TrimSpace(in.Language); {
	case lang == "":
		r.Language = defaultLanguage(country)
	case languageRE.MatchString(strings.ToLower(lang)):
		r.Language = strings.ToLower(lang)
	default:
		return r, input.Errorf("recipient.language", "must be a language tag such as ru or en-GB, got %q", lang)
	}
	zone, rule, err := geo.RecipientZone(strings.TrimSpace(in.TimeZone), r.Region, r.Phone, country)
	if err != nil {
		return r, input.Errorf("recipient.time_zone", "%v (leave it empty to let wismo choose from region, phone or country)", err)
	}
	r.TimeZone, r.ZoneRule = zone, rule
	return r, nil
}

func defaultLanguage(country string) string {
	switch country {
	case "RU", "BY", "KZ", "KG":
		return "ru"
	}
	return "en"
}

var officeRE = regexp.MustCompile(`^[A-Z0-9]{0,32}$`)

// maxFuture tolerates clocks that run ahead at posts' scanners.
const maxFuture = 24 * time.Hour

// toEvent validates an input event; now is the time of receipt.
func (in *EventInput) toEvent(now time.Time) (*Event, *input.FieldError) {
	id, err := ParseS10(in.ItemID)
	if err != nil {
		return nil, input.Errorf("item_id", "%v", err)
	}
	e := &Event{ItemID: id, ReceivedAt: now}
	e.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	if _, ok := LookupEventCode(e.Code); !ok {
		return nil, input.Errorf("code", "%q is not a UPU tracking event code wismo knows (see postal/upu-events.csv)", in.Code)
	}
	if in.OccurredAt == "" {
		return nil, input.Errorf("occurred_at", "is required (RFC 3339, e.g. 2026-11-01T10:00:00Z)")
	}
	at, err := time.Parse(time.RFC3339Nano, in.OccurredAt)
	if err != nil {
		return nil, input.Errorf("occurred_at", "must be an RFC 3339 time with a zone offset, e.g. 2026-11-01T10:00:00Z, got %q", in.OccurredAt)
	}
	if at.Year() < 2000 {
		return nil, input.Errorf("occurred_at", "%s is before the year 2000", in.OccurredAt)
	}
	if at.After(now.Add(maxFuture)) {
		return nil, input.Errorf("occurred_at", "%s is in the future", in.OccurredAt)
	}
	e.OccurredAt = at.UTC().Truncate(time.Microsecond)
	e.Office = strings.ToUpper(strings.TrimSpace(in.Office))
	if !officeRE.MatchString(e.Office) {
		return nil, input.Errorf("office", "must be up to 32 letters and digits (a UPU office code such as GBLONA)")
	}
	e.Location = strings.TrimSpace(in.Location)
	if fe := input.Text("location", e.Location, input.MaxShort); fe != nil {
		return nil, fe
	}
	var fe *input.FieldError
	if e.Country, fe = input.Country("country", in.Country, false); fe != nil {
		return nil, fe
	}
	if tz := strings.TrimSpace(in.TimeZone); tz != "" {
		if _, err := geo.LoadZone(tz); err != nil {
			return nil, input.Errorf("time_zone", "%v", err)
		}
		e.TimeZone = tz
	}
	e.Reason = strings.ToUpper(strings.TrimSpace(in.Reason))
	if e.Reason != "" {
		r, ok := LookupReason(e.Reason)
		switch {
		case !ok:
			return nil, input.Errorf("reason", "%q is not a known reason (see postal/nondelivery-reasons.csv)", in.Reason)
		case e.Code == "EMH" && r.Kind != "nondelivery", e.Code == "EME" && r.Kind != "customs_hold":
			return nil, input.Errorf("reason", "%s is a %s reason and does not fit event %s", e.Reason, r.Kind, e.Code)
		case e.Code != "EMH" && e.Code != "EME":
			return nil, input.Errorf("reason", "only EMH and EME events carry a reason")
		}
	}
	e.Action = strings.ToUpper(strings.TrimSpace(in.Action))
	if e.Action != "" {
		if _, ok := postalReference().actions[e.Action]; !ok {
			return nil, input.Errorf("action", "%q is not a known action (see postal/actions.csv)", in.Action)
		}
		if e.Code != "EMH" {
			return nil, input.Errorf("action", "only EMH (attempted delivery) events carry an action")
		}
	}
	e.Signature = strings.TrimSpace(in.Signature)
	if e.Signature != "" && e.Code != "EMI" {
		return nil, input.Errorf("signature", "only EMI (final delivery) events carry a signature")
	}
	if fe := input.Text("signature", e.Signature, input.MaxShort); fe != nil {
		return nil, fe
	}
	if e.Pickup, fe = in.Pickup.toPickup(e); fe != nil {
		return nil, fe
	}
	if e.Duties, fe = parseDuties(e.Code, in.Duties); fe != nil {
		return nil, fe
	}
	return e, nil
}
