// Package cases is the case tracker: a customer's query about one or more parcels, with its
// status, priority, queue and assignee, SLA timers on brand calendars, escalation to the
// partner post by signed webhooks, attachments, and a timeline that joins the case log with
// the parcels' tracking events and the entries of other domains (TimelineSource).
//
// It owns the tables cases, case_counters, case_log, case_parcels, case_attachments,
// escalations, post_webhooks, webhook_attempts, sla_policies and business_calendars, and
// writes the outbox topics case.opened, case.status_changed, case.sla_breached and
// case.updated in the transaction that changes them. It reads parcels and their events only
// through tracking (ReadParcel, AttachedEvents, inside its own transaction), and access's
// reference tables brands, users, user_brands and posts; only access writes those.
package cases

import (
	"errors"
	"slices"
	"time"

	"github.com/wismo/wismo/tracking"
)

// Sentinel errors of the case tracker, mapped to statuses at the HTTP edge.
var (
	ErrBadTransition    = errors.New("status change not allowed")
	ErrAmbiguous        = errors.New("ambiguous")
	ErrNoPartner        = errors.New("no partner post to escalate to")
	ErrAttachmentTooBig = errors.New("attachment too large")
	ErrAttachmentType   = errors.New("attachment type not allowed")
	// ErrStale is a change made on an older version of a case than the stored one: someone
	// else changed the case since the caller read it (optimistic locking; see IfVersion).
	ErrStale = errors.New("the case was changed by someone else since you read it")
	// ErrNotFound and ErrForbidden are tracking's values: a case and a parcel that are not
	// found (or not the caller's) answer alike, with one errors.Is.
	ErrNotFound  = tracking.ErrNotFound
	ErrForbidden = tracking.ErrForbidden
)

// CaseType is what a customer's query is about.
type CaseType string

// The case types.
const (
	TypeNonReceipt           CaseType = "non_receipt_or_delay"
	TypeDamage               CaseType = "damage"
	TypeMissingContents      CaseType = "missing_contents"
	TypeDeliveredNotReceived CaseType = "delivered_not_received"
	TypeCustoms              CaseType = "customs_and_duties"
	TypeDeliveryChange       CaseType = "delivery_change"
	TypeReturn               CaseType = "return_request"
	TypeComplaint            CaseType = "complaint"
	TypeFeedback             CaseType = "feedback"
)

// CaseTypes lists every case type.
var CaseTypes = []CaseType{TypeNonReceipt, TypeDamage, TypeMissingContents, TypeDeliveredNotReceived, TypeCustoms,
	TypeDeliveryChange, TypeReturn, TypeComplaint, TypeFeedback}

// CaseStatus is where a case is in its life.
type CaseStatus string

// The statuses.
const (
	StatusNew                CaseStatus = "new"
	StatusOpen               CaseStatus = "open"
	StatusWaitingCustomer    CaseStatus = "waiting_customer"
	StatusWaitingPartnerPost CaseStatus = "waiting_partner_post"
	StatusResolved           CaseStatus = "resolved"
	StatusClosed             CaseStatus = "closed"
)

// CaseStatuses lists every status.
var CaseStatuses = []CaseStatus{StatusNew, StatusOpen, StatusWaitingCustomer, StatusWaitingPartnerPost, StatusResolved, StatusClosed}

// transitions is the state machine of PATCH status changes. waiting_partner_post is entered
// only by escalating (and left when the partner answers, or by an agent); closed is left only
// by an explicit reopen.
var transitions = map[CaseStatus][]CaseStatus{
	StatusNew:                {StatusOpen, StatusWaitingCustomer, StatusResolved},
	StatusOpen:               {StatusWaitingCustomer, StatusResolved},
	StatusWaitingCustomer:    {StatusOpen, StatusResolved},
	StatusWaitingPartnerPost: {StatusOpen, StatusResolved},
	StatusResolved:           {StatusClosed, StatusOpen},
	StatusClosed:             nil,
}

// CanTransition reports whether a status change from one status to another is allowed.
func CanTransition(from, to CaseStatus) bool { return slices.Contains(transitions[from], to) }

// CanEscalate reports whether a case in status st may be escalated to a partner post.
func CanEscalate(st CaseStatus) bool {
	return st == StatusNew || st == StatusOpen || st == StatusWaitingCustomer
}

// IsOpen reports whether a case in status st still needs work.
func (st CaseStatus) IsOpen() bool { return st != StatusResolved && st != StatusClosed }

// Priority orders agents' work.
type Priority string

// The priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Rank orders priorities as numbers: low 0, normal 1, high 2, urgent 3 (the views sort by it).
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 0
	case PriorityHigh:
		return 2
	case PriorityUrgent:
		return 3
	}
	return 1
}

// Priorities lists every priority.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Source is how a case came in. "rule" is a brand's trigger rule (OpenFromRule).
type Source string

// The sources.
const (
	SourceCall         Source = "call"
	SourceFeedbackForm Source = "feedback_form"
	SourceEmail        Source = "email"
	SourcePartnerPost  Source = "partner_post"
	SourceAgent        Source = "agent"
	SourceRule         Source = "rule"
	SourceSMS          Source = "sms" // a customer's SMS reply (package inbound)
)

// Sources lists every source.
var Sources = []Source{SourceCall, SourceFeedbackForm, SourceEmail, SourcePartnerPost, SourceAgent, SourceRule, SourceSMS}

// ResolutionCodes are the outcomes a resolved case records.
var ResolutionCodes = []string{"delivered", "redelivery_arranged", "returned_to_sender", "refund_issued",
	"compensation_paid", "duties_explained", "address_changed", "information_given", "partner_investigation_closed",
	"no_fault_found", "duplicate", "customer_unreachable"}

// Contact is the person the case is with (often, not always, the recipient).
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Case is a customer's query about one or more parcels.
type Case struct {
	ID                 int64
	BrandID            int64
	Number             string
	Seq                int64
	ParcelIDs          []string // the first is the case's main parcel
	Type               CaseType
	Priority           Priority
	Status             CaseStatus
	Source             Source
	Subject            string
	OriginCountry      string
	DestinationCountry string
	DestinationRegion  string // the main parcel's recipient region (ISO 3166-2)
	Contact            Contact
	AssigneeID         *int64
	Queue              string
	ResolutionCode     string
	CreatedBy          string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	FirstResponseAt    *time.Time
	ResolvedAt         *time.Time
	ClosedAt           *time.Time
	SLA                slaState
	// Version counts the case's changes (optimistic locking: the API's ETag, the page's forms).
	Version int64
	// MergedInto is the case this one was merged into as a duplicate (nil: not merged).
	MergedInto *int64
}

// slaState is what a case stores of its SLA: due times and when breaches were marked.
type slaState struct {
	FirstResponseDue        *time.Time
	ResolutionDue           *time.Time
	PausedAt                *time.Time
	FirstResponseBreachedAt *time.Time
	ResolutionBreachedAt    *time.Time
}
