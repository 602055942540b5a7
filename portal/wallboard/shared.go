package wallboard

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wismo/wismo/access"
)

// How long computed figures are shared by every screen that shows the same brands (and, for
// today's figures, the same zone and day): a floor of 30 wallboards each refreshing every 2 s
// asks the database once per shareToday and shareLive, not once per screen.
const (
	shareToday = 5 * time.Second // today's service level, abandon rate, speed of answer
	shareLive  = shareToday / 5  // callers waiting and agents' states (half a board tick)
	computeFor = 2 * boardEvery  // one shared computation's limit
)

// shared hands out a value computed once for every caller that asks for the same key within
// ttl. Callers that ask while the computation runs wait for it (singleflight: no thundering
// herd when a floor's screens reconnect together); it runs without the first caller's
// cancellation, so a screen that goes away does not fail the others. A failed computation is
// not kept: the next caller tries again.
type shared[V any] struct {
	ttl      time.Duration
	mu       sync.Mutex
	m        map[string]*flight[V]
	computed func(key string) // when set, told of each computation (tests, measurements)
	waiting  atomic.Int64     // callers waiting for a value now (tests)
}

type flight[V any] struct {
	done chan struct{}
	at   time.Time // when the value was computed
	v    V
	err  error
}

func newShared[V any](ttl time.Duration, computed func(string)) *shared[V] {
	return &shared[V]{ttl: ttl, m: map[string]*flight[V]{}, computed: computed}
}

// get is key's value, computed by compute unless a fresh one is kept or one is being computed.
// A ttl of 0 or less shares nothing (each call computes).
func (s *shared[V]) get(ctx context.Context, key string, compute func(context.Context) (V, error)) (V, error) {
	if s.ttl <= 0 {
		return s.run(ctx, key, compute)
	}
	s.mu.Lock()
	f := s.m[key]
	if f == nil || !f.fresh(s.ttl) {
		f = &flight[V]{done: make(chan struct{})}
		s.sweep()
		s.m[key] = f
		go func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeFor)
			defer cancel()
			v, err := s.run(cctx, key, compute)
			s.mu.Lock()
			f.v, f.err, f.at = v, err, time.Now()
			if err != nil && s.m[key] == f {
				delete(s.m, key)
			}
			s.mu.Unlock()
			close(f.done)
		}()
	}
	s.mu.Unlock()
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (s *shared[V]) run(ctx context.Context, key string, compute func(context.Context) (V, error)) (V, error) {
	if s.computed != nil {
		s.computed(key)
	}
	return compute(ctx)
}

// fresh reports whether f is being computed or was computed within ttl (callers hold s.mu).
func (f *flight[V]) fresh(ttl time.Duration) bool {
	select {
	case <-f.done:
		return f.err == nil && time.Since(f.at) < ttl
	default:
		return true
	}
}

// sweep drops the values that are no longer fresh, so keys of brand sets and zones nobody
// shows any more do not pile up (callers hold s.mu).
func (s *shared[V]) sweep() {
	for k, f := range s.m {
		if !f.fresh(s.ttl) {
			delete(s.m, k)
		}
	}
}

// scopeKey names exactly the brands a scope may see: every brand, a sorted list of brand ids,
// or a partner post (whose scope is its lanes). Two viewers share figures only when their keys
// are equal, so no viewer is shown figures of a brand they may not see.
func scopeKey(s access.Scope) string {
	if s.All() {
		return "all"
	}
	if id, country, ok := s.Post(); ok {
		return "post:" + strconv.FormatInt(id, 10) + ":" + country
	}
	ids := slices.Clone(s.BrandIDs())
	slices.Sort(ids)
	ids = slices.Compact(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "brands:" + strings.Join(parts, ",")
}
