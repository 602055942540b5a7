package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/search"
)

// backend is one search under test.
type backend interface {
	name() string
	search(ctx context.Context, brand int64, q string) ([]result, error)
}

// result is a hit reduced to what decides whether it is right.
type result struct{ kind, id, name, phone, email string }

// wismoBackend is wismo's search (search.Search) over one of its backends, as the API runs
// it: parse, find, rank, and read phase and open cases from the database.
type wismoBackend struct {
	label string
	s     *search.Search
}

func (w wismoBackend) name() string { return w.label }

func (w wismoBackend) search(ctx context.Context, brand int64, q string) ([]result, error) {
	hits, err := w.s.Find(ctx, access.Brands(brand), q, 20)
	if err != nil {
		return nil, err
	}
	out := make([]result, len(hits))
	for i, h := range hits {
		out[i] = result{kind: h.Kind, id: h.ID, name: h.Name, phone: h.Phone, email: h.Email}
	}
	return out, nil
}

// backends lists the searches measured, the baseline last.
func (c *corpus) backends() []backend {
	return []backend{
		wismoBackend{"wismo embedded, SQLite (FTS5)", search.New(c.Lite, search.NewEmbeddedBackend(c.Lite))},
		wismoBackend{"wismo embedded, PostgreSQL (full text + pg_trgm)", search.New(c.PG, search.NewEmbeddedBackend(c.PG))},
		c.ours,
		c.plain,
	}
}

// kindResult is one backend's figures for one kind of query.
type kindResult struct {
	kind    string
	queries int
	ran     int // queries answered in the one-client pass
	right   int
	errors  int
	lat     map[int][]time.Duration // by client count
	cut     bool                    // the time limit stopped a run
}

// backendResult is every kind for one backend.
type backendResult struct {
	backend string
	kinds   []kindResult
}

// measure runs every kind of query against b: first once with one client (which also
// decides right-first), then split over eight clients.
func measure(ctx context.Context, b backend, qs querySet, o options) (backendResult, error) {
	out := backendResult{backend: b.name()}
	for _, k := range kinds {
		list := qs[k.name]
		for _, q := range list[:min(10, len(list))] { // warm caches equally for every backend
			b.search(ctx, q.brand, q.q)
		}
		kr := kindResult{kind: k.name, queries: len(list), lat: map[int][]time.Duration{}}
		for _, clients := range o.clients {
			lat, rightN, errs, cut := runClients(ctx, b, list, clients, o.kindTime)
			kr.lat[clients] = lat
			if clients == 1 {
				kr.right, kr.errors, kr.ran = rightN, errs, len(lat)
			}
			kr.cut = kr.cut || cut
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		out.kinds = append(out.kinds, kr)
	}
	return out, nil
}

// runClients sends every query once, spread over n clients, and stops at the time limit.
func runClients(ctx context.Context, b backend, list []query, n int, limit time.Duration) ([]time.Duration, int, int, bool) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	rightN, errs := 0, 0
	next := make(chan query)
	go func() {
		defer close(next)
		for _, q := range list {
			select {
			case next <- q:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range next {
				start := time.Now()
				hits, err := b.search(ctx, q.brand, q.q)
				took := time.Since(start)
				mu.Lock()
				switch {
				case err != nil && ctx.Err() == nil:
					errs++
				case err == nil:
					lat = append(lat, took)
					if len(hits) > 0 && right(q, hits[0]) {
						rightN++
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, rightN, errs, ctx.Err() != nil
}

// percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return sorted[i]
}

func sortDurations(d []time.Duration) { slices.Sort(d) }
