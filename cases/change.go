package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

type versionKey struct{}

// IfVersion makes the case changes run with ctx refuse a case whose version is not v: the
// caller read the case at v (an If-Match header, a page form's hidden field) and must not
// overwrite a change it has not seen. The refusal is a *StaleError (errors.Is ErrStale).
func IfVersion(ctx context.Context, v int64) context.Context {
	return context.WithValue(ctx, versionKey{}, v)
}

// StaleError is a change refused because the case moved on from the version the caller read.
type StaleError struct {
	Number     string
	Want, Have int64
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("case %s was changed by someone else since you read it (you had version %d, it is now at %d): reload it and apply your change again",
		e.Number, e.Want, e.Have)
}

// Unwrap makes errors.Is(err, ErrStale) hold.
func (e *StaleError) Unwrap() error { return ErrStale }

// changeFn changes a loaded case and returns what to log and announce.
type changeFn func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error)

// change runs fn on a case visible to scope inside a write transaction (the row locked on
// PostgreSQL), then stores the case, its log entries and outbox messages together.
func (s *CaseService) change(ctx context.Context, scope access.Scope, number string, brandID int64, fn changeFn) (*Case, error) {
	var out *Case
	err := s.inTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.changeIn(ctx, tx, s.now(), scope, number, brandID, fn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", number, err)
	}
	return out, nil
}

// changeIn is change inside a transaction the caller runs, at time now.
func (s *CaseService) changeIn(ctx context.Context, tx store.Tx, now time.Time, scope access.Scope, number string, brandID int64, fn changeFn) (*Case, error) {
	c, err := caseByNumber(ctx, s.db, tx, scope, number, brandID, true)
	if err != nil {
		return nil, err
	}
	if want, ok := ctx.Value(versionKey{}).(int64); ok && want != c.Version {
		return nil, &StaleError{Number: c.Number, Want: want, Have: c.Version}
	}
	cfg, err := loadSLAConfig(ctx, s.db, tx, c.BrandID)
	if err != nil {
		return nil, err
	}
	return s.apply(ctx, tx, now, c, cfg, fn)
}

// apply runs fn on a loaded case and stores the case, its log entries and outbox messages.
func (s *CaseService) apply(ctx context.Context, tx store.Tx, now time.Time, c *Case, cfg SLAConfig, fn changeFn) (*Case, error) {
	logs, msgs, err := fn(tx, c, cfg, now)
	if err != nil {
		return nil, err
	}
	c.UpdatedAt = now
	if err := updateCase(ctx, s.db, tx, c); err != nil {
		return nil, err
	}
	if err := insertLog(ctx, s.db, tx, c.ID, logs...); err != nil {
		return nil, err
	}
	return c, outbox.Write(ctx, s.db, tx, msgs, now)
}

// enter moves a case into status to, keeping the SLA clocks right: the resolution clock stops
// while the case waits for the customer (its due time moves by the business time spent
// waiting), and leaving resolved or closed clears the resolution.
func (c *Case) enter(to CaseStatus, resolution string, cal Calendar, now time.Time) {
	if c.Status == StatusWaitingCustomer && c.SLA.PausedAt != nil {
		if c.SLA.ResolutionDue != nil {
			if due, ok := cal.Add(*c.SLA.ResolutionDue, cal.Between(*c.SLA.PausedAt, now)); ok {
				c.SLA.ResolutionDue = &due
			}
		}
		c.SLA.PausedAt = nil
	}
	switch to {
	case StatusWaitingCustomer:
		c.SLA.PausedAt = &now
	case StatusResolved:
		c.ResolvedAt, c.ResolutionCode = &now, resolution
	case StatusClosed:
		c.ClosedAt = &now
	default:
		if !c.Status.IsOpen() {
			c.ResolvedAt, c.ClosedAt, c.ResolutionCode = nil, nil, ""
		}
	}
	c.Status = to
}

// changeStatus applies a requested status change through the state machine.
func (c *Case) changeStatus(to CaseStatus, resolution string, codes []string, cal Calendar, now time.Time) error {
	if !CanTransition(c.Status, to) {
		if to == StatusWaitingPartnerPost {
			return fmt.Errorf("%s to %s: escalate the case to a partner post instead: %w", c.Status, to, ErrBadTransition)
		}
		return fmt.Errorf("%s to %s (allowed: %v): %w", c.Status, to, transitions[c.Status], ErrBadTransition)
	}
	if to == StatusResolved {
		if resolution == "" {
			return input.Invalid(input.Errorf("resolution_code", "is required to resolve a case"))
		}
		if _, fe := input.OneOf("resolution_code", resolution, codes); fe != nil {
			return input.Invalid(fe)
		}
	} else if resolution != "" {
		return input.Invalid(input.Errorf("resolution_code", "is set only when resolving"))
	}
	c.enter(to, resolution, cal, now)
	return nil
}

