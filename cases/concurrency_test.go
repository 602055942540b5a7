package cases

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentIngest runs batches that split parcels' histories across writers, while the
// parcels themselves register concurrently with their early events. Whatever the
// interleaving, every parcel ends with all its events attached and the phase of its latest.
func TestConcurrentIngest(t *testing.T) {
	e := newEnv(t)
	const parcels, perParcel, workers = 60, 8, 6
	codes := []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMG", "EDG", "EMI"}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var evs []EventInput
	var ps []ParcelInput
	for i := 0; i < parcels; i++ {
		id := MakeS10("RR", 700000+i, "GB")
		p := parcel(id)
		p.Recipient.Phone = fmt.Sprintf("+7913%07d", i)
		ps = append(ps, p)
		for j, c := range codes {
			evs = append(evs, event(id, c, base.Add(time.Duration(j)*time.Hour).Format(time.RFC3339)))
		}
	}
	// Batches of 5 events: every parcel's history straddles two or three batches.
	var batches [][]EventInput
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
				items := make([]EventItem, len(batches[i]))
				for k, ev := range batches[i] {
					items[k].Input = ev
				}
				if _, err := e.svc.IngestEvents(context.Background(), e.scopeA(), items); err != nil {
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
			items := make([]ParcelItem, 0, 7)
			for _, p := range ps[s:min(s+7, len(ps))] {
				items = append(items, ParcelItem{Input: p})
			}
			if _, err := e.svc.UpsertParcels(context.Background(), e.scopeA(), items); err != nil {
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
	if n := e.count(`SELECT COUNT(*) FROM events WHERE brand_id IS NULL`); n != 0 {
		t.Errorf("%d events were left unattached", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM parcels WHERE phase <> 'delivered'`); n != 0 {
		t.Errorf("%d parcels do not show the phase of their latest event", n)
	}
	if n := e.messages(TopicTrackingEvent, ""); n != parcels*perParcel {
		t.Errorf("tracking outbox messages = %d, want %d", n, parcels*perParcel)
	}
}
