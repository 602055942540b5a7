package portal

import (
	"strings"
	"sync"
	"time"
)

// Limit is how many requests a key may make in a window.
type Limit struct {
	Requests int
	Window   time.Duration
}

// FeedbackLimits bound the tracking page's forms (feedback, delivery options, return).
// They are counted in memory, per node: with N web nodes behind a balancer a client may get
// up to N times the limit. That is enough to stop a script filling the case queue from one
// address; a shared limit would need the database or a cache.
type FeedbackLimits struct {
	PerIP     Limit // every form post from one client address
	PerParcel Limit // every form post about one parcel, from anywhere
}

// DefaultFeedbackLimits are generous for a person and tight for a script.
var DefaultFeedbackLimits = FeedbackLimits{
	PerIP:     Limit{Requests: 10, Window: 10 * time.Minute},
	PerParcel: Limit{Requests: 20, Window: time.Hour},
}

// maxLimiterKeys bounds a limiter's memory. When every slot holds a live window, new keys
// are refused (fail closed) until windows expire.
const maxLimiterKeys = 100_000

// limiter counts requests per key in fixed windows.
type limiter struct {
	limit Limit
	now   func() time.Time

	mu        sync.Mutex
	windows   map[string]*window
	lastSweep time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(l Limit, now func() time.Time) *limiter {
	return &limiter{limit: l, now: now, windows: map[string]*window{}}
}

// allow counts one request of key and reports whether it is within the limit, and if not,
// how long until the key's window ends.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.limit.Requests <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.limit.Window || len(l.windows) >= maxLimiterKeys {
		for k, w := range l.windows {
			if now.Sub(w.start) >= l.limit.Window {
				delete(l.windows, k)
			}
		}
		l.lastSweep = now
	}
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= l.limit.Window {
		if w == nil && len(l.windows) >= maxLimiterKeys {
			return false, l.limit.Window
		}
		w = &window{start: now}
		// Fiber's strings (route params, headers) point into a request buffer that the next
		// request overwrites: a map key kept past this request must own its bytes.
		l.windows[strings.Clone(key)] = w
	}
	if w.n >= l.limit.Requests {
		return false, w.start.Add(l.limit.Window).Sub(now)
	}
	w.n++
	return true, 0
}
