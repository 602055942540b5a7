package tracking

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wismo/wismo/input"
)

// The columns of CSV import files: events when the header has item_id, parcels when it has id.
var eventCSVColumns = []string{"item_id", "code", "occurred_at", "office", "location", "country", "time_zone", "reason", "action", "signature"}

var parcelCSVColumns = []string{"id", "brand_id", "service_level", "kind", "weight_kg", "origin_country", "destination_country",
	"cod_amount", "cod_currency", "declared_value", "declared_currency", "recipient_name", "recipient_phone", "recipient_email",
	"recipient_address", "recipient_region", "recipient_language", "recipient_time_zone", "sender_name", "sender_address", "sender_country"}

// readCSVHeader reads the first record of a CSV file as its header (names in any case and
// order, a byte order mark ignored) and checks it.
func (d *ImportDecoder) readCSVHeader(r io.Reader) error {
	d.csv = newCSVRecords(r)
	rec, err := d.csv.next()
	if err == io.EOF {
		return errors.New("csv header: the file is empty")
	}
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	if rec.err != nil {
		return fmt.Errorf("csv header (line %d): %s", rec.line, rec.err.Message)
	}
	header := rec.fields
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	d.header, d.csv.width = header, len(header)
	known := parcelCSVColumns
	for _, h := range header {
		if h == "item_id" {
			d.isEvt, known = true, eventCSVColumns
		}
	}
	if !d.isEvt && !contains(header, "id") {
		return errors.New("csv header names neither item_id (events) nor id (parcels)")
	}
	for _, h := range header {
		if !contains(known, h) {
			return fmt.Errorf("csv header: unknown column %q (known: %s)", h, strings.Join(known, ", "))
		}
	}
	return nil
}

func (d *ImportDecoder) nextCSV() (ImportRecord, error) {
	r, err := d.csv.next()
	if err == io.EOF {
		return ImportRecord{}, io.EOF
	}
	if err != nil {
		return ImportRecord{}, fmt.Errorf("line %d: %w", d.csv.lines.n+1, err)
	}
	if r.err == nil && len(r.fields) != len(d.header) {
		r.err = input.Errorf("", "has %d fields, the header has %d", len(r.fields), len(d.header))
	}
	if r.err != nil {
		return unreadable(r.line, d.isEvt, r.err), nil
	}
	rec := d.fromRow(r.line, r.fields)
	if !r.utf8 {
		for i, v := range r.fields { // named by the file's column: that is where the sender looks
			if !utf8.ValidString(v) {
				fe := input.Errorf(d.header[i], "is not valid UTF-8")
				if rec.Event != nil {
					rec.Event.Err = fe
				} else {
					rec.Parcel.Err = fe
				}
				break
			}
		}
	}
	return rec, nil
}

// fromRow builds the record of a CSV row of the header's width.
func (d *ImportDecoder) fromRow(line int, row []string) ImportRecord {
	rec := ImportRecord{Line: line}
	get := func(name string) string {
		for i, h := range d.header {
			if h == name {
				return strings.TrimSpace(row[i])
			}
		}
		return ""
	}
	if d.isEvt {
		rec.Event = &EventItem{Input: EventInput{ItemID: get("item_id"), Code: get("code"), OccurredAt: get("occurred_at"),
			Office: get("office"), Location: get("location"), Country: get("country"), TimeZone: get("time_zone"),
			Reason: get("reason"), Action: get("action"), Signature: get("signature")}}
		return rec
	}
	item := &ParcelItem{Input: ParcelInput{ID: get("id"), ServiceLevel: get("service_level"), Kind: get("kind"),
		OriginCountry: get("origin_country"), DestinationCountry: get("destination_country"),
		Recipient: RecipientInput{Name: get("recipient_name"), Phone: get("recipient_phone"), Email: get("recipient_email"),
			Address: get("recipient_address"), Region: get("recipient_region"), Language: get("recipient_language"),
			TimeZone: get("recipient_time_zone")}}}
	rec.Parcel = item
	if v := get("brand_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			item.Err = input.Errorf("brand_id", "%q is not a number", v)
			return rec
		}
		item.Input.BrandID = n
	}
	if v := get("weight_kg"); v != "" {
		w, err := strconv.ParseFloat(v, 64)
		if err != nil {
			item.Err = input.Errorf("weight_kg", "%q is not a number", v)
			return rec
		}
		item.Input.WeightKg = w
	}
	if v := get("cod_amount"); v != "" {
		item.Input.COD = &MoneyInput{Amount: v, Currency: get("cod_currency")}
	}
	if v := get("declared_value"); v != "" {
		item.Input.DeclaredValue = &MoneyInput{Amount: v, Currency: get("declared_currency")}
	}
	if n, a, c := get("sender_name"), get("sender_address"), get("sender_country"); n != "" || a != "" || c != "" {
		item.Input.Sender = &Party{Name: n, Address: a, Country: c}
	}
	return rec
}
