// Package scripts is what brands say to their customers and when: SMS and email templates,
// call scripts for agents, and trigger rules whose conditions (github.com/expr-lang/expr)
// decide which tracking events, phase changes, call outcomes and case changes plan which
// contact. Templates and scripts are versioned — publishing adds a version, and a planned
// contact keeps the version it was rendered from — and every new brand starts from the
// standard flow wismo ships (standard.go), which it may edit.
//
// The rules consume the outbox (topics tracking.event, call.outcome and the case topics)
// and plan contacts through the dialer in the same transaction as the consumer's cursor, so
// each piece of news plans its contacts exactly once. Only fresh news contacts anyone: an
// event older than the brand's limit (24 hours by default), or older than the parcel's
// latest event, stays silent, so a backfill import or a late out-of-order scan never
// messages a customer.
package scripts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// Sentinel errors, mapped to statuses at the edge.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
	ErrConflict = errors.New("conflict")
)

// Problem is one thing wrong with what a brand manager saved: the field, the line in it
// (1-based, 0 when the field has no lines) and what is wrong.
type Problem struct {
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	// Key and Args say Message in the catalog's words (i18n key and its placeholders), for
	// pages in the reader's language: Problem.Text.
	Key   string            `json:"key,omitempty"`
	Args  map[string]string `json:"args,omitempty"`
	cause error             // what failed, when it was an error: a *BudgetError, for one
}

// Problems are a failed validation; it wraps ErrInvalid.
type Problems []Problem

func (p Problems) Error() string {
	parts := make([]string, len(p))
	for i, x := range p {
		parts[i] = x.Field
		if x.Line > 0 {
			parts[i] += fmt.Sprintf(" line %d", x.Line)
		}
		parts[i] += ": " + x.Message
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// ProblemList is the list the HTTP edge answers beside "error" in a 422 (apierr).
func (p Problems) ProblemList() any { return p }

// Unwrap makes errors.Is(p, ErrInvalid) hold, and errors.Is(p, ErrBudget) when a program
// ran out of its budget.
func (p Problems) Unwrap() []error {
	out := []error{ErrInvalid}
	for _, x := range p {
		if x.cause != nil {
			out = append(out, x.cause)
		}
	}
	return out
}

// Planner is the dialer as the rules use it: plan contacts inside the rules' transaction,
// read a parcel's contacts so far, create the standard flow's campaign and claim its
// install, read a campaign's call script, and keep the rule settings (columns of the
// dialer's comms_settings).
type Planner interface {
	Plan(ctx context.Context, tx store.Tx, reqs []dialer.Request) error
	History(ctx context.Context, tx store.Tx, parcelID string) ([]dialer.Past, error)
	CreateCampaign(ctx context.Context, tx store.Tx, brand int64, c dialer.Campaign) (int64, error)
	ClaimStandardFlow(ctx context.Context, tx store.Tx, brand int64, now time.Time) (first bool, err error)
	BrandsWithoutStandardFlow(ctx context.Context) ([]int64, error)
	CampaignScript(ctx context.Context, q store.Tx, brand, campaignID int64) (scriptID int64, err error)
	RuleSettings(ctx context.Context, q store.Tx, brand int64) (freshLimit time.Duration, language string, err error)
	SetRuleSettings(ctx context.Context, brand int64, freshLimit time.Duration, language string, now time.Time) error
}

// ParcelReader reads a parcel with its events (tracking.Service).
type ParcelReader interface {
	Parcel(ctx context.Context, scope access.Scope, id string) (tracking.ParcelView, error)
}

// CaseOpener opens a case for the rule action "open a case" (the cases domain implements it).
type CaseOpener interface {
	OpenFromRule(ctx context.Context, brandID int64, parcelID, caseType, note string) (caseNumber string, err error)
}

// BrandReader names brands for templates (access.Service).
type BrandReader interface {
	Brand(ctx context.Context, id int64) (access.Brand, error)
}

// Options are the services the rules work with. Cases may be nil: "open a case" actions
// then wait, pending, until a case tracker is wired.
type Options struct {
	PublicURL string // base of tracking links: PublicURL/track/{id}
	Planner   Planner
	Parcels   ParcelReader
	Cases     CaseOpener
	Brands    BrandReader
	Words     *trackwords.Cache // brands' overrides of the customer words (nil: the catalog's)
	Now       func() time.Time
	// Outbox is how the rules' consumer treats news it cannot handle (the zero Policy:
	// outbox.DefaultMaxAttempts, no metrics).
	Outbox outbox.Policy
}

// Service keeps templates, scripts and rules, and runs the rules.
type Service struct {
	db   *store.DB
	log  *slog.Logger
	opts Options
	now  func() time.Time

	mu       sync.Mutex
	compiled map[ruleKey]*compiledRule // by rule id and update time
	names    map[int64]string          // brand names
	flows    map[int64]bool            // brands whose standard flow is known installed
	tpls     map[tplKey][]compiled     // parsed template versions
}

// tplKey is a template version; versions never change, so their parse is kept.
type tplKey struct {
	id      int64
	version int
}

// New returns the scripts service.
func New(db *store.DB, log *slog.Logger, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Service{db: db, log: log.With("domain", "scripts"), opts: opts, compiled: map[ruleKey]*compiledRule{},
		names: map[int64]string{}, flows: map[int64]bool{}, tpls: map[tplKey][]compiled{}}
	s.now = func() time.Time { return opts.Now().UTC().Truncate(time.Microsecond) }
	return s
}

// trackingLink is the public tracking page of a parcel.
func (s *Service) trackingLink(id string) string {
	return strings.TrimSuffix(s.opts.PublicURL, "/") + "/track/" + id
}

// brandName returns a brand's name, cached: names rarely change.
func (s *Service) brandName(ctx context.Context, id int64) string {
	s.mu.Lock()
	n, ok := s.names[id]
	s.mu.Unlock()
	if ok || s.opts.Brands == nil {
		return n
	}
	b, err := s.opts.Brands.Brand(ctx, id)
	if err != nil {
		return ""
	}
	s.mu.Lock()
	s.names[id] = b.Name
	s.mu.Unlock()
	return b.Name
}
