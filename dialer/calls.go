package dialer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// CallPlacer is what the dialer needs from the telephony engine: take one due attempt of a
// campaign's call and place it — at once for a progressive campaign when an agent is free,
// or on the agent's request for a preview one. PlaceCall returns once the engine has taken
// the attempt (not when the call ends); an error wrapping ErrNotSent hands it back for a
// later try. The engine reports the attempt's end with Service.RecordCallOutcome.
//
// callcenter.Placer implements it (wired in cmd/wismo). Without one (Options.Calls nil, as in
// tests) call contacts are planned and come due like any other, and wait, due, in their
// campaign's queue (Service.Queue).
type CallPlacer interface {
	PlaceCall(ctx context.Context, r CallRequest) error
}

// AgentCapacity is what a CallPlacer may also tell: how many calls of each of brands it
// could place right now (agents free). When the placer implements it, the dialer claims no
// more due calls of a brand than that: while every agent is busy a due call stays due and
// untouched, and it goes out as soon as one frees.
type AgentCapacity interface {
	FreeAgents(ctx context.Context, brands []int64) (map[int64]int, error)
}

// CallRequest is one call attempt to place.
type CallRequest struct {
	ContactID     int64
	BrandID       int64
	ParcelID      string
	CampaignID    int64
	To            string // E.164
	CallerID      string // the campaign's trunk caller id
	ScriptID      int64
	ScriptVersion int64
	Attempt       int
	Language      string
}

// TopicCallOutcome is the outbox topic of a call attempt's end; rules may react to it.
const TopicCallOutcome = "call.outcome"

// CallOutcome is the outbox payload of call.outcome.
type CallOutcome struct {
	ContactID   int64  `json:"contact_id"`
	CampaignID  int64  `json:"campaign_id,omitempty"`
	Attempt     int    `json:"attempt"`
	Outcome     string `json:"outcome"`
	Disposition string `json:"disposition,omitempty"`
	Final       bool   `json:"final"`
	Status      Status `json:"status"`
}

// RecordCallOutcome ends the attempt in flight of a call contact with its SIP outcome and,
// for an answered call, the agent's disposition, and applies the attempt algorithm (the
// campaign's, else the brand's): reached, wrong_number and refused end the sequence (and
// wrong_number puts the phone on the brand's call opt-out list), as do exhausted attempts;
// anything else plans the next attempt after its spacing, inside the window and the
// recipient's daily cap. An answered call without a disposition waits for the agent's
// wrap-up: the contact stays calling until the disposition comes (a second call of this
// method) or Options.DispositionWait passes, when the sweep decides as reached. callbackAt,
// when set for callback_requested, is the time the customer asked for. The decision goes to
// the outbox for the rules.
func (s *Service) RecordCallOutcome(ctx context.Context, contactID int64, outcome, disposition, actor string, callbackAt time.Time) error {
	return s.recordCallOutcome(ctx, contactID, outcome, disposition, actor, callbackAt, true)
}

