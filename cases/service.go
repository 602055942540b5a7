package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Outbox topics of the case tracker. Each message carries the brand, the case's main parcel
// as its item and a CaseChange payload; the communication rules react to them.
const (
	TopicCaseOpened        = "case.opened"
	TopicCaseStatusChanged = "case.status_changed"
	TopicCaseSLABreached   = "case.sla_breached"
	TopicCaseUpdated       = "case.updated" // contact, type or assignment changed (search indexes follow)
)

// CaseChange is the outbox payload of the case topics.
type CaseChange struct {
	Number         string     `json:"number"`
	Type           CaseType   `json:"type"`
	Status         CaseStatus `json:"status"`
	PreviousStatus CaseStatus `json:"previous_status,omitempty"`
	Priority       Priority   `json:"priority"`
	Source         Source     `json:"source"`
	Parcels        []string   `json:"parcels"`
	Timer          string     `json:"timer,omitempty"` // sla_breached: first_response or resolution
	Due            *time.Time `json:"due,omitempty"`
}

// Actor is who changes a case, for the log and the first-response clock.
type Actor struct {
	Label  string // "user:agent@demo.wismo", "brand:1", "post:2:GB", "rule", "system"
	UserID int64  // set for users
	System bool   // rules and jobs: their actions are not a response to the customer
}

// ActorOf names the caller of a request.
func ActorOf(p access.Principal) Actor {
	a := Actor{Label: p.Label}
	if p.User != nil {
		a.UserID = p.User.ID
	}
	return a
}

// CaseService is the case tracker: cases about parcels, their SLA timers, timeline, notes,
// attachments and escalations to partner posts.
type CaseService struct {
	db        *store.DB
	log       *slog.Logger
	now       func() time.Time
	publicURL string
	client    *http.Client
	backoff   func(attempt int) time.Duration

	mu      sync.RWMutex
	sources []TimelineSource
}

// NewCaseService returns the case tracker. publicURL is where partner posts reach wismo's API
// (escalation payloads carry the answer URL).
func NewCaseService(db *store.DB, log *slog.Logger, publicURL string) *CaseService {
	return &CaseService{db: db, log: log.With("domain", "cases"), now: func() time.Time { return time.Now().UTC() },
		publicURL: publicURL, client: &http.Client{Timeout: webhookTimeout}, backoff: webhookBackoff}
}

// SetClock replaces the clock (tests, the demo generator).
func (s *CaseService) SetClock(now func() time.Time) { s.now = now }

// AddTimelineSource adds a domain's entries (contacts, calls) to case and parcel timelines.
func (s *CaseService) AddTimelineSource(src TimelineSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, src)
}

// inTx runs fn in a write transaction, retrying when a concurrent writer won a race.
func (s *CaseService) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if err = s.db.WriteTx(ctx, fn); err == nil || !store.Retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return err
}

