package wallboard

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
)

// TestSharedOneComputationForConcurrentCallers: 30 screens asking while the figures are being
// computed all wait for that one computation and get its value; a failed computation is not
// kept; another key computes its own.
func TestSharedOneComputationForConcurrentCallers(t *testing.T) {
	s := newShared[int](time.Hour, nil)
	gate := make(chan struct{})
	var runs atomic.Int64
	compute := func(context.Context) (int, error) {
		runs.Add(1)
		<-gate
		return 42, nil
	}
	const screens = 30
	var wg sync.WaitGroup
	got := make([]int, screens)
	errs := make([]error, screens)
	for i := range screens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.get(context.Background(), "brands:1", compute)
		}()
	}
	// Every screen is waiting (the first computation cannot end before the gate opens).
	for deadline := time.Now().Add(10 * time.Second); s.waiting.Load() < screens; {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d screens waiting", s.waiting.Load(), screens)
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d computations for %d concurrent screens, want 1", n, screens)
	}
	for i := range screens {
		if got[i] != 42 || errs[i] != nil {
			t.Fatalf("screen %d got %d, %v", i, got[i], errs[i])
		}
	}
	// A screen that leaves does not fail the others: the computation outlives its context.
	ctx, cancel := context.WithCancel(context.Background())
	slow := make(chan struct{})
	go func() {
		_, _ = s.get(ctx, "brands:2", func(ctx context.Context) (int, error) {
			cancel()
			<-slow
			return 7, ctx.Err()
		})
	}()
	for deadline := time.Now().Add(10 * time.Second); ctx.Err() == nil; {
		if time.Now().After(deadline) {
			t.Fatal("the computation never started")
		}
		time.Sleep(time.Millisecond)
	}
	close(slow)
	if v, err := s.get(context.Background(), "brands:2", compute); v != 7 || err != nil {
		t.Fatalf("after the first screen left: %d, %v; want 7 from the one computation", v, err)
	}
	// A failure reaches its waiters and is not kept.
	boom := errors.New("database gone")
	if _, err := s.get(context.Background(), "brands:3", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed computation: %v", err)
	}
	if v, err := s.get(context.Background(), "brands:3", func(context.Context) (int, error) { return 3, nil }); v != 3 || err != nil {
		t.Fatalf("after a failure: %d, %v; want a new computation", v, err)
	}
}

// TestScopeKey: the key names exactly the brands a viewer may see, whatever their order.
func TestScopeKey(t *testing.T) {
	for _, c := range []struct {
		a, b access.Scope
		same bool
	}{
		{access.Brands(1, 2), access.Brands(2, 1), true},
		{access.Brands(1), access.Brands(1, 2), false},
		{access.Brands(12), access.Brands(1, 2), false},
		{access.Operator(), access.Brands(1), false},
		{access.Brands(), access.Operator(), false},
		{access.PostScope(1, "RU"), access.PostScope(1, "KZ"), false},
	} {
		if got := scopeKey(c.a) == scopeKey(c.b); got != c.same {
			t.Errorf("%q and %q: same %v, want %v", scopeKey(c.a), scopeKey(c.b), got, c.same)
		}
	}
}
