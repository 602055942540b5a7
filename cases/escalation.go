package cases

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Escalation states.
const (
	EscalationPending   = "pending"   // the webhook has not been delivered yet (retrying)
	EscalationDelivered = "delivered" // the partner's endpoint acknowledged it
	EscalationFailed    = "failed"    // every attempt failed
	EscalationAnswered  = "answered"  // the partner answered through the API
)

// EscalationView is an escalation as the API returns it.
type EscalationView struct {
	ID          int64      `json:"id"`
	PostID      int64      `json:"post_id"`
	Country     string     `json:"country"`
	State       string     `json:"state"`
	Message     string     `json:"message,omitempty"`
	Attempts    int        `json:"attempts"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	Answer      string     `json:"answer,omitempty"`
}

// escalationPayload is the JSON a partner post receives. It names parcels and lanes, not the
// recipient: the post holds the item data already.
type escalationPayload struct {
	Type         string         `json:"type"`
	EscalationID int64          `json:"escalation_id"`
	AnswerURL    string         `json:"answer_url"`
	Case         payloadCase    `json:"case"`
	Parcels      []payloadItem  `json:"parcels"`
	Extra        map[string]any `json:"extra,omitempty"`
}

type payloadCase struct {
	Number   string    `json:"number"`
	BrandID  int64     `json:"brand_id"`
	Type     CaseType  `json:"type"`
	Priority Priority  `json:"priority"`
	Subject  string    `json:"subject,omitempty"`
	Message  string    `json:"message,omitempty"`
	OpenedAt time.Time `json:"opened_at"`
}

type payloadItem struct {
	ID                 string         `json:"id"`
	OriginCountry      string         `json:"origin_country"`
	DestinationCountry string         `json:"destination_country"`
	Phase              tracking.Phase `json:"phase"`
	LastEventAt        *time.Time     `json:"last_event_at,omitempty"`
}

// SetPostWebhook sets where a partner post receives escalations. A post's key sets its own;
// operators set any. An empty secret is generated. It returns the secret (shown once).
func (s *CaseService) SetPostWebhook(ctx context.Context, scope access.Scope, postID int64, rawURL, secret string) (string, error) {
	if id, _, isPost := scope.Post(); !scope.All() && (!isPost || id != postID) {
		return "", fmt.Errorf("webhook of post %d: %w", postID, ErrForbidden)
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(rawURL) > 2000 {
		return "", input.Invalid(input.Errorf("url", "must be an absolute http(s) URL"))
	}
	if secret == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		secret = hex.EncodeToString(b)
	}
	if len(secret) < 16 || len(secret) > 200 {
		return "", input.Invalid(input.Errorf("secret", "must be 16 to 200 characters"))
	}
	var n int
	if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM posts WHERE id = ?`), postID).Scan(&n); err != nil {
		return "", fmt.Errorf("webhook of post %d: %w", postID, err)
	}
	if n == 0 {
		return "", fmt.Errorf("post %d: %w", postID, ErrNotFound)
	}
	_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO post_webhooks (post_id, url, secret, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (post_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`),
		postID, u.String(), secret, s.now())
	if err != nil {
		return "", fmt.Errorf("webhook of post %d: %w", postID, err)
	}
	return secret, nil
}

// Escalate sends a case to the partner post of its main parcel's origin ("origin") or
// destination ("destination") country: the webhook goes out (retried until delivered) and
// the case waits in waiting_partner_post until the partner answers.
func (s *CaseService) Escalate(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, to, message string) (*Case, error) {
	message = strings.TrimSpace(message)
	if to != "origin" && to != "destination" {
		return nil, input.Invalid(input.Errorf("to", "must be origin or destination, got %q", to))
	}
	if fe := input.Text("message", message, MaxNoteChars); fe != nil {
		return nil, input.Invalid(fe)
	}
	return s.change(ctx, scope, number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		if !CanEscalate(c.Status) {
			return nil, nil, fmt.Errorf("a %s case cannot be escalated: %w", c.Status, ErrBadTransition)
		}
		country := c.OriginCountry
		if to == "destination" {
			country = c.DestinationCountry
		}
		var postID int64
		err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT p.id FROM posts p JOIN post_webhooks w ON w.post_id = p.id
			WHERE p.country = ? ORDER BY p.id LIMIT 1`), country).Scan(&postID)
		if isNoRows(err) {
			return nil, nil, fmt.Errorf("no post of %s receives escalations (set its webhook): %w", country, ErrNoPartner)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("find partner post: %w", err)
		}
		var escID int64
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO escalations (case_id, post_id, country, message, payload, state,
			next_attempt_at, actor, created_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?) RETURNING id`),
			c.ID, postID, country, message, EscalationPending, now, actor.Label, now).Scan(&escID); err != nil {
			return nil, nil, fmt.Errorf("insert escalation: %w", err)
		}
		body, err := s.payload(ctx, tx, c, escID, message)
		if err != nil {
			return nil, nil, err
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE escalations SET payload = ? WHERE id = ?`), string(body), escID); err != nil {
			return nil, nil, fmt.Errorf("store escalation payload: %w", err)
		}
		from := c.Status
		c.enter(StatusWaitingPartnerPost, "", cfg.Calendar, now)
		c.responded(actor, now)
		logs := []logEntry{
			{At: now, Kind: "escalated", Actor: actor.Label, Summary: fmt.Sprintf("escalated to the %s post (%s)", country, to),
				Data: map[string]any{"escalation_id": escID, "post_id": postID, "country": country, "message": message}},
			statusLog(actor, from, StatusWaitingPartnerPost, now, ""),
		}
		return logs, []outbox.Entry{caseMessage(TopicCaseStatusChanged, c, from)}, nil
	})
}