// responded starts the first-response clock's end: the first status change out of new or
// the first note by a person or integration (not a rule or a job).
func (c *Case) responded(actor Actor, now time.Time) {
	if c.FirstResponseAt == nil && !actor.System {
		c.FirstResponseAt = &now
	}
}

func statusLog(actor Actor, from, to CaseStatus, now time.Time, extra string) logEntry {
	return logEntry{At: now, Kind: "status", Actor: actor.Label, Summary: fmt.Sprintf("status %s → %s%s", from, to, extra),
		Data: map[string]any{"from": from, "to": to}}
}

// AddNote adds a note to a case; the first note by a person answers the first-response clock.
func (s *CaseService) AddNote(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, text string) (*Case, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, input.Invalid(input.Errorf("text", "is required"))
	}
	if fe := input.Text("text", text, MaxNoteChars); fe != nil {
		return nil, input.Invalid(fe)
	}
	return s.change(ctx, scope, number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		c.responded(actor, now)
		return []logEntry{{At: now, Kind: "note", Actor: actor.Label, Summary: text}}, nil, nil
	})
}

// Reopen reopens a resolved or closed case, with a reason. It is the only way out of closed.
func (s *CaseService) Reopen(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, reason string) (*Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, input.Invalid(input.Errorf("reason", "is required to reopen a case"))
	}
	if fe := input.Text("reason", reason, MaxNoteChars); fe != nil {
		return nil, input.Invalid(fe)
	}
	return s.change(ctx, scope, number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		if c.Status.IsOpen() {
			return nil, nil, fmt.Errorf("a %s case is open already: %w", c.Status, ErrBadTransition)
		}
		from := c.Status
		c.enter(StatusOpen, "", cfg.Calendar, now)
		logs := []logEntry{statusLog(actor, from, StatusOpen, now, " (reopened)"),
			{At: now, Kind: "note", Actor: actor.Label, Summary: "reopened: " + reason}}
		return logs, []outbox.Entry{caseMessage(TopicCaseStatusChanged, c, from)}, nil
	})
}

// CaseBatch opens and changes many cases in one transaction, at times the caller sets: the
// demo generator writes months of history this way in seconds. Every rule of the single
// calls applies (state machine, SLA clocks, log, outbox).
type CaseBatch struct {
	s    *CaseService
	ctx  context.Context
	tx   store.Tx
	now  time.Time
	cfgs map[int64]SLAConfig
}

// Batch runs fn with a batch whose work commits when fn returns nil, and rolls back otherwise.
func (s *CaseService) Batch(ctx context.Context, fn func(b *CaseBatch) error) error {
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		return fn(&CaseBatch{s: s, ctx: ctx, tx: tx, now: s.now(), cfgs: map[int64]SLAConfig{}})
	})
	if err != nil {
		return fmt.Errorf("case batch: %w", err)
	}
	return nil
}

// At sets the time of the batch's next calls.
func (b *CaseBatch) At(t time.Time) { b.now = t.UTC() }

// Open opens a case (see CaseService.Open).
func (b *CaseBatch) Open(scope access.Scope, actor Actor, in CaseInput) (*Case, error) {
	return b.s.open(b.ctx, b.tx, b.now, scope, actor, in, b.cfgs)
}

// Update changes a case this batch opened (see CaseService.Update): the case is not read
// again, its row is this transaction's already.
func (b *CaseBatch) Update(scope access.Scope, actor Actor, c *Case, p CasePatch) (*Case, error) {
	cfg, ok := b.cfgs[c.BrandID]
	if !ok {
		return nil, fmt.Errorf("case %s was not opened by this batch", c.Number)
	}
	return b.s.apply(b.ctx, b.tx, b.now, c, cfg, b.s.updateFn(b.ctx, scope, actor, p))
}

// LogCustomerMessage puts what a customer wrote (kind "message_in", summary the text) on a
// case; reopen moves a resolved or closed case back to open first (package inbound).
func (s *CaseService) LogCustomerMessage(ctx context.Context, brandID int64, number, from, text string, data any, reopen bool) (*Case, error) {
	return s.change(ctx, access.Brands(brandID), number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		logs := []logEntry{{At: now, Kind: "message_in", Actor: "customer:" + from, Summary: text, Data: data}}
		if !reopen || c.Status.IsOpen() {
			return logs, nil, nil
		}
		from := c.Status
		c.enter(StatusOpen, "", cfg.Calendar, now)
		logs = append([]logEntry{statusLog(Actor{Label: "system", System: true}, from, StatusOpen, now, " (the customer wrote)")}, logs...)
		return logs, []outbox.Entry{caseMessage(TopicCaseStatusChanged, c, from)}, nil
	})
}

// LogReply records on a case that a reply went to the customer (summary says how); it is a
// response for the first-response clock and a change of the case (IfVersion applies).
func (s *CaseService) LogReply(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, summary string, data any) (*Case, error) {
	return s.change(ctx, scope, number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		c.responded(actor, now)
		return []logEntry{{At: now, Kind: "reply", Actor: actor.Label, Summary: summary, Data: data}}, nil, nil
	})
}
