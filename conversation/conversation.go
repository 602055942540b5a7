// Package conversation is a case's conversation with its customer: the replies agents send
// from the case page, each a dialer contact linked to the case. A reply is rendered from one
// of the brand's templates (package scripts) for the case's parcel and planned through the
// dialer (package dialer), so the recipient's contact window and opt-outs apply: outside the
// window it waits, planned for the window's next opening, and shows so on the case timeline
// (the dialer's timeline source) with its delivery status as it moves on.
//
// It owns the table case_conversation (case_id, contact_id, direction, channel, actor,
// created_at). E-mail replies carry the case token in their subject; package inbound adds
// the brand's Reply-To and the thread's In-Reply-To/References when they go out, and puts
// what the customer writes back on the case (case_log "message_in").
package conversation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Directions of a conversation's messages.
const (
	Out = "out"
	In  = "in"
)

// Service sends replies and reads conversations.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	dialer   *dialer.Service
	scripts  *scripts.Service
	cases    *cases.CaseService
	tracking *tracking.Service
	now      func() time.Time
}

// New returns the conversation service.
func New(db *store.DB, log *slog.Logger, dl *dialer.Service, sc *scripts.Service, cs *cases.CaseService, tr *tracking.Service) *Service {
	return &Service{db: db, log: log.With("domain", "conversation"), dialer: dl, scripts: sc, cases: cs, tracking: tr,
		now: func() time.Time { return time.Now().UTC() }}
}

// Template is a brand template an agent may reply with.
type Template struct {
	ID            int64
	Name, Channel string
}

// ReplyTemplates lists the brand's SMS and email templates.
func (s *Service) ReplyTemplates(ctx context.Context, brand int64) ([]Template, error) {
	ts, err := s.scripts.Templates(ctx, brand)
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, t := range ts {
		if t.Channel == "sms" || t.Channel == "email" {
			out = append(out, Template{ID: t.ID, Name: t.Name + " · " + t.Language, Channel: t.Channel})
		}
	}
	return out, nil
}

// Reply sends the customer of case c the brand template templateID, rendered for the case's
// main parcel, by channel ("" takes the template's): to the case's contact, else the
// parcel's recipient. The case logs the reply first (so a stale case page sends nothing);
// the contact is planned with the recipient's window and linked in case_conversation.
func (s *Service) Reply(ctx context.Context, scope access.Scope, actor cases.Actor, c *cases.Case, channel string, templateID int64) error {
	t, err := s.scripts.Template(ctx, c.BrandID, templateID, 0)
	if errors.Is(err, scripts.ErrNotFound) || (err == nil && t.BrandID != c.BrandID) {
		return input.Invalid(input.Errorf("template", "pick one of the brand's templates"))
	}
	if err != nil {
		return err
	}
	if channel == "" {
		channel = t.Channel
	}
	if channel != t.Channel {
		return input.Invalid(input.Errorf("template", "%q is an %s template: pick an %s one or change the channel", t.Name, t.Channel, channel))
	}
	parcel, err := s.tracking.Parcel(ctx, scope, c.ParcelIDs[0])
	if err != nil {
		return err
	}
	r, err := s.scripts.Preview(ctx, scope, c.BrandID, channel, t.Content, parcel.ID)
	if err != nil {
		return input.Invalid(input.Errorf("template", "%q cannot be written for this parcel: %v", t.Name, err))
	}
	to := c.Contact.Phone
	if channel == "email" {
		to = c.Contact.Email
	}
	if to == "" && channel == "email" {
		to = parcel.Recipient.Email
	} else if to == "" {
		to = parcel.Recipient.Phone
	}
	if to == "" {
		return input.Invalid(input.Errorf("channel", "the customer has no %s address", channel))
	}
	if _, err := s.cases.LogReply(ctx, scope, actor, c.Number, c.BrandID, fmt.Sprintf("reply by %s to %s (template %s)", channel, to, t.Name),
		map[string]any{"channel": channel, "to": to, "template_id": t.ID}); err != nil {
		return err
	}
	ref := "case-reply:" + c.Number + ":" + token()
	req := dialer.Request{BrandID: c.BrandID, ParcelID: parcel.ID, Channel: dialer.Channel(channel), To: to,
		TimeZone: parcel.Recipient.TimeZone, Language: parcel.Recipient.Language, TriggerRef: ref,
		TemplateID: t.ID, TemplateVersion: int64(t.Version), Subject: WithCaseToken(r.Subject, c.Number), Body: r.Text, HTML: r.HTML}
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		if err := s.dialer.Plan(ctx, tx, []dialer.Request{req}); err != nil {
			return err
		}
		id, err := s.dialer.PlannedID(ctx, tx, c.BrandID, ref)
		if err != nil {
			return fmt.Errorf("the planned reply: %w", err)
		}
		return Link(ctx, s.db, tx, c.ID, id, Out, channel, actor.Label, s.now())
	})
	if err != nil {
		return fmt.Errorf("reply to case %s: %w", c.Number, err)
	}
	return nil
}

// Link records contact as a message of case caseID's conversation, in tx (a reply, or
// package inbound's acknowledgement of a customer's e-mail).
func Link(ctx context.Context, db *store.DB, tx store.Tx, caseID, contact int64, direction, channel, actor string, at time.Time) error {
	_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO case_conversation (case_id, contact_id, direction, channel, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), caseID, contact, direction, channel, actor, at)
	return err
}

// WithCaseToken adds the case token "[MM-000123]" to an e-mail subject that lacks it: the
// customer's answer finds its case by it (package inbound) even when their mail program
// drops In-Reply-To.
func WithCaseToken(subject, number string) string {
	if number == "" || strings.Contains(subject, "["+number+"]") {
		return subject
	}
	return strings.TrimSpace(subject + " [" + number + "]")
}

// Message is one message of a case's conversation.
type Message struct {
	ContactID          int64
	Direction, Channel string
	Actor              string
	At                 time.Time
}

// Messages lists case id's conversation, oldest first.
func (s *Service) Messages(ctx context.Context, caseID int64) ([]Message, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT contact_id, direction, channel, actor, created_at FROM case_conversation
		WHERE case_id = ? ORDER BY created_at, id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("conversation: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ContactID, &m.Direction, &m.Channel, &m.Actor, &m.At); err != nil {
			return nil, err
		}
		m.At = m.At.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

func token() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	return hex.EncodeToString(b)
}
