package transfer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/store"
)

// Service runs transfers of live calls.
type Service struct {
	db   *store.DB
	c    *callcenter.Center
	log  *slog.Logger
	ring time.Duration
	mu   sync.Mutex
	runs map[int64]*active // transfers in progress, by call id
}

// New returns the transfer service of center's calls; ring is how long a target rings
// (0: 20 s).
func New(db *store.DB, center *callcenter.Center, log *slog.Logger, ring time.Duration) *Service {
	if ring <= 0 {
		ring = 20 * time.Second
	}
	return &Service{db: db, c: center, log: log.With("component", "transfer"), ring: ring, runs: map[int64]*active{}}
}

// active is a transfer in progress.
type active struct {
	mu        sync.Mutex
	t         Transfer
	live      *callcenter.Live
	orig      callcenter.Staff // the transferring agent's leg
	decide    chan string      // Completed or Cancelled, from the agent (attended)
	stopRing  context.CancelFunc
	cancelled bool
	notify    func(status int) // a REFER's NOTIFY (nil: started from the desk)
}

// told gives a REFER's sender the transfer's end: 200 when the target has the customer.
func (a *active) told(status int) {
	if a.notify != nil {
		a.notify(status)
		a.notify = nil
	}
}

func (a *active) snapshot() Transfer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.t
}

func (a *active) setState(s string) {
	a.mu.Lock()
	a.t.State = s
	a.mu.Unlock()
}

// target is a resolved Target: the leg to place and the agent reserved for it.
type target struct {
	kind    string // callcenter.LegAgent or LegExternal
	agentID int64
	contact string
	queue   int64 // or (the rest empty): the queue the customer waits in (blind, nobody free)
}

// Start starts transfer req of the call agent u talks in; it returns as the target rings.
func (s *Service) Start(ctx context.Context, u *access.User, req Request) (Transfer, error) {
	return s.start(ctx, u, req, nil)
}

// start is Start; notify (may be nil) is told the transfer's end as a SIP status (REFER).
func (s *Service) start(ctx context.Context, u *access.User, req Request, notify func(status int)) (Transfer, error) {
	if req.Kind != Blind && req.Kind != Attended {
		return Transfer{}, invalid("kind", "choose blind or attended")
	}
	if u == nil {
		return Transfer{}, ErrNoCall
	}
	lv := s.c.Live(u.ID)
	if lv == nil {
		return Transfer{}, ErrNoCall
	}
	if lv.ShiftLine() {
		return Transfer{}, ErrShiftLine
	}
	s.mu.Lock()
	busy := s.runs[lv.CallID()] != nil
	s.mu.Unlock()
	if busy {
		return Transfer{}, ErrInProgress
	}
	tg, err := s.resolve(ctx, u, lv, req.Kind, req.Target)
	if err != nil {
		return Transfer{}, err
	}
	a := &active{live: lv, orig: lv.Staff(), decide: make(chan string, 1), notify: notify, t: Transfer{BrandID: lv.BrandID(), CallID: lv.CallID(),
		Kind: string(req.Kind), FromAgentID: u.ID, ToAgentID: tg.agentID, ToQueueID: req.Target.QueueID, ToNumber: tg.contactNumber(),
		StartedAt: time.Now().UTC(), State: StateRinging}}
	if tg.queue != 0 {
		a.t.State = StateQueued
	}
	s.mu.Lock()
	if s.runs[lv.CallID()] != nil {
		s.mu.Unlock()
		s.unreserve(context.WithoutCancel(ctx), tg)
		return Transfer{}, ErrInProgress
	}
	s.runs[lv.CallID()] = a
	s.mu.Unlock()
	down := context.WithoutCancel(ctx)
	if err := s.insert(down, &a.t); err != nil {
		s.forget(a)
		s.unreserve(down, tg)
		return Transfer{}, fmt.Errorf("log transfer: %w", err)
	}
	if !lv.Pause() {
		a.t.Outcome = Failed
		s.finish(down, a)
		s.unreserve(down, tg)
		return Transfer{}, ErrNoCall // not bridged yet, or paused by another transfer
	}
	ringCtx, stopRing := context.WithCancel(down)
	a.stopRing = stopRing
	go s.run(down, ringCtx, a, tg)
	s.log.Info("transfer started", "call", lv.CallID(), "kind", req.Kind, "from", u.ID, "to_agent", tg.agentID,
		"to_queue", req.Target.QueueID, "to_number", a.t.ToNumber)
	return a.snapshot(), nil
}

func (t target) contactNumber() string {
	if t.kind == callcenter.LegExternal {
		return t.contact
	}
	return ""
}

// Current is the transfer in progress on the call agent u talks in, or ErrNoTransfer.
func (s *Service) Current(u *access.User) (Transfer, error) {
	a := s.mine(u)
	if a == nil {
		return Transfer{}, ErrNoTransfer
	}
	return a.snapshot(), nil
}

// Complete hands the customer to the consulted target (attended transfers).
func (s *Service) Complete(u *access.User) error {
	a := s.mine(u)
	if a == nil {
		return ErrNoTransfer
	}
	if a.snapshot().State != StateConsulting {
		return ErrNotYet
	}
	select {
	case a.decide <- Completed:
	default:
	}
	return nil
}

// Cancel gives the customer back to the agent: the target's ring or consult ends.
func (s *Service) Cancel(u *access.User) error {
	a := s.mine(u)
	if a == nil {
		return ErrNoTransfer
	}
	a.mu.Lock()
	a.cancelled = true
	a.mu.Unlock()
	a.stopRing()
	select {
	case a.decide <- Cancelled:
	default:
	}
	return nil
}

// mine is the transfer u started that is in progress.
func (s *Service) mine(u *access.User) *active {
	if u == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.runs {
		if a.t.FromAgentID == u.ID && a.snapshot().State != StateQueued { // a queued customer is no longer theirs
			return a
		}
	}
	return nil
}

func (s *Service) forget(a *active) {
	s.mu.Lock()
	delete(s.runs, a.t.CallID)
	s.mu.Unlock()
}

// finish writes a's outcome and end and forgets it.
func (s *Service) finish(ctx context.Context, a *active) {
	a.mu.Lock()
	a.t.EndedAt, a.t.State = ptrTime(time.Now().UTC()), ""
	t := a.t
	a.mu.Unlock()
	if err := s.end(ctx, t); err != nil {
		s.log.Error("transfer not logged", "transfer", t.ID, "err", err)
	}
	s.forget(a)
	s.log.Info("transfer ended", "call", t.CallID, "transfer", t.ID, "outcome", t.Outcome)
}

// unreserve gives a reserved target agent back to available.
func (s *Service) unreserve(ctx context.Context, tg target) {
	if tg.agentID != 0 {
		if err := s.c.Agents.SetState(ctx, tg.agentID, callcenter.Available); err != nil && !errors.Is(err, callcenter.ErrBadTransition) {
			s.log.Warn("transfer target not released", "agent", tg.agentID, "err", err)
		}
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
