package tracking

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Duties at import customs (issue 18; docs/ingest.md, *Duties at customs*): a customs event
// (EDB presented to import customs, EME held by import customs) may say what the recipient
// must pay and where. They are stored beside the event, in customs_duties, keyed by the
// event's identity: the events table and its bulk insert stay as they are.

// DutiesInput is the optional "duties" object of a customs event.
type DutiesInput struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	PayURL   string `json:"pay_url,omitempty"`
}

// Duties is what the recipient must pay at customs, in minor units.
type Duties struct {
	Money
	PayURL string
}

// DutiesView is the duties as the API returns them.
type DutiesView struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	PayURL   string `json:"pay_url,omitempty"`
}

// dutiesCodes are the events that may carry duties.
var dutiesCodes = map[string]bool{"EDB": true, "EME": true}

// parseDuties validates the duties of an event with code; nil in, nil out.
func parseDuties(code string, in *DutiesInput) (*Duties, *input.FieldError) {
	if in == nil {
		return nil, nil
	}
	if !dutiesCodes[code] {
		return nil, input.Errorf("duties", "only import customs events (EDB, EME) carry duties, not %s", code)
	}
	m, fe := parseMoney("duties", &MoneyInput{Amount: in.Amount, Currency: in.Currency})
	if fe != nil {
		return nil, fe
	}
	if m.Minor == 0 {
		return nil, input.Errorf("duties.amount", "must be more than zero (leave duties out when nothing is due)")
	}
	d := &Duties{Money: *m, PayURL: strings.TrimSpace(in.PayURL)}
	if d.PayURL != "" {
		u, err := url.Parse(d.PayURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			return nil, input.Errorf("duties.pay_url", "must be an https:// address without a user name, got %q", in.PayURL)
		}
		if fe := input.Text("duties.pay_url", d.PayURL, input.MaxLong); fe != nil {
			return nil, fe
		}
	}
	return d, nil
}

// storeDuties writes the duties of the batch's events that were not rejected; a resent event
// with other duties replaces them (its other details are compared as before).
func storeDuties(ctx context.Context, db *store.DB, q store.Tx, valid []*Event, results []Result, now time.Time) error {
	for i, e := range valid {
		if e == nil || e.Duties == nil || results[i].Status == StatusRejected {
			continue
		}
		d := e.Duties
		_, err := q.ExecContext(ctx, db.Rebind(`INSERT INTO customs_duties (item_id, code, occurred_at, office, amount_minor,
			currency, pay_url, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (item_id, code, occurred_at, office) DO UPDATE SET amount_minor = excluded.amount_minor,
			currency = excluded.currency, pay_url = excluded.pay_url, updated_at = excluded.updated_at`),
			e.ItemID, e.Code, e.OccurredAt, e.Office, d.Minor, d.Currency, d.PayURL, now)
		if err != nil {
			return fmt.Errorf("store duties: %w", err)
		}
	}
	return nil
}

// attachDuties sets the duties of an item's events attached to brand.
func attachDuties(ctx context.Context, db *store.DB, q store.Tx, brand int64, itemID string, evs []*Event) error {
	if !hasCustoms(evs) {
		return nil
	}
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT d.code, d.occurred_at, d.office, d.amount_minor, d.currency, d.pay_url
		FROM customs_duties d JOIN events e ON e.item_id = d.item_id AND e.code = d.code AND e.occurred_at = d.occurred_at
			AND e.office = d.office
		WHERE d.item_id = ? AND e.brand_id = ?`), itemID, brand)
	if err != nil {
		return fmt.Errorf("load duties: %w", err)
	}
	defer rows.Close()
	found := map[eventKey]*Duties{}
	for rows.Next() {
		var k eventKey
		var at time.Time
		d := &Duties{}
		if err := rows.Scan(&k.Code, &at, &k.Office, &d.Minor, &d.Currency, &d.PayURL); err != nil {
			return fmt.Errorf("load duties: %w", err)
		}
		k.ItemID, k.At = itemID, at.UnixMicro()
		found[k] = d
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load duties: %w", err)
	}
	for _, e := range evs {
		if d, ok := found[e.key()]; ok {
			e.Duties = d
		}
	}
	return nil
}

func hasCustoms(evs []*Event) bool {
	for _, e := range evs {
		if dutiesCodes[e.Code] {
			return true
		}
	}
	return false
}

func dutiesView(d *Duties) *DutiesView {
	if d == nil {
		return nil
	}
	return &DutiesView{Amount: FormatMoney(d.Money), Currency: d.Currency, PayURL: d.PayURL}
}
