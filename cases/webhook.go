package cases

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
)

// Webhook delivery: an escalation's JSON goes to the partner post's URL, signed, until the
// endpoint answers 2xx. Each attempt is a row in webhook_attempts; failures are retried with
// exponential backoff up to maxWebhookAttempts, then the escalation is marked failed.
const (
	webhookTimeout     = 10 * time.Second
	webhookLease       = 2 * webhookTimeout // a claimed escalation is another node's again after this
	maxWebhookAttempts = 8
	webhookBatch       = 10

	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
	SignatureHeader = "X-Wismo-Signature"
)

// webhookBackoff is the wait after the attempt-th failed attempt: 30 s, 1 min, 2 min, ...,
// at most an hour.
func webhookBackoff(attempt int) time.Duration {
	d := 30 * time.Second << min(attempt-1, 10)
	return min(d, time.Hour)
}

// SetWebhookBackoff replaces the retry schedule (tests).
func (s *CaseService) SetWebhookBackoff(f func(attempt int) time.Duration) { s.backoff = f }

// SignWebhook returns the signature header value for body sent at ts with secret. Signing the
// timestamp with the body lets receivers refuse replays of old deliveries.
func SignWebhook(secret string, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook checks a signature header against body and secret, and that it was made
// within tolerance of now. Partner posts do the same on their side.
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts int64
	var sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts, _ = strconv.ParseInt(v, 10, 64)
		case "v1":
			sig = v
		}
	}
	if ts == 0 || sig == "" {
		return errors.New("malformed signature header")
	}
	at := time.Unix(ts, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature time %s is too far from now", at.UTC())
	}
	want := SignWebhook(secret, at, body)
	if !hmac.Equal([]byte(want), []byte("t="+strconv.FormatInt(ts, 10)+",v1="+sig)) {
		return errors.New("signature does not match")
	}
	return nil
}

// delivery is a claimed escalation to send.
type delivery struct {
	id, caseID  int64
	attempt     int
	url, secret string
	country     string
	payload     []byte
}

// claimDeliveries leases due escalations so that one node sends each.
func (s *CaseService) claimDeliveries(ctx context.Context, now time.Time) ([]delivery, error) {
	// A read first: most runs find nothing due, and a write transaction would take SQLite's
	// one write lock away from ingest every time.
	var due int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM escalations WHERE state = ? AND next_attempt_at <= ?`),
		EscalationPending, now).Scan(&due)
	if err != nil || due == 0 {
		return nil, err
	}
	var out []delivery
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		q := `SELECT e.id, e.case_id, e.attempts, w.url, w.secret, e.country, e.payload FROM escalations e
			JOIN post_webhooks w ON w.post_id = e.post_id
			WHERE e.state = ? AND e.next_attempt_at <= ? AND (e.lease_until IS NULL OR e.lease_until < ?)
			ORDER BY e.next_attempt_at, e.id LIMIT ?`
		if s.db.Dialect == store.Postgres {
			q += ` FOR UPDATE OF e SKIP LOCKED`
		}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(q), EscalationPending, now, now, webhookBatch)
		if err != nil {
			return fmt.Errorf("claim webhooks: %w", err)
		}
		for rows.Next() {
			var d delivery
			var payload string
			if err := rows.Scan(&d.id, &d.caseID, &d.attempt, &d.url, &d.secret, &d.country, &payload); err != nil {
				rows.Close()
				return err
			}
			d.attempt++
			d.payload = []byte(payload)
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE escalations SET lease_until = ? WHERE id = ?`), now.Add(webhookLease), d.id); err != nil {
				return fmt.Errorf("claim webhooks: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// DeliverDue sends every escalation webhook that is due and records each attempt. It returns
// how many attempts it made.
func (s *CaseService) DeliverDue(ctx context.Context) (int, error) {
	ds, err := s.claimDeliveries(ctx, s.now())
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		status, respBody, took, sendErr := s.send(ctx, d)
		if err := s.recordAttempt(ctx, d, status, respBody, took, sendErr); err != nil {
			return 0, err
		}
	}
	return len(ds), nil
}

func (s *CaseService) send(ctx context.Context, d delivery) (int, string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.payload))
	if err != nil {
		return 0, "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "wismo-webhooks/1")
	req.Header.Set("X-Wismo-Event", "case.escalated")
	req.Header.Set("X-Wismo-Escalation", strconv.FormatInt(d.id, 10))
	req.Header.Set("X-Wismo-Attempt", strconv.Itoa(d.attempt))
	req.Header.Set(SignatureHeader, SignWebhook(d.secret, time.Now(), d.payload))
	start := time.Now()
	resp, err := s.client.Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, "", took, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	return resp.StatusCode, string(body), took, nil
}

// recordAttempt logs an attempt and schedules the next one, or settles the escalation.
func (s *CaseService) recordAttempt(ctx context.Context, d delivery, status int, body string, took time.Duration, sendErr error) error {
	now := s.now()
	errText := ""
	if sendErr != nil {
		errText = sendErr.Error()
	} else if status < 200 || status > 299 {
		errText = fmt.Sprintf("HTTP %d", status)
	}
	// The attempt happened: record it even if the job is stopping.
	ctx = context.WithoutCancel(ctx)
	return s.db.WriteTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO webhook_attempts (escalation_id, attempt, at, url, status_code, error,
			duration_ms, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), d.id, d.attempt, now, d.url, status, errText,
			took.Milliseconds(), body); err != nil {
			return fmt.Errorf("log webhook attempt: %w", err)
		}
		state, next := EscalationPending, any(now.Add(s.backoff(d.attempt)))
		var delivered any
		var entry *logEntry
		switch {
		case errText == "":
			state, next, delivered = EscalationDelivered, nil, now
			entry = &logEntry{At: now, Kind: "escalation_delivered", Actor: "system",
				Summary: fmt.Sprintf("escalation delivered to the %s post (attempt %d)", d.country, d.attempt),
				Data:    map[string]any{"country": d.country, "attempt": d.attempt}}
		case d.attempt >= maxWebhookAttempts:
			state, next = EscalationFailed, nil
			entry = &logEntry{At: now, Kind: "escalation_failed", Actor: "system",
				Summary: fmt.Sprintf("escalation to the %s post failed after %d attempts: %s", d.country, d.attempt, errText),
				Data:    map[string]any{"country": d.country, "attempt": d.attempt, "error": errText}}
		}
		// Only the pending state moves: an answer that arrived meanwhile stays.
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE escalations SET attempts = ?, lease_until = NULL,
			state = CASE WHEN state = ? THEN ? ELSE state END, next_attempt_at = ?, delivered_at = COALESCE(delivered_at, ?)
			WHERE id = ?`), d.attempt, EscalationPending, state, next, delivered, d.id); err != nil {
			return fmt.Errorf("record webhook attempt: %w", err)
		}
		if entry != nil {
			return insertLog(ctx, s.db, tx, d.caseID, *entry)
		}
		return nil
	})
}

// RunWebhooks delivers due escalation webhooks every interval until ctx ends.
func (s *CaseService) RunWebhooks(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("webhook delivery failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
