package tracking

import (
	"context"
	"time"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Hooks for the external tests (package tracking_test): they build on trackingtest, which an
// internal test cannot import.

// Retries counts batches retried after a concurrent write.
var Retries = &retries

// ToEvent validates an event input as ingest does.
func (in *EventInput) ToEvent(now time.Time) (*Event, *input.FieldError) { return in.toEvent(now) }

// ToParcel validates a parcel input as ingest does.
func (in *ParcelInput) ToParcel() (*Parcel, *input.FieldError) { return in.toParcel() }

// InsertEvents inserts events attached to brand with the multi-row INSERT ingest uses.
func InsertEvents(ctx context.Context, db *store.DB, q store.Tx, brand *int64, evs []*Event) error {
	rows := make([]newEventRow, len(evs))
	for i, e := range evs {
		rows[i] = newEventRow{e: e, brandID: brand}
	}
	return insertEvents(ctx, db, q, rows)
}

// DecodeEvents decodes a POST /api/v1/events body as the API does.
var DecodeEvents = decodeEvents

// DecodeParcels decodes a POST /api/v1/parcels body as the API does.
func DecodeParcels(body []byte) ([]ParcelInput, []*input.FieldError, error) {
	return decodeItems[ParcelInput](body, "parcels")
}

// SerialCond is the keyed tracking-number lookup's condition (index parcels_serial).
const SerialCond = serialCond
