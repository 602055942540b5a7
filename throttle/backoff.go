package throttle

import (
	"sync"
	"time"
)

// Policy is how failures slow a key down: the first Free failures cost nothing; each later
// one doubles the wait, from Base up to Max. A key with no failure for Forget starts over.
// The wait is bounded by Max, so a key can be slowed down but never locked out for good:
// that is what keeps an attacker from locking a real user out with failures of their own.
type Policy struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// Backoff tracks failures per key. Safe for concurrent use.
type Backoff struct {
	p   Policy
	now Clock

	mu   sync.Mutex
	keys *lru[failures]
}

type failures struct {
	n     int
	last  time.Time
	until time.Time // no attempt before this
}

// NewBackoff returns a tracker holding at most maxKeys keys (0: DefaultMaxKeys).
func NewBackoff(p Policy, maxKeys int, now Clock) *Backoff {
	if now == nil {
		now = time.Now
	}
	if p.Forget <= 0 {
		p.Forget = time.Hour
	}
	return &Backoff{p: p, now: now, keys: newLRU[failures](maxKeys)}
}

// Wait is how long key must wait before its next attempt (0: it may try now).
func (b *Backoff) Wait(key string) time.Duration {
	if b == nil {
		return 0
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.keys.get(key)
	if !ok || now.Sub(f.last) >= b.p.Forget || !now.Before(f.until) {
		return 0
	}
	return f.until.Sub(now)
}

// Fail records a failure of key and returns the wait it now has before its next attempt.
func (b *Backoff) Fail(key string) time.Duration {
	if b == nil {
		return 0
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.keys.put(key)
	if now.Sub(f.last) >= b.p.Forget {
		f.n = 0
	}
	f.n++
	f.last = now
	wait := b.delay(f.n)
	f.until = now.Add(wait)
	return wait
}

// Failures is how many failures key has had since it was last forgotten or reset.
func (b *Backoff) Failures(key string) int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.keys.get(key)
	if !ok || b.now().Sub(f.last) >= b.p.Forget {
		return 0
	}
	return f.n
}

// Reset forgets key's failures (after a success).
func (b *Backoff) Reset(key string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keys.remove(key)
}

// delay is the wait after the n-th failure.
func (b *Backoff) delay(n int) time.Duration {
	over := n - b.p.Free
	if over <= 0 || b.p.Base <= 0 {
		return 0
	}
	d := b.p.Base
	for i := 1; i < over && d < b.p.Max; i++ {
		d *= 2
	}
	if b.p.Max > 0 && d > b.p.Max {
		d = b.p.Max
	}
	return d
}

// Len is the number of keys held (for tests and metrics).
func (b *Backoff) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.keys.len()
}
