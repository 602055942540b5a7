// Package inbound is customers writing back: SMS replies (over SMPP from the dialer's SMSC
// link, or POSTed by an HTTP SMS provider) and e-mail (package inbound/mail's SMTP listener)
// find their brand by the number or address written to, the customer and the parcel, and land
// on the parcel's open case, reopen a recent one or open a new one. STOP words opt out and
// are not cases; a message whose sender the brand does not know waits in a review queue.
//
// Every inbound message gets a row in inbound_messages with its outcome, a log line and a
// count in wismo_inbound_messages_total{channel,outcome}: none is dropped silently. The
// package owns inbound_settings, inbound_messages, inbound_sms_parts and inbound_sent_mail.
package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
)

// Outcomes of an inbound message, as inbound_messages.outcome and the counter's label say.
const (
	OutcomeCase             = "case"              // appended to the parcel's open case
	OutcomeCaseReopened     = "case_reopened"     // appended to a resolved or closed case, reopened
	OutcomeCaseOpened       = "case_opened"       // a new case (source sms or email)
	OutcomeOptOut           = "opt_out"           // STOP and the like: the number is opted out, no case
	OutcomeReview           = "review"            // the brand does not know the sender: the review queue
	OutcomeUnknownRecipient = "unknown_recipient" // written to a number or address no brand has
	OutcomeMalformed        = "malformed"         // unreadable (MIME) or over the limits: refused
	OutcomeTooLarge         = "too_large"         // over the size cap: refused
	OutcomeRateLimited      = "rate_limited"      // the sender wrote too often: refused for now
	OutcomeDuplicate        = "duplicate"         // the same Message-ID again: kept once
)

// NewCaseType is the type of a case a customer's message opens: most replies to a
// tracking message are about where the parcel is. Agents retype it.
const NewCaseType = cases.TypeNonReceipt

// Options are the inbound service's dependencies.
type Options struct {
	Dialer *dialer.Service // opt-outs (STOP)
	Cases  *cases.CaseService
	// SMSSecret is the HTTP SMS provider's shared secret: POST /api/v1/sms/inbound carries
	// X-Wismo-Signature made with it ("" turns the route off).
	SMSSecret string
	// MailRatePerHour is how many messages one sender address may send in an hour (20).
	MailRatePerHour int
	Registry        prometheus.Registerer
	Now             func() time.Time
}

// Service takes inbound messages to cases.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	opts     Options
	count    *prometheus.CounterVec
	attCount *prometheus.CounterVec

	settingsCache sync.Map // brand -> cachedSettings (Prepare)
}

// New returns the inbound service.
func New(db *store.DB, log *slog.Logger, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	s := &Service{db: db, log: log.With("domain", "inbound"), opts: opts,
		count: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_inbound_messages_total",
			Help: "Inbound SMS and e-mail by outcome (case, case_reopened, case_opened, opt_out, review, unknown_recipient, malformed, too_large, rate_limited, duplicate)."},
			[]string{"channel", "outcome"}),
		attCount: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_inbound_attachments_total",
			Help: "Attachments of inbound e-mail stored on cases or refused (size, type, count)."}, []string{"result"})}
	s.count = register(opts.Registry, s.count)
	s.attCount = register(opts.Registry, s.attCount)
	return s
}

func register(reg prometheus.Registerer, c *prometheus.CounterVec) *prometheus.CounterVec {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			return are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return c
}

func accessOf(brand int64) access.Scope { return access.Brands(brand) }

// Message is one inbound message as the service records it.
type Message struct {
	ID        int64     `json:"id"`
	BrandID   int64     `json:"brand_id"`
	Channel   string    `json:"channel"`
	Sender    string    `json:"sender"`
	Recipient string    `json:"recipient"`
	ParcelID  string    `json:"parcel_id,omitempty"`
	CaseID    int64     `json:"case_id,omitempty"`
	Outcome   string    `json:"outcome"`
	Detail    string    `json:"detail,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Body      string    `json:"body"`
	MessageID string    `json:"message_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// record stores m with its outcome, counts it and logs it (never the text).
func (s *Service) record(ctx context.Context, m *Message) error {
	m.CreatedAt = s.opts.Now()
	var brand, caseID any
	if m.BrandID != 0 {
		brand = m.BrandID
	}
	if m.CaseID != 0 {
		caseID = m.CaseID
	}
	var parcel any
	if m.ParcelID != "" {
		parcel = m.ParcelID
	}
	q := `INSERT INTO inbound_messages (brand_id, channel, sender, recipient, parcel_id, case_id, outcome, detail, subject, body, message_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(q), brand, m.Channel, m.Sender, m.Recipient, parcel, caseID, m.Outcome,
		m.Detail, m.Subject, m.Body, m.MessageID, m.CreatedAt).Scan(&m.ID)
	s.count.WithLabelValues(m.Channel, m.Outcome).Inc()
	lvl := slog.LevelInfo
	switch m.Outcome {
	case OutcomeReview, OutcomeUnknownRecipient, OutcomeMalformed, OutcomeTooLarge, OutcomeRateLimited:
		lvl = slog.LevelWarn
	}
	s.log.Log(ctx, lvl, "inbound message", "channel", m.Channel, "outcome", m.Outcome, "brand", m.BrandID, "case", m.CaseID,
		"parcel", m.ParcelID, "detail", m.Detail, "chars", len([]rune(m.Body)))
	if err != nil {
		return fmt.Errorf("record the inbound %s: %w", m.Channel, err)
	}
	return nil
}

// Review lists a brand's inbound messages that wait for a person (outcome review), newest
// first: senders the brand does not know.
func (s *Service) Review(ctx context.Context, scope access.Scope, brand int64, limit int) ([]Message, error) {
	if !scope.AllowsBrand(brand) {
		return nil, cases.ErrNotFound
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, brand_id, channel, sender, recipient, COALESCE(parcel_id, ''),
		COALESCE(case_id, 0), outcome, detail, subject, body, message_id, created_at FROM inbound_messages
		WHERE brand_id = ? AND outcome = ? ORDER BY id DESC LIMIT ?`), brand, OutcomeReview, limit)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.BrandID, &m.Channel, &m.Sender, &m.Recipient, &m.ParcelID, &m.CaseID, &m.Outcome,
			&m.Detail, &m.Subject, &m.Body, &m.MessageID, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// caseRef is a case a message may go on.
