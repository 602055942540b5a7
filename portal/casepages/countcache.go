package casepages

import (
	"sync"
	"time"

	"github.com/wismo/wismo/cases"
)

// countCache keeps each viewer's view counts (the tabs' numbers) for a few seconds. Counting
// seven views is half of what a view page costs at 200,000 cases (each count walks up to
// cases.CountCap+1 rows), and an agent paging through a view or coming back to it asks for the
// same numbers again. A change made through these pages drops every entry of this node at once
// (another node's change shows within the TTL), so an agent's own action is counted on the
// next page.
type countCache struct {
	ttl time.Duration
	max int

	mu  sync.Mutex
	gen uint64
	m   map[countKey]countEntry
}

// countKey is a viewer and the filters: the view, sort, cursor and page size do not change
// the counts.
type countKey struct {
	user int64
	q    cases.ViewQuery
}

type countEntry struct {
	at     time.Time
	gen    uint64
	counts map[cases.View]cases.ViewCount
}

// countTTL is how long counts are reused; countMax bounds the entries kept (a node serves a
// few hundred agents; the cap only guards memory against a client that varies its filters).
const (
	countTTL = 10 * time.Second
	countMax = 10000
)

func newCountCache() *countCache {
	return &countCache{ttl: countTTL, max: countMax, m: map[countKey]countEntry{}}
}

func keyOf(user int64, q cases.ViewQuery) countKey {
	q.View, q.Sort, q.After, q.Limit = "", "", "", 0
	return countKey{user: user, q: q}
}

// get returns the counts kept for the viewer and filters, if fresh.
func (cc *countCache) get(user int64, q cases.ViewQuery, now time.Time) (map[cases.View]cases.ViewCount, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e, ok := cc.m[keyOf(user, q)]
	if !ok || e.gen != cc.gen || now.Sub(e.at) >= cc.ttl {
		return nil, false
	}
	return e.counts, true
}

// put keeps counts; a full cache first drops what has expired, and everything when that is
// not enough.
func (cc *countCache) put(user int64, q cases.ViewQuery, now time.Time, counts map[cases.View]cases.ViewCount) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.m) >= cc.max {
		for k, e := range cc.m {
			if e.gen != cc.gen || now.Sub(e.at) >= cc.ttl {
				delete(cc.m, k)
			}
		}
		if len(cc.m) >= cc.max {
			clear(cc.m)
		}
	}
	cc.m[keyOf(user, q)] = countEntry{at: now, gen: cc.gen, counts: counts}
}

// changed forgets every count: a case changed through this node.
func (cc *countCache) changed() {
	cc.mu.Lock()
	cc.gen++
	clear(cc.m)
	cc.mu.Unlock()
}