// Open opens a case about parcels visible to scope. Validation problems come back as a
// *input.ValidationError naming the fields.
func (s *CaseService) Open(ctx context.Context, scope access.Scope, actor Actor, in CaseInput) (*Case, error) {
	var c *Case
	err := s.inTx(ctx, func(tx store.Tx) error {
		var err error
		c, err = s.open(ctx, tx, s.now(), scope, actor, in, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open case: %w", err)
	}
	return c, nil
}

// open opens a case inside tx at now. cfgs, when not nil, caches brands' SLA configurations.
func (s *CaseService) open(ctx context.Context, tx store.Tx, now time.Time, scope access.Scope, actor Actor, in CaseInput, cfgs map[int64]SLAConfig) (*Case, error) {
	c, main, err := in.toCase(ctx, s.db, tx, scope)
	if err != nil {
		return nil, err
	}
	if c.AssigneeID != nil {
		if err := checkAssignee(ctx, s.db, tx, c.BrandID, *c.AssigneeID); err != nil {
			return nil, err
		}
	}
	cfg, ok := cfgs[c.BrandID]
	if !ok {
		if cfg, err = loadSLAConfig(ctx, s.db, tx, c.BrandID); err != nil {
			return nil, err
		}
		if cfgs != nil {
			cfgs[c.BrandID] = cfg
		}
	}
	c.Status, c.CreatedBy, c.CreatedAt, c.UpdatedAt = StatusNew, actor.Label, now, now
	c.OriginCountry, c.DestinationCountry, c.DestinationRegion = main.OriginCountry, main.DestinationCountry, main.Recipient.Region
	p := cfg.policy(c.Type)
	if due, ok := cfg.Calendar.Add(now, time.Duration(p.FirstResponseMinutes)*time.Minute); ok {
		c.SLA.FirstResponseDue = &due
	}
	if due, ok := cfg.Calendar.Add(now, time.Duration(p.ResolutionMinutes)*time.Minute); ok {
		c.SLA.ResolutionDue = &due
	}
	if c.Number, c.Seq, err = nextCaseNumber(ctx, s.db, tx, c.BrandID); err != nil {
		return nil, err
	}
	if err := insertCase(ctx, s.db, tx, c); err != nil {
		return nil, err
	}
	entries := []logEntry{{At: now, Kind: "created", Actor: actor.Label, Summary: fmt.Sprintf("case opened (%s, %s, from %s)", c.Type, c.Priority, c.Source),
		Data: map[string]any{"type": c.Type, "priority": c.Priority, "source": c.Source, "parcels": c.ParcelIDs}}}
	if in.Note != "" {
		entries = append(entries, logEntry{At: now, Kind: "note", Actor: actor.Label, Summary: in.Note})
	}
	if c.AssigneeID != nil {
		entries = append(entries, logEntry{At: now, Kind: "assigned", Actor: actor.Label, Summary: fmt.Sprintf("assigned to user %d", *c.AssigneeID),
			Data: map[string]any{"assignee_id": *c.AssigneeID, "queue": c.Queue}})
	}
	if err := insertLog(ctx, s.db, tx, c.ID, entries...); err != nil {
		return nil, err
	}
	return c, outbox.Write(ctx, s.db, tx, []outbox.Entry{caseMessage(TopicCaseOpened, c, "")}, now)
}

// caseMessage is the outbox entry announcing a change of c.
func caseMessage(topic string, c *Case, previous CaseStatus) outbox.Entry {
	return outbox.Entry{Topic: topic, BrandID: c.BrandID, ItemID: c.ParcelIDs[0], Payload: CaseChange{Number: c.Number,
		Type: c.Type, Status: c.Status, PreviousStatus: previous, Priority: c.Priority, Source: c.Source, Parcels: c.ParcelIDs}}
}

// OpenFromRule opens a case for a brand's trigger rule (source "rule", normal priority) and
// returns its number. Rules fire again on replays and on later events, so an open case of
// the same type about the parcel is returned instead of a second one.
func (s *CaseService) OpenFromRule(ctx context.Context, brandID int64, parcelID, caseType, note string) (string, error) {
	scope := access.Brands(brandID)
	id, err := tracking.ParseS10(parcelID)
	if err != nil {
		return "", fmt.Errorf("open case from rule: parcel %q: %w", parcelID, ErrNotFound)
	}
	var number string
	err = s.inTx(ctx, func(tx store.Tx) error {
		err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT c.number FROM cases c JOIN case_parcels cp ON cp.case_id = c.id
			WHERE cp.parcel_id = ? AND c.brand_id = ? AND c.type = ? AND c.status NOT IN ('resolved', 'closed')
			ORDER BY c.id LIMIT 1`), id, brandID, caseType).Scan(&number)
		if err == nil || !isNoRows(err) {
			return err
		}
		c, err := s.open(ctx, tx, s.now(), scope, Actor{Label: "rule", System: true}, CaseInput{Parcels: []string{id}, Type: caseType,
			Source: string(SourceRule), Note: note}, nil)
		if err != nil {
			return err
		}
		number = c.Number
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("open case from rule: %w", err)
	}
	return number, nil
}

// Case returns a case visible to scope with its SLA clocks evaluated now.
func (s *CaseService) Case(ctx context.Context, scope access.Scope, number string, brandID int64) (*Case, SLAView, error) {
	c, err := caseByNumber(ctx, s.db, s.db.SQL, scope, number, brandID, false)
	if err != nil {
		return nil, SLAView{}, err
	}
	cfg, err := loadSLAConfig(ctx, s.db, s.db.SQL, c.BrandID)
	if err != nil {
		return nil, SLAView{}, err
	}
	return c, slaView(c, cfg, s.now()), nil
}

// AllowedTransitions lists the statuses a case may move to with a status change.
func AllowedTransitions(st CaseStatus) []CaseStatus { return slices.Clone(transitions[st]) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
