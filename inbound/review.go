package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
)

// OutcomeDismissed is a review-queue message a person set aside (spam, nothing to do).
const OutcomeDismissed = "dismissed"

// Settle takes a message out of the brand's review queue: onto case number (reopened when it
// is resolved or closed: a person decided it belongs there), or set aside when number is "".
// actor is who decided, for the message's detail and the case log.
func (s *Service) Settle(ctx context.Context, scope access.Scope, actor string, id int64, number string) (Message, error) {
	var m Message
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id, COALESCE(brand_id, 0), channel, sender, subject, body, detail, outcome
		FROM inbound_messages WHERE id = ?`), id).Scan(&m.ID, &m.BrandID, &m.Channel, &m.Sender, &m.Subject, &m.Body, &m.Detail, &m.Outcome)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.AllowsBrand(m.BrandID)) {
		return Message{}, fmt.Errorf("inbound message %d: %w", id, cases.ErrNotFound)
	}
	if err != nil {
		return Message{}, fmt.Errorf("inbound message %d: %w", id, err)
	}
	if m.Outcome != OutcomeReview {
		return Message{}, input.Invalid(input.Errorf("id", "message %d is not in the review queue (it is %s)", id, m.Outcome))
	}
	number = strings.TrimSpace(number)
	if number == "" {
		m.Outcome, m.Detail = OutcomeDismissed, strings.TrimPrefix(m.Detail+"; dismissed by "+actor, "; ")
	} else {
		text := m.Body
		if m.Subject != "" {
			text = m.Subject + "\n\n" + m.Body
		}
		c, err := s.opts.Cases.LogCustomerMessage(ctx, m.BrandID, number, m.Sender, clip(text, cases.MaxNoteChars),
			map[string]any{"channel": m.Channel, "found_by": "review:" + actor}, true)
		if errors.Is(err, cases.ErrNotFound) {
			return Message{}, input.Invalid(input.Errorf("case", "the brand has no case %q", number))
		}
		if err != nil {
			return Message{}, err
		}
		m.CaseID, m.Outcome, m.Detail = c.ID, OutcomeCase, strings.TrimPrefix(m.Detail+"; put on "+number+" by "+actor, "; ")
	}
	var caseID any
	if m.CaseID != 0 {
		caseID = m.CaseID
	}
	res, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE inbound_messages SET outcome = ?, detail = ?, case_id = ? WHERE id = ? AND outcome = ?`),
		m.Outcome, m.Detail, caseID, id, OutcomeReview)
	if err != nil {
		return Message{}, fmt.Errorf("settle inbound message %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Message{}, fmt.Errorf("inbound message %d was settled meanwhile: %w", id, cases.ErrStale)
	}
	s.count.WithLabelValues(m.Channel, "review_"+m.Outcome).Inc()
	s.log.InfoContext(ctx, "inbound message settled from the review queue", "id", id, "outcome", m.Outcome, "case", number, "by", actor)
	return m, nil
}
