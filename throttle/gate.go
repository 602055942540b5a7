package throttle

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrBusy is returned by Gate.Enter when every slot is taken and the queue is full, or the
// wait ran out: the caller answers "try again later" (HTTP 429 or 503 with Retry-After).
var ErrBusy = errors.New("too many requests at once; try again shortly")

// Gate bounds how many callers do an expensive thing at once (a password hash takes 19 MiB),
// and how many may wait for a turn: memory stays bounded under any load, and a full gate
// answers at once instead of growing a queue.
type Gate struct {
	slots   chan struct{}
	waiting atomic.Int64
	maxWait int64
	timeout time.Duration
}

// NewGate lets n callers in at once and at most queue more wait, each for at most timeout.
func NewGate(n, queue int, timeout time.Duration) *Gate {
	if n < 1 {
		n = 1
	}
	return &Gate{slots: make(chan struct{}, n), maxWait: int64(queue), timeout: timeout}
}

// Enter waits for a slot and returns the function that gives it back, or ErrBusy.
func (g *Gate) Enter(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	default:
	}
	if g.waiting.Add(1) > g.maxWait {
		g.waiting.Add(-1)
		return nil, ErrBusy
	}
	defer g.waiting.Add(-1)
	timer := time.NewTimer(g.timeout)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *Gate) release() { <-g.slots }

// InUse is the number of callers inside the gate now.
func (g *Gate) InUse() int { return len(g.slots) }
