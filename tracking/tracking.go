// Package tracking is where tracking data comes in: S10 item ids, parcels and their tracking
// events, delivery phases, the postal reference tables, transit standards, ingest through the
// API and import files, lookups by phone, and the parcel API. It is the first domain of the
// flow (tracking data -> rules -> dialer -> calls -> cases -> portal) and the lowest: it
// imports none of the others.
//
// It owns the tables parcels, events, event_history and transit_standards, and writes the
// outbox topics parcel.created, parcel.updated and tracking.event in the transaction that
// changes them. It reads access's reference tables brands and posts inside its own write
// transactions; only access writes those. Every write to parcels fires the search triggers
// (migrations 00003, 00005), which is why this package links textkey.
package tracking

import (
	"errors"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/input"

	// The search triggers on parcels call wismo_search_key, which textkey registers with
	// the SQLite driver when it is linked: every program that writes parcels needs it.
	_ "github.com/wismo/wismo/textkey"
)

// Sentinel errors of the tracking domain, mapped to statuses at the edges. Cases shares
// them (cases.ErrNotFound is this value), so one errors.Is answers for a parcel or a case.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("not allowed for this account")
)

// ServiceLevel is the INTERCONNECT service level of a parcel.
type ServiceLevel string

// The service levels.
const (
	Premium  ServiceLevel = "premium"
	Standard ServiceLevel = "standard"
	Economy  ServiceLevel = "economy"
)

// Kind is packet (up to 2 kg) or parcel (up to 30 kg).
type Kind string

// The kinds and their weight limits in grams.
const (
	KindPacket Kind = "packet"
	KindParcel Kind = "parcel"

	MaxPacketGrams = 2000
	MaxParcelGrams = 30000
)

// Money is an amount in minor units (kopecks, cents) with its ISO 4217 currency.
type Money struct {
	Minor    int64
	Currency string
}

// ContentItem is one line of the ITMATT customs declaration.
type ContentItem struct {
	Description   string `json:"description"`
	Quantity      int    `json:"quantity"`
	HSCode        string `json:"hs_code,omitempty"`
	Value         string `json:"value,omitempty"`
	Currency      string `json:"currency,omitempty"`
	OriginCountry string `json:"origin_country,omitempty"`
}

// Party is the sender of a parcel.
type Party struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
	Country string `json:"country,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// Recipient is the person a parcel goes to, and whom wismo contacts.
type Recipient struct {
	Name     string
	Phone    string // E.164
	Email    string
	Address  string
	Region   string
	Language string
	TimeZone string
	ZoneRule geo.ZoneRule
}

// Parcel is one tracked item, keyed by its S10 id.
type Parcel struct {
	ID                 string
	BrandID            int64
	OriginCountry      string
	DestinationCountry string
	ServiceLevel       ServiceLevel
	Kind               Kind
	WeightGrams        int
	COD                *Money
	DeclaredValue      *Money
	Contents           []ContentItem
	Sender             Party
	Recipient          Recipient
	PromisedDate       string // YYYY-MM-DD, from the transit standard
	Phase              Phase
	PhaseAt            *time.Time
	Returning          bool
	LastEventAt        *time.Time
	PostedAt           *time.Time
	DeliveredAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Event is one tracking scan of an item.
type Event struct {
	ID         int64
	ItemID     string
	Code       string
	OccurredAt time.Time // UTC, microsecond precision
	Office     string
	Location   string
	Country    string
	TimeZone   string // the office's IANA zone
	Reason     string
	Action     string
	Signature  string
	ReceivedAt time.Time
	Pickup     *Pickup // as sent with this delivery of the event; stored in pickup_points
	Duties     *Duties // import customs only (duties.go)
}

// sameDetails reports whether two events with one identity carry the same details.
func (e *Event) sameDetails(o *Event) bool {
	return e.Location == o.Location && e.Country == o.Country && e.TimeZone == o.TimeZone &&
		e.Reason == o.Reason && e.Action == o.Action && e.Signature == o.Signature
}

// eventKey is an event's identity: (item id, code, occurred_at, office).
type eventKey struct {
	ItemID, Code, Office string
	At                   int64 // unix microseconds
}

func (e *Event) key() eventKey {
	return eventKey{ItemID: e.ItemID, Code: e.Code, Office: e.Office, At: e.OccurredAt.UnixMicro()}
}

// Status of one item of an ingest batch.
type Status string

// The statuses of the contract.
const (
	StatusAccepted  Status = "accepted"
	StatusUpdated   Status = "updated"
	StatusDuplicate Status = "duplicate"
	StatusRejected  Status = "rejected"
)

// Result is the outcome of one item of a batch.
type Result struct {
	Index  int               `json:"index"`
	ID     string            `json:"id,omitempty"`
	Status Status            `json:"status"`
	Error  *input.FieldError `json:"error,omitempty"`
}