type caseRef struct {
	id             int64
	number, status string
	parcel         string
	updated        time.Time
}

// parcelCase is the brand's case about parcel a customer's message goes on: its open case,
// else its latest. Zero when it has none.
func (s *Service) parcelCase(ctx context.Context, brand int64, parcel string) (caseRef, error) {
	return s.oneCase(ctx, `SELECT c.id, c.number, c.status, c.parcel_id, c.updated_at FROM case_parcels cp
		JOIN cases c ON c.id = cp.case_id WHERE cp.parcel_id = ? AND c.brand_id = ? AND c.merged_into IS NULL
		ORDER BY CASE WHEN c.status IN ('resolved', 'closed') THEN 1 ELSE 0 END, c.id DESC LIMIT 1`, parcel, brand)
}

// oneCase reads one caseRef (zero when the query finds none). A merged case stands for the
// case it was merged into.
func (s *Service) oneCase(ctx context.Context, q string, args ...any) (caseRef, error) {
	var c caseRef
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(q), args...).Scan(&c.id, &c.number, &c.status, &c.parcel, &c.updated)
	if errors.Is(err, sql.ErrNoRows) {
		return caseRef{}, nil
	}
	if err != nil {
		return caseRef{}, fmt.Errorf("the message's case: %w", err)
	}
	return c, nil
}

// toCase puts a customer's message on the brand's case: known (found by the thread), else
// the parcel's open case, else its latest resolved or closed one reopened when it changed
// within the brand's reopen_days, else a new case about the parcel (source src). It sets
// m's case and outcome.
func (s *Service) toCase(ctx context.Context, m *Message, src cases.Source, reopenDays int, data map[string]any, known caseRef) error {
	c := known
	if c.id == 0 {
		var err error
		if c, err = s.parcelCase(ctx, m.BrandID, m.ParcelID); err != nil {
			return err
		}
	}
	closed := c.status == string(cases.StatusResolved) || c.status == string(cases.StatusClosed)
	text := m.Body
	if m.Subject != "" {
		text = m.Subject + "\n\n" + m.Body
	}
	text = clip(text, cases.MaxNoteChars)
	if data == nil {
		data = map[string]any{}
	}
	data["channel"] = m.Channel
	if c.id != 0 && (!closed || s.opts.Now().Sub(c.updated) <= time.Duration(reopenDays)*24*time.Hour) {
		if _, err := s.opts.Cases.LogCustomerMessage(ctx, m.BrandID, c.number, m.Sender, text, data, closed); err != nil {
			return err
		}
		m.CaseID, m.Outcome = c.id, OutcomeCase
		if closed {
			m.Outcome = OutcomeCaseReopened
		}
		return nil
	}
	if m.ParcelID == "" {
		m.ParcelID = c.parcel
	}
	if c.id != 0 {
		data["follows"] = c.number // a reply to a case closed long ago opens a new one
	}
	nc, err := s.opts.Cases.Open(ctx, access.Brands(m.BrandID), cases.Actor{Label: "customer:" + m.Sender, System: true},
		cases.CaseInput{Parcels: []string{m.ParcelID}, Type: string(NewCaseType), Source: string(src)})
	if err != nil {
		return err
	}
	if _, err := s.opts.Cases.LogCustomerMessage(ctx, m.BrandID, nc.Number, m.Sender, text, data, false); err != nil {
		return err
	}
	m.CaseID, m.Outcome = nc.ID, OutcomeCaseOpened
	return nil
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return strings.TrimSpace(s)
}
