package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/wismo/wismo/tracking"
)

// eventCodes is the full history every benchmark parcel gets, in order: posted abroad,
// export, dispatch, arrival in Russia, customs, out for delivery, at the delivery office,
// delivered.
var eventCodes = []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMG", "EDG", "EMI"}

// origin is a sending country with an office and a place name for its events.
type origin struct{ country, office, location string }

var origins = []origin{
	{"GB", "GBLONA", "London"},
	{"DE", "DEFRAA", "Frankfurt"},
	{"CN", "CNBJSA", "Beijing"},
}

// destination is a Russian region with its delivery office and a mobile prefix.
type destination struct{ region, office, location, zone, mobile string }

var destinations = []destination{
	{"RU-NVS", "630099", "Novosibirsk", "Asia/Novosibirsk", "+7913"},
	{"RU-MOW", "101000", "Moscow", "Europe/Moscow", "+7916"},
	{"RU-SPE", "190000", "Saint Petersburg", "Europe/Moscow", "+7921"},
	{"RU-SVE", "620014", "Yekaterinburg", "Asia/Yekaterinburg", "+7912"},
	{"RU-KYA", "660049", "Krasnoyarsk", "Asia/Krasnoyarsk", "+7923"},
}

var recipientNames = []string{"Анна Смирнова", "Иван Кузнецов", "Мария Попова", "Дмитрий Соколов", "Елена Лебедева", "Сергей Морозов", "Ольга Новикова"}

// workload is one deterministic ingest input: parcels, then the events of all of them in
// the order a post's feed would deliver them (by time, so one batch touches many parcels).
type workload struct {
	Parcels []tracking.ParcelInput
	Events  []tracking.EventInput
	// occurred holds each event's time, parallel to Events, for the raw INSERT baseline.
	occurred []time.Time
}

// makeWorkload builds n parcels with eight events each. Times lie in the past (from
// 2026-01-05), one parcel posted per minute, 7 hours between a parcel's scans. Events come in
// time order, or with byParcel each parcel's whole history together.
func makeWorkload(n int, byParcel bool) *workload {
	base := time.Date(2026, 1, 5, 6, 0, 0, 0, time.UTC)
	w := &workload{}
	type timed struct {
		at time.Time
		ev tracking.EventInput
	}
	var evs []timed
	for i := 0; i < n; i++ {
		o := origins[i%len(origins)]
		d := destinations[(i/len(origins))%len(destinations)]
		id := tracking.MakeS10("RR", 10000000+i, o.country)
		w.Parcels = append(w.Parcels, tracking.ParcelInput{
			ID: id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.1 + float64(i%19)/10,
			OriginCountry: o.country, DestinationCountry: "RU",
			Recipient: tracking.RecipientInput{
				Name:    recipientNames[i%len(recipientNames)],
				Phone:   fmt.Sprintf("%s%07d", d.mobile, i%10000000),
				Address: fmt.Sprintf("ул. Ленина, д. %d, кв. %d", 1+i%200, 1+i%150),
				Region:  d.region,
			},
		})
		for j, code := range eventCodes {
			at := base.Add(time.Duration(i)*time.Minute + time.Duration(j)*7*time.Hour)
			e := tracking.EventInput{ItemID: id, Code: code, OccurredAt: at.Format(time.RFC3339)}
			if j < 3 { // still abroad
				e.Office, e.Location, e.Country = o.office, o.location, o.country
			} else {
				e.Office, e.Location, e.Country, e.TimeZone = d.office, d.location, "RU", d.zone
			}
			if code == "EMI" {
				e.Signature = w.Parcels[i].Recipient.Name
			}
			evs = append(evs, timed{at, e})
		}
	}
	if !byParcel {
		slices.SortStableFunc(evs, func(a, b timed) int { return a.at.Compare(b.at) })
	}
	for _, t := range evs {
		w.Events = append(w.Events, t.ev)
		w.occurred = append(w.occurred, t.at)
	}
	return w
}

// jsonBatches marshals items into {"field": [...]} request bodies of batch items each.
func jsonBatches[T any](field string, items []T, batch int) ([][]byte, error) {
	var out [][]byte
	for s := 0; s < len(items); s += batch {
		b, err := json.Marshal(map[string]any{field: items[s:min(s+batch, len(items))]})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// ndjson writes items one JSON object a line, the import file format.
func ndjson[T any](items []T) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range items {
		if err := enc.Encode(&items[i]); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
