package tracking

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/jsonw"
)

// ParcelView is the JSON shape of GET /api/v1/parcels/{id}.
type ParcelView struct {
	ID                 string        `json:"id"`
	BrandID            int64         `json:"brand_id"`
	ServiceLevel       ServiceLevel  `json:"service_level"`
	Kind               Kind          `json:"kind"`
	WeightKg           float64       `json:"weight_kg"`
	OriginCountry      string        `json:"origin_country"`
	DestinationCountry string        `json:"destination_country"`
	COD                *MoneyInput   `json:"cod,omitempty"`
	DeclaredValue      *MoneyInput   `json:"declared_value,omitempty"`
	Contents           []ContentItem `json:"contents"`
	Sender             Party         `json:"sender"`
	Recipient          RecipientView `json:"recipient"`
	Phase              Phase         `json:"phase"`
	PhaseAt            *time.Time    `json:"phase_at,omitempty"`
	Returning          bool          `json:"returning"`
	PromisedDate       string        `json:"promised_date,omitempty"`
	Late               bool          `json:"late"`
	// ExpectedDate is the date predicted from parcels recently delivered on the same lane,
	// service level and region (package eta; set when the service has an estimator), and
	// ExpectedBasis what it rests on: "region", "country" or "standard" (too few deliveries:
	// the promised date).
	ExpectedDate  string      `json:"expected_date,omitempty"`
	ExpectedBasis string      `json:"expected_basis,omitempty"`
	PostedAt      *time.Time  `json:"posted_at,omitempty"`
	DeliveredAt   *time.Time  `json:"delivered_at,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	Events        []EventView `json:"events"`
	Pickup        *PickupView `json:"pickup,omitempty"` // the point where it waits (pickup.go)
}

// RecipientView is the recipient as the API returns it, with the rule that chose the zone.
type RecipientView struct {
	Name         string `json:"name"`
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
	Address      string `json:"address,omitempty"`
	Region       string `json:"region,omitempty"`
	Language     string `json:"language"`
	TimeZone     string `json:"time_zone"`
	TimeZoneRule string `json:"time_zone_rule"`
}

// EventView is one tracking event as the API returns it.
type EventView struct {
	Code       string      `json:"code"`
	Meaning    string      `json:"meaning,omitempty"`
	Phase      Phase       `json:"phase,omitempty"`
	OccurredAt time.Time   `json:"occurred_at"`
	LocalTime  string      `json:"local_time,omitempty"`
	Office     string      `json:"office,omitempty"`
	Location   string      `json:"location,omitempty"`
	Country    string      `json:"country,omitempty"`
	TimeZone   string      `json:"time_zone,omitempty"`
	Reason     string      `json:"reason,omitempty"`
	Action     string      `json:"action,omitempty"`
	Signature  string      `json:"signature,omitempty"`
	Duties     *DutiesView `json:"duties,omitempty"`
}

// View renders the event as the API shows it; loc, when set, gives the local time of the
// office.
func (e *Event) View(loc *time.Location) EventView { return eventJSONOf(e, loc) }

// eventJSONOf renders an event; loc, when set, gives the local time of the office.
func eventJSONOf(e *Event, loc *time.Location) EventView {
	v := EventView{Code: e.Code, OccurredAt: e.OccurredAt, Office: e.Office, Location: e.Location, Country: e.Country,
		TimeZone: e.TimeZone, Reason: e.Reason, Action: e.Action, Signature: e.Signature, Duties: dutiesView(e.Duties)}
	if c, ok := LookupEventCode(e.Code); ok {
		v.Meaning = c.Meaning
		v.Phase = c.Phase
	}
	if loc != nil {
		v.LocalTime = e.OccurredAt.In(loc).Format(time.RFC3339)
	}
	return v
}

func moneyView(m *Money) *MoneyInput {
	if m == nil {
		return nil
	}
	return &MoneyInput{Amount: FormatMoney(*m), Currency: m.Currency}
}

// View renders a parcel and its events, in time order, for the API.
func (p *Parcel) View(events []*Event, now time.Time) ParcelView {
	v := ParcelView{
		ID: p.ID, BrandID: p.BrandID, ServiceLevel: p.ServiceLevel, Kind: p.Kind, WeightKg: float64(p.WeightGrams) / 1000,
		OriginCountry: p.OriginCountry, DestinationCountry: p.DestinationCountry, COD: moneyView(p.COD),
		DeclaredValue: moneyView(p.DeclaredValue), Contents: p.Contents, Sender: p.Sender,
		Recipient: RecipientView{Name: p.Recipient.Name, Phone: p.Recipient.Phone, Email: p.Recipient.Email,
			Address: p.Recipient.Address, Region: p.Recipient.Region, Language: p.Recipient.Language,
			TimeZone: p.Recipient.TimeZone, TimeZoneRule: string(p.Recipient.ZoneRule)},
		Phase: p.Phase, PhaseAt: p.PhaseAt, Returning: p.Returning, PromisedDate: p.PromisedDate,
		Late: p.IsLate(now), PostedAt: p.PostedAt, DeliveredAt: p.DeliveredAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Events: make([]EventView, 0, len(events)),
	}
	if v.Contents == nil {
		v.Contents = []ContentItem{}
	}
	for _, e := range events {
		var loc *time.Location
		if e.TimeZone != "" {
			loc, _ = geo.LoadZone(e.TimeZone)
		}
		v.Events = append(v.Events, eventJSONOf(e, loc))
	}
	return v
}

// IsLate reports whether the parcel missed its promised date: delivered after it, or not
// delivered (nor returned) by the end of it in the recipient's zone.
func (p *Parcel) IsLate(now time.Time) bool {
	if p.PromisedDate == "" {
		return false
	}
	loc, err := geo.LoadZone(p.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	due, err := time.ParseInLocation("2006-01-02", p.PromisedDate, loc)
	if err != nil {
		return false
	}
	due = due.AddDate(0, 0, 1)
	switch {
	case p.DeliveredAt != nil:
		return p.DeliveredAt.After(due)
	case p.Phase == PhaseReturned || p.Phase == PhaseReturning || p.Phase == "cancelled":
		return false
	}
	return now.After(due)
}

// AppendJSON appends v as json.Marshal would write it, without reflection (see
// outbox.JSONAppender: every ingested event is written to the outbox).
func (v EventView) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonw.AppendField(b, "code", v.Code, false)
	b = jsonw.AppendField(b, "meaning", v.Meaning, true)
	b = jsonw.AppendField(b, "phase", string(v.Phase), true)
	b = append(b, `,"occurred_at":"`...)
	b = v.OccurredAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = jsonw.AppendField(b, "local_time", v.LocalTime, true)
	b = jsonw.AppendField(b, "office", v.Office, true)
	b = jsonw.AppendField(b, "location", v.Location, true)
	b = jsonw.AppendField(b, "country", v.Country, true)
	b = jsonw.AppendField(b, "time_zone", v.TimeZone, true)
	b = jsonw.AppendField(b, "reason", v.Reason, true)
	b = jsonw.AppendField(b, "action", v.Action, true)
	b = jsonw.AppendField(b, "signature", v.Signature, true)
	return append(b, '}')
}