func (s *Service) recordCallOutcome(ctx context.Context, contactID int64, outcome, disposition, actor string, callbackAt time.Time, wait bool) error {
	if !KnownOutcome(outcome) {
		return fmt.Errorf("%w: outcome %q is not one of answered, no_answer, busy, rejected, unreachable, failed, cancelled, abandoned", ErrInvalid, outcome)
	}
	if disposition != "" && (outcome != "answered" || !validDisposition(disposition)) {
		return fmt.Errorf("%w: disposition %q: only answered calls have one, a lower-case word", ErrInvalid, disposition)
	}
	now := s.now()
	return s.writeTx(ctx, func(tx store.Tx) error {
		var c claimed
		var status, alg, campStatus string
		var waiting bool
		q := `SELECT c.id, c.brand_id, COALESCE(c.campaign_id, 0), c.parcel_id, c.recipient, c.time_zone, c.attempts, c.status,
			COALESCE(k.algorithm, ''), COALESCE(k.status, ''), c.wrap_up_since IS NOT NULL FROM contacts c
			LEFT JOIN campaigns k ON k.id = c.campaign_id WHERE c.id = ? AND c.channel = 'call'`
		if s.db.Dialect == store.Postgres {
			q += ` FOR UPDATE OF c`
		}
		err := tx.QueryRowContext(ctx, s.db.Rebind(q), contactID).Scan(&c.id, &c.brand, &c.campaign, &c.parcel, &c.to, &c.zone, &c.attempt, &status, &alg, &campStatus, &waiting)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("call contact %d: %w", contactID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("call contact %d: %w", contactID, err)
		}
		if status != string(StatusCalling) || (waiting && wait && disposition == "") {
			return fmt.Errorf("%w: call contact %d is %s, not calling (or waits for its disposition already)", ErrConflict, contactID, status)
		}
		if outcome == "answered" && disposition == "" && wait {
			_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET wrap_up_since = ?, outcome = 'answered', disposition = '',
				detail = 'answered: waiting for the disposition', updated_at = ? WHERE id = ?`), now, now, c.id)
			if err == nil {
				err = s.writeLog(ctx, tx, []logRow{{contact: c.id, at: now, try: c.attempt, kind: "outcome", detail: outcome, actor: actor}})
			}
			return err
		}
		if disposition == "wrong_number" {
			if err := s.optOutTx(ctx, tx, c.brand, Call, c.to, "wrong_number", now); err != nil {
				return err
			}
		}
		set, err := s.loadSettings(ctx, tx, []int64{c.brand})
		if err != nil {
			return err
		}
		algo := set[c.brand].algorithm
		if alg != "" {
			if algo, err = parseAlgorithm(alg); err != nil {
				return err
			}
		}
		week := set[c.brand].windows.For(Call)
		if w, ok := s.callWindow(ctx, tx, c.campaign); ok {
			week = w
		}
		d := algo.Decide(c.attempt, outcome, disposition)
		if d.Retry && campStatus == "stopped" {
			d = Decision{Status: string(StatusCancelled), Reason: "campaign stopped"}
		}
		final := !d.Retry
		if d.Retry {
			loc, err := geo.LoadZone(c.zone)
			if err != nil {
				loc = time.UTC
			}
			from := now.Add(d.After)
			if disposition == "callback_requested" && callbackAt.After(now) {
				from = callbackAt
			}
			due, err := week.Next(from, loc)
			if err == nil {
				due, err = s.underDailyCap(ctx, tx, c, due, algo.DailyCap, week, loc)
			}
			if err != nil {
				final, d = true, Decision{Status: string(StatusExhausted), Reason: err.Error()}
			} else {
				_, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'planned', due_at = ?, outcome = ?, disposition = ?,
					detail = ?, claimed_by = '', wrap_up_since = NULL, updated_at = ? WHERE id = ?`), utc(due), outcome, disposition, "retry after "+d.Reason, now, c.id)
				if err != nil {
					return fmt.Errorf("plan the next attempt of %d: %w", c.id, err)
				}
			}
		}
		if final {
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = ?, outcome = ?, disposition = ?, detail = ?,
				wrap_up_since = NULL, done_at = ?, updated_at = ? WHERE id = ?`), string(d.Status), outcome, disposition, d.Reason, now, now, c.id); err != nil {
				return fmt.Errorf("end call contact %d: %w", c.id, err)
			}
		}
		detail := outcome
		if disposition != "" {
			detail += "/" + disposition
		}
		if err := s.writeLog(ctx, tx, []logRow{{contact: c.id, at: now, try: c.attempt, kind: "outcome", detail: detail, actor: actor}}); err != nil {
			return err
		}
		st := StatusPlanned
		if final {
			st = Status(d.Status)
		}
		return outbox.Write(ctx, s.db, tx, []outbox.Entry{{Topic: TopicCallOutcome, BrandID: c.brand, ItemID: c.parcel,
			Payload: CallOutcome{ContactID: c.id, CampaignID: c.campaign, Attempt: c.attempt, Outcome: outcome,
				Disposition: disposition, Final: final, Status: st}}}, now)
	})
}
