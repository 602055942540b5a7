// Package holdclock adds the time a call's customer spends on hold to the call log
// (calls.hold_ms, migration 00042), for the contact-center metrics' handle time
// (docs/contact-center-metrics.md, "Hold").
//
// A customer is on hold while any reason holds them: the agent's desk put them on hold
// (ReasonDesk), or a transfer plays them music while the agent consults (ReasonTransfer).
// Overlapping reasons count once. A hold is written when it ends, or when the call ends while
// the customer is still held (End); every hold adds to the column, so a crash loses at most the
// hold under way, never a finished one.
package holdclock

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wismo/wismo/store"
)

// Reasons a customer is held.
const (
	ReasonDesk     = "desk"     // the agent's hold button (music or silence)
	ReasonTransfer = "transfer" // music while a transfer rings or the agent consults
)

// Clock tracks the calls whose customer is on hold now.
type Clock struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time
	mu  sync.Mutex
	on  map[int64]*hold // by call id
}

type hold struct {
	since   time.Time
	reasons map[string]bool
}

// New returns a clock writing to db's calls; a failed write is logged to log (the call goes on).
func New(db *store.DB, log *slog.Logger) *Clock {
	return &Clock{db: db, log: log, now: time.Now, on: map[int64]*hold{}}
}

// Set starts (on) or stops holding call's customer for reason; the hold ends, and is written,
// when no reason is left. Call 0 (no logged call) is ignored.
func (k *Clock) Set(ctx context.Context, call int64, reason string, on bool) {
	if call == 0 || k == nil {
		return
	}
	k.mu.Lock()
	h := k.on[call]
	switch {
	case on && h == nil:
		k.on[call] = &hold{since: k.now(), reasons: map[string]bool{reason: true}}
	case on:
		h.reasons[reason] = true
	case h != nil:
		delete(h.reasons, reason)
	}
	if h == nil || len(h.reasons) > 0 {
		k.mu.Unlock()
		return
	}
	delete(k.on, call)
	d := k.now().Sub(h.since)
	k.mu.Unlock()
	k.add(ctx, call, d)
}

// End ends call's hold, whatever holds it (the call is over).
func (k *Clock) End(ctx context.Context, call int64) {
	if k == nil {
		return
	}
	k.mu.Lock()
	h := k.on[call]
	delete(k.on, call)
	k.mu.Unlock()
	if h != nil {
		k.add(ctx, call, k.now().Sub(h.since))
	}
}

// Held reports whether call's customer is on hold now.
func (k *Clock) Held(call int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.on[call] != nil
}

func (k *Clock) add(ctx context.Context, call int64, d time.Duration) {
	ms := max(0, d.Milliseconds())
	if _, err := k.db.SQL.ExecContext(ctx, k.db.Rebind(`UPDATE calls SET hold_ms = hold_ms + ? WHERE id = ?`), ms, call); err != nil {
		k.log.Error("hold not logged", "call", call, "hold_ms", ms, "err", err)
	}
}
