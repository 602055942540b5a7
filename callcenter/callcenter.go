// Package callcenter runs wismo's contact center: agents and their states, hotline queues,
// call control (preview and progressive outbound calls, inbound hotline calls bridged to
// agents) and the call log of every attempt. The SIP and media work is done by the telephony
// engine; callcenter decides who talks to whom and writes down what happened.
package callcenter

import (
	"errors"
	"time"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/telephony"
)

// Sentinel errors, mapped to statuses at the edges.
var (
	ErrBadTransition = errors.New("agent state change not allowed")
	ErrNoAgent       = errors.New("no agent available")
	ErrNotFound      = errors.New("not found")
	ErrInvalid       = errors.New("invalid")
)

// FieldError is invalid input in one named field of a request (it is an ErrInvalid); the API
// answers it as 422 naming the field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors lists the one field for the HTTP edge's 422 (apierr).
func (e *FieldError) FieldErrors() []input.FieldError {
	return []input.FieldError{{Field: e.Field, Message: e.Message}}
}

// Unwrap makes a FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Outcome is how a call attempt ended: telephony's vocabulary, which owns its mapping to and
// from SIP statuses (call control speaks of outcomes, never of status numbers).
type Outcome = telephony.Outcome

// The call outcomes.
const (
	Answered    = telephony.Answered
	NoAnswer    = telephony.NoAnswer
	Busy        = telephony.Busy
	Rejected    = telephony.Rejected
	Unreachable = telephony.Unreachable
	Failed      = telephony.Failed
	Cancelled   = telephony.Cancelled
	Abandoned   = telephony.Abandoned // answered, but no agent in time
)

// Standard dispositions an agent sets on an answered call; brands add their own.
const (
	DispReached           = "reached"
	DispWrongNumber       = "wrong_number"
	DispCallbackRequested = "callback_requested"
	DispRefused           = "refused"
	DispVoicemail         = "voicemail"
)

// Direction of a call, seen from wismo.
const (
	Outbound = "outbound"
	Inbound  = "inbound"
)

// Modes of a call.
const (
	ModePreview     = "preview"
	ModeProgressive = "progressive"
	ModeHotline     = "hotline"
)

// Leg kinds and hang-up sides.
const (
	LegCustomer = "customer"
	LegAgent    = "agent"
	SideSystem  = "system"
)

// Call is one attempt to talk to a customer, with its legs.
type Call struct {
	ID          int64      `json:"id"`
	Direction   string     `json:"direction"`
	Mode        string     `json:"mode"`
	BrandID     int64      `json:"brand_id,omitempty"`
	ParcelID    string     `json:"parcel_id,omitempty"`
	CampaignRef string     `json:"campaign_ref,omitempty"`
	ContactRef  string     `json:"contact_ref,omitempty"`
	AgentID     int64      `json:"agent_id,omitempty"`
	QueueID     int64      `json:"queue_id,omitempty"`
	From        string     `json:"from"`
	To          string     `json:"to"`
	SIPCallID   string     `json:"sip_call_id"`
	StartedAt   time.Time  `json:"started_at"`
	RingingAt   *time.Time `json:"ringing_at,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	QueuedAt    *time.Time `json:"queued_at,omitempty"` // a hotline caller entered the queue (00042)
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	SIPStatus   int        `json:"sip_status"`
	Outcome     Outcome    `json:"outcome"`
	HangupSide  string     `json:"hangup_side,omitempty"`
	Disposition string     `json:"disposition,omitempty"`
	Note        string     `json:"note,omitempty"` // the agent's, with the disposition
	RecordingID int64      `json:"recording_id,omitempty"`
	Legs        []Leg      `json:"legs,omitempty"`
	// The script of a planned call, for the agent's screen (not stored with the call).
	ScriptID      int64 `json:"script_id,omitempty"`
	ScriptVersion int64 `json:"script_version,omitempty"`
}

// Leg is one SIP dialog of a call: the customer's, or one offered to an agent.
type Leg struct {
	ID         int64      `json:"id"`
	CallID     int64      `json:"call_id"`
	Kind       string     `json:"kind"`
	AgentID    int64      `json:"agent_id,omitempty"`
	From       string     `json:"from"`
	To         string     `json:"to"`
	SIPCallID  string     `json:"sip_call_id"`
	Codec      string     `json:"codec,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	RingingAt  *time.Time `json:"ringing_at,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	SIPStatus  int        `json:"sip_status"`
	Outcome    Outcome    `json:"outcome"`
	HangupSide string     `json:"hangup_side,omitempty"`
}

// CallFilter narrows a call log listing; zero fields do not filter.
type CallFilter struct {
	Direction string
	Outcome   Outcome
	AgentID   int64
	ParcelID  string
	SIPCallID string
	Since     time.Time
	Until     time.Time
	Limit     int
}

func ptrTime(t time.Time) *time.Time { return &t }
