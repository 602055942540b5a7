package scripts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/scripts/tplshape"
)

// The budget of one run of a brand-written program: a rule's condition evaluated once, or
// one field of a template (an SMS text, a subject, a body, a call script's step) filled
// once. It is enforced while the program runs (docs/security.md, "Brand-written
// programs"): a program that reaches a limit stops there with a *BudgetError.
const (
	// budgetSteps bounds loop iterations: predicate iterations of a condition (all, any,
	// none, one, count, filter, map, nested ones counted in full) and {{range}} iterations
	// of a template. Real conditions loop over a parcel's few contacts (three loops nested
	// over 25 contacts are 15,625 iterations) and real templates over a map of ten keys.
	// Twenty thousand iterations take 5-40 ms, far inside budgetTime even on a loaded
	// machine, so a loop is refused for its count, the same way every time.
	budgetSteps = 20_000
	// budgetText bounds the bytes of text a run creates (string +, upper, lower, string()
	// in conditions; printf, print, println, html, js, urlquery in templates), counted as
	// they are made, freed or not. A parcel's data is a few hundred bytes.
	budgetText = 1 << 20
	// budgetElements bounds the list, map and range elements a condition creates (expr's
	// own VM budget, vm.VM.MemoryBudget).
	budgetElements = 100_000
	// budgetTime bounds one run's wall-clock time, whatever it does between the checks of
	// the other limits (a long text compared in every iteration). Real programs run in
	// microseconds; the margin keeps a loaded machine from refusing a program the other
	// budgets allow.
	budgetTime = 500 * time.Millisecond
	// budgetRequest bounds everything one request runs: a preview renders up to three
	// fields twice (the sample and the parcel), a call script up to 200 steps.
	budgetRequest = 2 * time.Second
)

// Output limits per channel: what one filled-in field may write. An SMS of 16 KiB is over
// a hundred segments (a real one has one to three); an email subject is one line.
const (
	maxOutSMS     = 16 << 10
	maxOutSubject = 2 << 10
	maxOutText    = 256 << 10
	maxOutHTML    = 1 << 20
	maxOutSay     = 16 << 10 // one step of a call script
)

// ErrBudget is what every budget error wraps: a brand's program needed more than wismo
// lets one run have.
var ErrBudget = errors.New("over budget")

// Resource names a budget that ran out.
type Resource string

// The resources of a run.
const (
	ResSteps    Resource = "steps"
	ResText     Resource = "text"
	ResElements Resource = "elements"
	ResTime     Resource = "time"
	ResOutput   Resource = "output"
)

// BudgetError says which budget a program ran out of, and where (Line 0: unknown).
type BudgetError struct {
	Resource Resource
	Limit    int64
	Line     int
}

// Error says in words what the program needed: "loops more than 100000 times".
func (e *BudgetError) Error() string {
	switch e.Resource {
	case ResSteps:
		return fmt.Sprintf("loops more than %d times", e.Limit)
	case ResText:
		return "needs more than " + sizeWords(e.Limit) + " of memory for text"
	case ResElements:
		return fmt.Sprintf("needs more than %d list or map elements", e.Limit)
	case ResTime:
		return "runs longer than " + time.Duration(e.Limit).String()
	case ResOutput:
		return "writes more than " + sizeWords(e.Limit)
	}
	return "is over budget"
}

// Unwrap makes errors.Is(err, ErrBudget) hold.
func (e *BudgetError) Unwrap() error { return ErrBudget }

// sizeWords writes a byte count for people: 1 MiB, 16 KiB, 700 bytes.
func sizeWords(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// meter is the budget of one run. The functions wismo inserts into a program charge it;
// it is used by one goroutine at a time.
type meter struct {
	ctx      context.Context
	deadline time.Time     // zero until the clock is first read
	allowed  time.Duration // from then to the deadline
	steps    int64
	text     int64
}

// newMeter starts a run's budget under ctx.
func newMeter(ctx context.Context) *meter { return &meter{ctx: ctx} }

// clockEvery is how many steps pass between two readings of the clock. Reading it costs
// more than a simple iteration (0.1-0.2 µs on a virtual machine's clock), so the time of a
// run starts when it is first read: at the eighth iteration or the first text it makes.
// Most conditions finish before.
const clockEvery = 8

// step counts one loop iteration (line: the loop's line in a template, 0 in a condition).
func (m *meter) step(line int) error {
	m.steps++
	if m.steps > budgetSteps {
		return &BudgetError{Resource: ResSteps, Limit: budgetSteps, Line: line}
	}
	if m.steps%clockEvery != 0 {
		return nil
	}
	return m.clock(line)
}

// room reports whether n more bytes of text fit, without counting them: a function
// whose result could exceed the budget is refused before it makes it.
func (m *meter) room(n int64) error {
	if n < 0 || m.text+n > budgetText {
		return &BudgetError{Resource: ResText, Limit: budgetText}
	}
	return m.clock(0)
}

// charge counts n bytes of text just made (n is at most what room allowed).
func (m *meter) charge(n int) error {
	m.text += int64(n)
	if m.text > budgetText {
		return &BudgetError{Resource: ResText, Limit: budgetText}
	}
	return m.clock(0)
}

// clock fails when the run's time is over, or its context ended (wismo is stopping). The
// time ends budgetTime after the first reading, or at ctx's deadline if that is sooner
// (both answer as the time budget: a preview's request budget is a budget too).
func (m *meter) clock(line int) error {
	now := time.Now()
	if m.deadline.IsZero() {
		m.deadline, m.allowed = now.Add(budgetTime), budgetTime
		if d, ok := m.ctx.Deadline(); ok && d.Before(m.deadline) {
			m.deadline, m.allowed = d, max(d.Sub(now), 0).Round(time.Millisecond)
		}
	}
	if now.After(m.deadline) {
		return &BudgetError{Resource: ResTime, Limit: int64(m.allowed), Line: line}
	}
	select {
	case <-m.ctx.Done():
		return m.ctx.Err()
	default:
		return nil
	}
}

// textSize is an upper bound of the bytes fmt's %v writes for v (32 per number or other
// scalar, plus separators), or limit+1 as soon as it passes limit.
func textSize(v any, limit int64) int64 {
	size, _ := measure(v, limit)
	return size
}

// measure returns textSize and the number of scalars in v (tplshape.Measure).
func measure(v any, limit int64) (size, scalars int64) { return tplshape.Measure(v, limit) }