// DecodeEventChange reads a tracking.event outbox payload. What AppendJSON wrote is read
// without encoding/json's reflection (the rules read every ingested event); anything else
// (an escaped string, a field it does not know) is left to json.Unmarshal.
func DecodeEventChange(b []byte) (EventChange, error) {
	var c EventChange
	if decodeEventChangeFast(b, &c) {
		return c, nil
	}
	c = EventChange{}
	err := json.Unmarshal(b, &c)
	return c, err
}

func decodeEventChangeFast(b []byte, c *EventChange) bool {
	return jsonw.EachField(b, func(key, v []byte) bool {
		switch string(key) {
		case "event":
			return jsonw.EachField(v, func(key, v []byte) bool {
				e := &c.Event
				if string(key) == "occurred_at" {
					s, ok := jsonw.PlainString(v)
					if !ok {
						return false
					}
					t, err := time.Parse(time.RFC3339Nano, s)
					e.OccurredAt = t
					return err == nil
				}
				var dst *string
				switch string(key) {
				case "code":
					dst = &e.Code
				case "meaning":
					dst = &e.Meaning
				case "phase":
					dst = (*string)(&e.Phase)
				case "local_time":
					dst = &e.LocalTime
				case "office":
					dst = &e.Office
				case "location":
					dst = &e.Location
				case "country":
					dst = &e.Country
				case "time_zone":
					dst = &e.TimeZone
				case "reason":
					dst = &e.Reason
				case "action":
					dst = &e.Action
				case "signature":
					dst = &e.Signature
				}
				return plainInto(dst, v)
			})
		case "status":
			return plainInto((*string)(&c.Status), v)
		case "phase_before":
			return plainInto((*string)(&c.PhaseBefore), v)
		case "phase_after":
			return plainInto((*string)(&c.PhaseAfter), v)
		case "late_attached":
			switch string(bytes.TrimSpace(v)) {
			case "true":
				c.LateAttached = true
				return true
			case "false":
				return true
			}
		}
		return false
	})
}

func plainInto(dst *string, v []byte) bool {
	if dst == nil {
		return false
	}
	s, ok := jsonw.PlainString(v)
	*dst = s
	return ok
}
