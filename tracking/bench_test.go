package tracking_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// benchWorkload registers n parcels and returns their events in batches of 1000: parcel
// i's events at i*spacing + 7 h per code, in time order.
func benchWorkload(b *testing.B, e *trackingtest.Env, n int, spacing time.Duration) [][]tracking.EventItem {
	codes := []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMG", "EDG", "EMI"}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var items []tracking.ParcelItem
	var evs []tracking.EventItem
	for i := 0; i < n; i++ {
		p := trackingtest.Parcel(tracking.MakeS10("RR", 100000+i, "GB"))
		p.Recipient.Phone = fmt.Sprintf("+7913%07d", i)
		items = append(items, tracking.ParcelItem{Input: p})
		for j, c := range codes {
			evs = append(evs, tracking.EventItem{Input: trackingtest.Event(p.ID, c, base.Add(time.Duration(i)*spacing+time.Duration(j)*7*time.Hour).Format(time.RFC3339))})
		}
	}
	for s := 0; s < len(items); s += 1000 {
		if _, err := e.Tracking.UpsertParcels(context.Background(), e.ScopeA(), items[s:min(s+1000, len(items))]); err != nil {
			b.Fatal(err)
		}
	}
	// Time order, as a post's feed arrives: each batch touches ~1000 parcels.
	slices.SortStableFunc(evs, func(a, b tracking.EventItem) int { return strings.Compare(a.Input.OccurredAt, b.Input.OccurredAt) })
	var batches [][]tracking.EventItem
	for s := 0; s < len(evs); s += 1000 {
		batches = append(batches, evs[s:min(s+1000, len(evs))])
	}
	return batches
}

// BenchmarkIngestEvents measures IngestEvents (validation, identity lookup, insert, phase
// update, outbox) in batches of 1000; compare with BenchmarkRawEventInsert.
func BenchmarkIngestEvents(b *testing.B) {
	e := trackingtest.New(&testing.T{})
	batches := benchWorkload(b, e, 2500, time.Second)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if i > 0 && i%len(batches) == 0 {
			b.StopTimer()
			e.DB.SQL.Exec(`DELETE FROM events`)
			e.DB.SQL.Exec(`DELETE FROM outbox`)
			e.DB.SQL.Exec(`UPDATE parcels SET last_event_at = NULL, phase = 'registered'`)
			b.StartTimer()
		}
		res, err := e.Tracking.IngestEvents(context.Background(), e.ScopeA(), batches[i%len(batches)])
		if err != nil {
			b.Fatal(err)
		}
		n += len(res)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawEventInsert inserts the same rows with one multi-row INSERT per 1000: the
// database's own ceiling for ingest.
func BenchmarkRawEventInsert(b *testing.B) {
	e := trackingtest.New(&testing.T{})
	batches := benchWorkload(b, e, 2500, time.Second)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if i > 0 && i%len(batches) == 0 {
			b.StopTimer()
			e.DB.SQL.Exec(`DELETE FROM events`)
			b.StartTimer()
		}
		var rows []*tracking.Event
		for _, it := range batches[i%len(batches)] {
			ev, _ := it.Input.ToEvent(e.Now)
			rows = append(rows, ev)
		}
		err := e.DB.WriteTx(context.Background(), func(tx store.Tx) error {
			return tracking.InsertEvents(context.Background(), e.DB, tx, &e.BrandA, rows)
		})
		if err != nil {
			b.Fatal(err)
		}
		n += len(rows)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkIngestFeed4 is benchingest's batch API figure without HTTP: four writers take
// the feed's batches in order, so batches three apart share most of their parcels.
func BenchmarkIngestFeed4(b *testing.B) {
	e := trackingtest.New(&testing.T{})
	batches := benchWorkload(b, e, 20000, time.Minute) // as benchingest: batches three apart share most parcels
	b.ResetTimer()
	next := make(chan []tracking.EventItem)
	go func() {
		for _, bt := range batches {
			next <- bt
		}
		close(next)
	}()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bt := range next {
				if _, err := e.Tracking.IngestEvents(context.Background(), e.ScopeA(), bt); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(len(batches)*1000)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(tracking.Retries.Load()), "retries")
}
