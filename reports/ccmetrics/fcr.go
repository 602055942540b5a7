package ccmetrics

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/wismo/wismo/store"
)

// First-contact resolution (docs/contact-center-metrics.md): an answered contact about a
// parcel (a call an agent talked on, with a parcel) is resolved at first contact when the
// customer does not come back about the same parcel of the same brand within FCRWindow after
// the call began: no inbound call about it (answered or not), no inbound SMS or e-mail about
// it (inbound_messages), no customer's message on a case of it (case_log message_in). A
// contact whose window has not closed yet is pending and counted in neither share.

type parcelKey struct {
	brand  int64
	parcel string
}

// markFCR sets the FCR state of every handled call with a parcel.
func (m *Metrics) markFCR(ctx context.Context, q Query, facts []*fact, now time.Time) error {
	var any bool
	for _, f := range facts {
		if f.handled && f.Parcel != "" && f.Brand != 0 {
			any = true
			break
		}
	}
	if !any {
		return nil
	}
	repeats, err := m.repeatContacts(ctx, q)
	if err != nil {
		return err
	}
	for _, f := range facts {
		if !f.handled || f.Parcel == "" || f.Brand == 0 {
			continue
		}
		until := f.Started.Add(FCRWindow)
		times := repeats[parcelKey{f.Brand, f.Parcel}]
		i := sort.Search(len(times), func(i int) bool { return times[i].After(f.Started) })
		switch {
		case i < len(times) && !times[i].After(until):
			f.fcr = fcrRepeat
		case until.After(now):
			f.fcr = fcrPending
		default:
			f.fcr = fcrResolved
		}
	}
	return nil
}

// repeatContacts reads, per brand and parcel, the times of the customer's contacts from the
// period's start to FCRWindow after its end, sorted.
func (m *Metrics) repeatContacts(ctx context.Context, q Query) (map[parcelKey][]time.Time, error) {
	from, to := q.From, q.To.Add(FCRWindow)
	cb, cbArgs := q.Scope.SQL("c.brand_id", "", "")
	mb, mbArgs := q.Scope.SQL("m.brand_id", "", "")
	kb, kbArgs := q.Scope.SQL("k.brand_id", "", "")
	sources := []struct {
		sql  string
		args []any
	}{
		{`SELECT COALESCE(c.brand_id, 0), c.parcel_id, c.started_at FROM calls c
			WHERE ` + cb + ` AND c.direction = 'inbound' AND c.parcel_id <> '' AND c.started_at > ? AND c.started_at <= ?`, cbArgs},
		{`SELECT COALESCE(m.brand_id, 0), m.parcel_id, m.created_at FROM inbound_messages m
			WHERE ` + mb + ` AND m.parcel_id IS NOT NULL AND m.parcel_id <> '' AND m.created_at > ? AND m.created_at <= ?`, mbArgs},
		{`SELECT k.brand_id, k.parcel_id, g.at FROM case_log g JOIN cases k ON k.id = g.case_id
			WHERE ` + kb + ` AND g.kind = 'message_in' AND k.parcel_id <> '' AND g.at > ? AND g.at <= ?`, kbArgs},
		{`SELECT k.brand_id, p.parcel_id, g.at FROM case_log g JOIN cases k ON k.id = g.case_id JOIN case_parcels p ON p.case_id = k.id
			WHERE ` + kb + ` AND g.kind = 'message_in' AND g.at > ? AND g.at <= ?`, kbArgs},
	}
	out := map[parcelKey][]time.Time{}
	for _, s := range sources {
		rows, err := m.db.SQL.QueryContext(ctx, m.db.Rebind(s.sql), append(append([]any{}, s.args...), from, to)...)
		if err != nil {
			return nil, fmt.Errorf("repeat contacts: %w", err)
		}
		for rows.Next() {
			var k parcelKey
			var at store.NullTime
			if err := rows.Scan(&k.brand, &k.parcel, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("repeat contacts: %w", err)
			}
			out[k] = append(out[k], at.Time)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("repeat contacts: %w", err)
		}
	}
	for k := range out {
		sort.Slice(out[k], func(i, j int) bool { return out[k][i].Before(out[k][j]) })
	}
	return out, nil
}
