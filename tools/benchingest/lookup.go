package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// maxLookups bounds every lookup loop in count, beside its duration.
const maxLookups = 5_000_000

// lookupResult is the rate and latency of a lookup loop.
type lookupResult struct {
	PerSec   float64
	P50, P99 time.Duration
	N        int
}

// runLookups calls one(id) for random ids from clients goroutines until dur has passed or
// maxLookups calls were made, and fails on the first error.
func runLookups(ctx context.Context, ids []string, clients int, dur time.Duration, one func(id string) error) (lookupResult, error) {
	ctx, cancel := context.WithTimeout(ctx, dur+30*time.Second)
	defer cancel()
	perClient := maxLookups / clients
	lat := make([][]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c)+1, 0x5eed))
			mine := make([]time.Duration, 0, 1<<16)
			for n := 0; n < perClient && ctx.Err() == nil; n++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				if err := one(ids[rng.IntN(len(ids))]); err != nil {
					errs[c] = err
					cancel()
					break
				}
				mine = append(mine, time.Since(t0))
			}
			lat[c] = mine
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return lookupResult{}, err
		}
	}
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return lookupResult{}, fmt.Errorf("no lookup finished in %s", dur)
	}
	slices.Sort(all)
	return lookupResult{
		PerSec: float64(len(all)) / elapsed.Seconds(),
		P50:    all[len(all)/2],
		P99:    all[min(len(all)-1, len(all)*99/100)],
		N:      len(all),
	}, nil
}
