package portal

import (
	"bytes"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/i18n"
)

// The tracking page is what customers reload, again and again, while a parcel is on its way;
// it is also the page a shop links from every message. A node keeps the pages it rendered
// (TrackCache) until the parcel changes: the wiring tails the outbox on every node and drops
// the pages of the parcels its messages name (tracking events, parcel updates, cases, and,
// written by database triggers, every change of a contact's status and every call about the
// parcel). What changes with the clock alone (a promised date passing: "late") shows when the
// page reaches its maximum age. The per-visitor CSRF token of the forms is the only personal
// part of a page: a page is stored with a placeholder where the token goes and gets the
// visitor's token on the way out. A form sent through a node drops the parcel's pages there
// at once.

// DefaultTrackPageAge is how long a node serves a rendered tracking page at most.
const DefaultTrackPageAge = 10 * time.Minute

// maxTrackPages bounds the cache (a page is ~20 KB): random ids never enter it (only found
// parcels are kept), but a crawl over real ids must not grow it without end.
const maxTrackPages = 20000

// csrfSlot marks where the visitor's token goes in a stored page. It is never a valid token
// (tokens are 32 hex digits) and html/template leaves it as it is.
const csrfSlot = "wismo-csrf-slot-0000000000000000"

type cachedPage struct {
	brand   int64
	html    []byte
	expires time.Time
}

// TrackCache holds rendered tracking pages on one node; nil holds nothing.
type TrackCache = pageCache

// NewTrackCache returns a cache that serves a page for at most maxAge (zero:
// DefaultTrackPageAge); its hits and misses are counted in wismo_track_page_cache_total when
// reg is given.
func NewTrackCache(maxAge time.Duration, reg prometheus.Registerer) *TrackCache {
	if maxAge == 0 {
		maxAge = DefaultTrackPageAge
	}
	return newPageCache(maxAge, time.Now, reg)
}

type pageCache struct {
	ttl       time.Duration
	now       func() time.Time
	mu        sync.Mutex
	pages     map[string]cachedPage
	looks     map[int64]cachedLook // brands' looks, read once per page age (trackbrand.go)
	hit, miss prometheus.Counter
}

func newPageCache(maxAge time.Duration, now func() time.Time, reg prometheus.Registerer) *pageCache {
	counts := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_track_page_cache_total",
		Help: "Public tracking page views served from this node's page cache (hit) or rendered (miss)."}, []string{"result"})
	if reg != nil {
		reg.MustRegister(counts)
	}
	return &pageCache{ttl: maxAge, now: now, pages: map[string]cachedPage{}, looks: map[int64]cachedLook{},
		hit: counts.WithLabelValues("hit"), miss: counts.WithLabelValues("miss")}
}

func (pc *pageCache) get(lang, id string) ([]byte, bool) {
	if pc == nil {
		return nil, false
	}
	pc.mu.Lock()
	p, ok := pc.pages[lang+"/"+id]
	pc.mu.Unlock()
	if !ok || !pc.now().Before(p.expires) {
		pc.miss.Inc()
		return nil, false
	}
	pc.hit.Inc()
	return p.html, true
}

func (pc *pageCache) put(lang, id string, brand int64, html []byte) {
	if pc == nil {
		return
	}
	now := pc.now()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.pages) >= maxTrackPages {
		for k, p := range pc.pages {
			if !now.Before(p.expires) {
				delete(pc.pages, k)
			}
		}
		if len(pc.pages) >= maxTrackPages {
			clear(pc.pages)
		}
	}
	pc.pages[lang+"/"+id] = cachedPage{brand: brand, html: html, expires: now.Add(pc.ttl)}
}

// Drop forgets the parcels' pages in every language.
func (pc *pageCache) Drop(ids ...string) {
	if pc == nil {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for _, id := range ids {
		for _, lang := range i18n.Langs {
			delete(pc.pages, string(lang)+"/"+id)
		}
	}
}

// withToken returns a stored page with the visitor's token in its slot.
func withToken(html []byte, token string) []byte {
	return bytes.ReplaceAll(html, []byte(csrfSlot), []byte(token))
}

// DropBrand forgets every page of the brands' parcels: their look changed.
func (pc *pageCache) DropBrand(brands ...int64) {
	if pc == nil || len(brands) == 0 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for k, p := range pc.pages {
		if slices.Contains(brands, p.brand) {
			delete(pc.pages, k)
		}
	}
	for _, b := range brands {
		delete(pc.looks, b)
	}
}
