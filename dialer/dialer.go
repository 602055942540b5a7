// Package dialer decides who is contacted next and makes it happen: contacts planned by the
// brands' rules become rows with a due time in UTC, computed from the recipient's IANA zone
// and the brand's windows per channel and weekday; a scheduler claims due rows (FOR UPDATE
// SKIP LOCKED on PostgreSQL, so several wismo nodes share the work) and sends them through a
// channel: SMS over SMPP 3.4 (written in-house, package dialer/smpp) or an HTTP provider,
// email over SMTP, or the log-only channel by default. Calls are planned and claimed the
// same way and handed to the telephony engine through CallPlacer; campaigns group them under
// the call-attempt algorithm.
//
// A message is never sent twice: it is marked `sending` before it goes out and `sent` with
// the provider's id after; a crash in between leaves it `unknown`, listed for review and
// never resent blindly (SMPP and SMTP have no idempotency key: at-most-once is on offer,
// exactly-once is not).
package dialer

import (
	"errors"
	"time"

	"github.com/wismo/wismo/dialer/attempts"
)

// Channel is how a contact reaches its recipient.
type Channel string

// The channels.
const (
	SMS   Channel = "sms"
	Email Channel = "email"
	Call  Channel = "call"
)

// ParseChannel validates a channel name.
func ParseChannel(s string) (Channel, error) {
	switch c := Channel(s); c {
	case SMS, Email, Call:
		return c, nil
	}
	return "", errors.New("channel must be sms, email or call")
}

// Status is where a contact is in its life.
type Status string

// The statuses. planned -> sending -> sent -> delivered|failed for messages;
// planned -> calling -> planned (retry) ... -> done|exhausted for call sequences.
const (
	StatusPlanned    Status = "planned"    // waiting for its due time
	StatusSuppressed Status = "suppressed" // never sent: opted out, or no address
	StatusSending    Status = "sending"    // claimed and going out now
	StatusCalling    Status = "calling"    // an attempt handed to the telephony engine
	StatusSent       Status = "sent"       // accepted by the provider, with its id
	StatusDelivered  Status = "delivered"  // a receipt said it arrived
	StatusFailed     Status = "failed"     // refused, undeliverable, or out of retries
	StatusUnknown    Status = "unknown"    // a crash hid whether it went out: review, never resend
	StatusDone       Status = "done"       // a call sequence ended by its disposition
	StatusExhausted  Status = "exhausted"  // a call sequence ran out of attempts
	StatusCancelled  Status = "cancelled"  // its campaign stopped, or a person cancelled it
)

// Sentinel errors of the domain, mapped at the edges.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = attempts.ErrInvalid
	ErrForbidden = errors.New("not allowed for this account")
	ErrConflict  = errors.New("conflict")
)

// Request asks to plan one contact. Scripts fills it from a rule that matched: the text is
// rendered already, with the template or script version it came from.
type Request struct {
	BrandID    int64
	ParcelID   string
	Channel    Channel
	To         string // E.164 phone or email address; empty suppresses the contact
	TimeZone   string // the recipient's IANA zone
	Language   string
	RuleID     int64
	TriggerRef string // what fired the rule (an outbox message); with RuleID, plans at most once
	CampaignID int64  // calls

	TemplateID, TemplateVersion int64
	ScriptID, ScriptVersion     int64
	Subject, Body, HTML         string

	// NotBefore is the earliest wanted time (the event plus the rule's delay); the contact
	// is due at the first moment of the recipient's window after it.
	NotBefore time.Time
}

// Contact is a planned, sent or finished contact as the API shows it.
type Contact struct {
	ID              int64      `json:"id"`
	ParcelID        string     `json:"parcel_id"`
	Channel         Channel    `json:"channel"`
	Status          Status     `json:"status"`
	Recipient       string     `json:"recipient"`
	TimeZone        string     `json:"time_zone"`
	RuleID          int64      `json:"rule_id,omitempty"`
	CampaignID      int64      `json:"campaign_id,omitempty"`
	TemplateID      int64      `json:"template_id,omitempty"`
	TemplateVersion int64      `json:"template_version,omitempty"`
	ScriptID        int64      `json:"script_id,omitempty"`
	ScriptVersion   int64      `json:"script_version,omitempty"`
	Subject         string     `json:"subject,omitempty"`
	Body            string     `json:"body,omitempty"`
	Encoding        string     `json:"encoding,omitempty"`
	Parts           int        `json:"parts,omitempty"`
	PlannedAt       time.Time  `json:"planned_at"`
	NotBefore       time.Time  `json:"not_before"`
	DueAt           time.Time  `json:"due_at"`
	DueLocal        string     `json:"due_local"`
	Attempts        int        `json:"attempts"`
	Provider        string     `json:"provider,omitempty"`
	ProviderID      string     `json:"provider_id,omitempty"`
	Outcome         string     `json:"outcome,omitempty"`
	Disposition     string     `json:"disposition,omitempty"`
	Detail          string     `json:"detail,omitempty"`
	DoneAt          *time.Time `json:"done_at,omitempty"`
	Log             []LogEntry `json:"log"`
}

// LogEntry is one step of a contact: each try with its result, each receipt.
type LogEntry struct {
	At         time.Time `json:"at"`
	Try        int       `json:"try,omitempty"`
	Kind       string    `json:"kind"`
	Detail     string    `json:"detail,omitempty"`
	ProviderID string    `json:"provider_id,omitempty"`
	Actor      string    `json:"actor,omitempty"`
}
