// Package transfer moves a live call's customer from the agent talking to them to another
// agent, a hotline queue's next free agent, or an external number through the trunk: blind
// (the customer goes at once) or attended (the agent consults the target first while the
// customer hears the brand's hold music). The customer's leg and the call's recorder stay
// the same throughout (callcenter.Live), so a transferred call has one recording; every leg
// is in call_legs and every transfer one call_transfers row (docs/transfers.md).
//
// Who may transfer: the agent on the call, to agents and queues of the call's brand;
// to external numbers only when the brand allows it (brand_transfers.allow_external, set by
// the brand's managers and admins).
package transfer

import (
	"errors"
	"time"
)

// Kind is how the customer is handed over.
type Kind string

// The kinds an agent starts (a conference is package monitor's).
const (
	Blind    Kind = "blind"
	Attended Kind = "attended"
)

// Outcomes of a transfer ("" while it rings or consults).
const (
	Completed = "completed"
	Cancelled = "cancelled"
	Failed    = "failed"
)

// States of a transfer in progress, as the desk shows them.
const (
	StateRinging    = "ringing"    // the target's phone rings; the customer hears music
	StateConsulting = "consulting" // attended: the agent talks to the target
	StateQueued     = "queued"     // blind to a queue with nobody free: the customer waits in it; the agent is free
)

// Sentinel errors, mapped to statuses at the edge.
var (
	ErrNoCall     = errors.New("you are in no call with a customer")
	ErrShiftLine  = errors.New("calls on a predictive shift's line are not transferred")
	ErrInProgress = errors.New("a transfer of this call is in progress already")
	ErrNoTransfer = errors.New("no transfer in progress")
	ErrNotYet     = errors.New("the target has not answered yet")
	ErrBusy       = errors.New("the target is not available")
	ErrNotFound   = errors.New("not found")
	ErrInvalid    = errors.New("invalid")
	ErrForbidden  = errors.New("forbidden")
)

// FieldError is a refused request naming the field at fault: ErrInvalid (422) or
// ErrForbidden (403).
type FieldError struct {
	Field, Message string
	kind           error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes the error its kind.
func (e *FieldError) Unwrap() error { return e.kind }

func invalid(field, msg string) error {
	return &FieldError{Field: field, Message: msg, kind: ErrInvalid}
}
func forbidden(field, msg string) error {
	return &FieldError{Field: field, Message: msg, kind: ErrForbidden}
}

// Target is who the customer goes to: exactly one of an agent, a queue, a number.
type Target struct {
	AgentID int64  `json:"agent_id,omitempty"`
	QueueID int64  `json:"queue_id,omitempty"`
	Number  string `json:"number,omitempty"`
}

// Request is a transfer an agent asks for.
type Request struct {
	Kind   Kind   `json:"kind"`
	Target Target `json:"target"`
}

// Transfer is one row of call_transfers, with the state of one in progress.
type Transfer struct {
	ID          int64      `json:"id"`
	BrandID     int64      `json:"brand_id"`
	CallID      int64      `json:"call_id"`
	Kind        string     `json:"kind"`
	FromAgentID int64      `json:"from_agent_id,omitempty"`
	ToAgentID   int64      `json:"to_agent_id,omitempty"`
	ToQueueID   int64      `json:"to_queue_id,omitempty"`
	ToNumber    string     `json:"to_number,omitempty"`
	Outcome     string     `json:"outcome"`
	StartedAt   time.Time  `json:"started_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	State       string     `json:"state,omitempty"` // of one in progress
}