func (s *CaseService) payload(ctx context.Context, tx store.Tx, c *Case, escID int64, message string) ([]byte, error) {
	p := escalationPayload{Type: "case.escalated", EscalationID: escID,
		AnswerURL: fmt.Sprintf("%s/api/v1/escalations/%d/answer", s.publicURL, escID),
		Case: payloadCase{Number: c.Number, BrandID: c.BrandID, Type: c.Type, Priority: c.Priority, Subject: c.Subject,
			Message: message, OpenedAt: c.CreatedAt}}
	for _, id := range c.ParcelIDs {
		parcel, err := tracking.ReadParcel(ctx, s.db, tx, access.Operator(), id)
		if err != nil {
			return nil, err
		}
		p.Parcels = append(p.Parcels, payloadItem{ID: parcel.ID, OriginCountry: parcel.OriginCountry,
			DestinationCountry: parcel.DestinationCountry, Phase: parcel.Phase, LastEventAt: parcel.LastEventAt})
	}
	return json.Marshal(p)
}

// AnswerEscalation records a partner post's answer. Only the post the case was escalated to
// (or an operator) may answer; a case waiting for the partner is open again.
func (s *CaseService) AnswerEscalation(ctx context.Context, scope access.Scope, actor Actor, escID int64, message string) (*Case, error) {
	message = strings.TrimSpace(message)
	if message == "" {
		return nil, input.Invalid(input.Errorf("message", "is required"))
	}
	if fe := input.Text("message", message, MaxNoteChars); fe != nil {
		return nil, input.Invalid(fe)
	}
	var postID, brandID int64
	var number string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT e.post_id, c.brand_id, c.number FROM escalations e
		JOIN cases c ON c.id = e.case_id WHERE e.id = ?`), escID).Scan(&postID, &brandID, &number)
	if isNoRows(err) {
		return nil, fmt.Errorf("escalation %d: %w", escID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("escalation %d: %w", escID, err)
	}
	if id, _, isPost := scope.Post(); !scope.All() && (!isPost || id != postID) {
		return nil, fmt.Errorf("escalation %d: %w", escID, ErrNotFound) // not theirs: as if absent
	}
	return s.change(ctx, access.Operator(), number, brandID, func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE escalations SET state = ?, answered_at = ?, answer = ?, next_attempt_at = NULL
			WHERE id = ?`), EscalationAnswered, now, message, escID); err != nil {
			return nil, nil, fmt.Errorf("answer escalation: %w", err)
		}
		logs := []logEntry{{At: now, Kind: "partner_answer", Actor: actor.Label, Summary: "partner post answered: " + message,
			Data: map[string]any{"escalation_id": escID}}}
		var msgs []outbox.Entry
		if c.Status == StatusWaitingPartnerPost {
			c.enter(StatusOpen, "", cfg.Calendar, now)
			logs = append(logs, statusLog(actor, StatusWaitingPartnerPost, StatusOpen, now, " (partner answered)"))
			msgs = append(msgs, caseMessage(TopicCaseStatusChanged, c, StatusWaitingPartnerPost))
		}
		return logs, msgs, nil
	})
}

// escalations lists a case's escalations.
func (s *CaseService) escalations(ctx context.Context, caseID int64) ([]EscalationView, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, post_id, country, state, message, attempts, created_at,
		delivered_at, answered_at, answer FROM escalations WHERE case_id = ? ORDER BY id`), caseID)
	if err != nil {
		return nil, fmt.Errorf("escalations: %w", err)
	}
	defer rows.Close()
	var out []EscalationView
	for rows.Next() {
		var v EscalationView
		var delivered, answered sql.NullTime
		if err := rows.Scan(&v.ID, &v.PostID, &v.Country, &v.State, &v.Message, &v.Attempts, &v.CreatedAt, &delivered, &answered, &v.Answer); err != nil {
			return nil, err
		}
		v.CreatedAt, v.DeliveredAt, v.AnsweredAt = v.CreatedAt.UTC(), store.TimePtr(delivered), store.TimePtr(answered)
		out = append(out, v)
	}
	return out, rows.Err()
}
