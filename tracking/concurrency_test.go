package tracking_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// TestConcurrentIngest runs batches that split parcels' histories across writers, while the
// parcels themselves register concurrently with their early events. Whatever the
// interleaving, every parcel ends with all its events attached and the phase of its latest.
func TestConcurrentIngest(t *testing.T) {
	e := trackingtest.New(t)
	const parcels, perParcel, workers = 60, 8, 6
	codes := []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMG", "EDG", "EMI"}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var evs []tracking.EventInput
	var ps []tracking.ParcelInput
	for i := 0; i < parcels; i++ {
		id := tracking.MakeS10("RR", 700000+i, "GB")
		p := trackingtest.Parcel(id)
		p.Recipient.Phone = fmt.Sprintf("+7913%07d", i)
		ps = append(ps, p)
		for j, c := range codes {
			evs = append(evs, trackingtest.Event(id, c, base.Add(time.Duration(j)*time.Hour).Format(time.RFC3339)))
		}
	}
	// Batches of 5 events: every parcel's history straddles two or three batches.
	var batches [][]tracking.EventInput
	for s := 0; s < len(evs); s += 5 {
		batches = append(batches, evs[s:min(s+5, len(evs))])
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers+1)
	next := make(chan int, len(batches))
	for i := range batches {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				items := make([]tracking.EventItem, len(batches[i]))
				for k, ev := range batches[i] {
					items[k].Input = ev
				}
				if _, err := e.Tracking.IngestEvents(context.Background(), e.ScopeA(), items); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // parcels register while their events stream in
		defer wg.Done()
		for s := 0; s < len(ps); s += 7 {
			items := make([]tracking.ParcelItem, 0, 7)
			for _, p := range ps[s:min(s+7, len(ps))] {
				items = append(items, tracking.ParcelItem{Input: p})
			}
			if _, err := e.Tracking.UpsertParcels(context.Background(), e.ScopeA(), items); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := e.Count(`SELECT COUNT(*) FROM events WHERE brand_id IS NULL`); n != 0 {
		t.Errorf("%d events were left unattached", n)
	}
	if n := e.Count(`SELECT COUNT(*) FROM parcels WHERE phase <> 'delivered'`); n != 0 {
		t.Errorf("%d parcels do not show the phase of their latest event", n)
	}
	if n := e.Messages(tracking.TopicTrackingEvent, ""); n != parcels*perParcel {
		t.Errorf("tracking outbox messages = %d, want %d", n, parcels*perParcel)
	}
}
