package throttle

import (
	"sync"
	"time"
)

// Set remembers keys for a while, in a table of bounded size: what a limiter uses to know a
// client it has seen succeed (a login from an address that logged in to the account before).
// When full it forgets the least recently used key, so a flood of new keys can only make it
// forget, never grow. Safe for concurrent use.
type Set struct {
	ttl time.Duration
	now Clock

	mu   sync.Mutex
	keys *lru[time.Time] // when the key was last added
}

// NewSet returns a set that remembers a key for ttl after it was last added, holding at most
// maxKeys keys (0: DefaultMaxKeys).
func NewSet(ttl time.Duration, maxKeys int, now Clock) *Set {
	if now == nil {
		now = time.Now
	}
	return &Set{ttl: ttl, now: now, keys: newLRU[time.Time](maxKeys)}
}

// Add remembers key from now on.
func (s *Set) Add(key string) {
	if s == nil {
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.keys.put(key) = now
}

// Has reports whether key was added less than ttl ago.
func (s *Set) Has(key string) bool {
	if s == nil {
		return false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.keys.get(key)
	return ok && now.Sub(*at) < s.ttl
}
