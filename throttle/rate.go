package throttle

import (
	"sync"
	"time"
)

// Limit is how many events a key may have in a window.
type Limit struct {
	Events int
	Window time.Duration
}

// Rate counts events per key in fixed windows. Safe for concurrent use.
type Rate struct {
	limit Limit
	now   Clock

	mu   sync.Mutex
	keys *lru[window]
}

type window struct {
	start time.Time
	n     int
}

// NewRate returns a counter of l per key holding at most maxKeys keys (0: DefaultMaxKeys).
// A zero Limit allows everything.
func NewRate(l Limit, maxKeys int, now Clock) *Rate {
	if now == nil {
		now = time.Now
	}
	return &Rate{limit: l, now: now, keys: newLRU[window](maxKeys)}
}

// Allow counts one event of key and reports whether it is within the limit; when it is not,
// it says how long until the key's window ends (and the event is not counted).
func (r *Rate) Allow(key string) (bool, time.Duration) {
	ok, wait := r.check(key, true)
	return ok, wait
}

// Check reports whether one more event of key would be allowed, counting nothing: for a
// caller that counts only what passes a later check (Count).
func (r *Rate) Check(key string) (bool, time.Duration) { return r.check(key, false) }

// Count counts one event of key without checking the limit.
func (r *Rate) Count(key string) {
	if r == nil || r.limit.Events <= 0 {
		return
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.current(key, now)
	w.n++
}

func (r *Rate) check(key string, count bool) (bool, time.Duration) {
	if r == nil || r.limit.Events <= 0 {
		return true, 0
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	w, held := r.keys.get(key)
	if !held || now.Sub(w.start) >= r.limit.Window {
		if !count {
			return true, 0
		}
		w = r.current(key, now)
	}
	if w.n >= r.limit.Events {
		return false, w.start.Add(r.limit.Window).Sub(now)
	}
	if count {
		w.n++
	}
	return true, 0
}

// current returns key's window, starting a new one when it has none or it has ended.
func (r *Rate) current(key string, now time.Time) *window {
	w, held := r.keys.get(key)
	if !held {
		w = r.keys.put(key)
	}
	if !held || now.Sub(w.start) >= r.limit.Window {
		*w = window{start: now}
	}
	return w
}

// Len is the number of keys held (for tests and metrics).
func (r *Rate) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keys.len()
}
