// Package updates keeps the customers' requests for SMS or e-mail updates about one parcel
// (table parcel_updates; docs/csat.md "Updates on request"). The tracking page asks for them;
// they go only to the recipient's number or address on file, or to a new one once its owner
// proved it: a one-time code sent by SMS, a confirmation link sent by e-mail. So the page cannot
// be used to text or mail strangers. Every message (the codes, the links and the updates) is
// planned through the dialer (Planner): opt-outs suppress it and the brand's windows delay it.
// The consumer (Handle, job parcel-updates) plans an update for every tracking event of a
// parcel with active requests.
package updates

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Consumer is the outbox consumer that plans the updates.
const Consumer = "updates.parcel"

const (
	// CodeTTL is how long a code or a link confirms.
	CodeTTL = 30 * time.Minute
	// MaxCodeAttempts is how many wrong codes end a pending request.
	MaxCodeAttempts = 5
	// MaxPendingPerParcel bounds the new numbers and addresses a parcel's page may send codes
	// or links to per hour (the page's own per-IP and per-parcel limits come first).
	MaxPendingPerParcel = 3
)

// Errors the page words for the customer.
var (
	ErrTooMany   = errors.New("too many new numbers or addresses for this parcel: try again in an hour")
	ErrBadCode   = errors.New("the code is wrong or expired")
	ErrNoAddress = errors.New("no number or address on file for this channel")
)

// Planner plans messages through the dialer's opt-outs and windows (*dialer.Service).
type Planner interface {
	Plan(ctx context.Context, tx store.Tx, reqs []dialer.Request) error
}

// Sub is one request for updates.
type Sub struct {
	ID       int64
	Channel  dialer.Channel
	Address  string
	OnFile   bool
	Active   bool
	Language string
}

// Parcel is what a request needs to know of its parcel.
type Parcel struct {
	BrandID            int64
	ID                 string
	Phone, Email       string // on file
	TimeZone, Language string
	TrackingURL        string // the parcel's page, for the messages
}

// Service reads and writes requests for updates.
type Service struct {
	db      *store.DB
	planner Planner
	now     func() time.Time
}

// New returns the service; planner plans every message.
func New(db *store.DB, planner Planner) *Service {
	return &Service{db: db, planner: planner, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1000000))
	return fmt.Sprintf("%06d", n.Int64())
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	return hex.EncodeToString(b)
}

// Subscribe asks for updates on channel. address "" means the one on file, which starts the
// updates at once; another address gets a code (SMS) or a link (e-mail) and starts once
// confirmed. lang is the page's language, for the messages. It returns the request.
func (s *Service) Subscribe(ctx context.Context, p Parcel, channel dialer.Channel, address, lang string) (Sub, error) {
	onFile := p.Phone
	if channel == dialer.Email {
		onFile = strings.ToLower(p.Email)
		address = strings.ToLower(address)
	}
	sub := Sub{Channel: channel, Address: address, Language: lang}
	if address == "" || address == onFile {
		if onFile == "" {
			return Sub{}, ErrNoAddress
		}
		sub.Address, sub.OnFile, sub.Active = onFile, true, true
	}
	now := s.now().UTC().Truncate(time.Second)
	loc := i18n.New(i18n.Lang(lang), nil)
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var secret, secretHash string
		var expires any
		if !sub.Active {
			var pending int
			if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM parcel_updates WHERE parcel_id = ? AND brand_id = ?
				AND on_file = ? AND created_at > ?`), p.ID, p.BrandID, false, now.Add(-time.Hour)).Scan(&pending); err != nil {
				return err
			}
			if pending >= MaxPendingPerParcel {
				return ErrTooMany
			}
			secret = newCode()
			if channel == dialer.Email {
				secret = newToken()
			}
			secretHash, expires = hash(secret), now.Add(CodeTTL)
		}
		var confirmed any
		if sub.Active {
			confirmed = now
		}
		// One row per parcel, channel and address: asking again renews it.
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM parcel_updates WHERE parcel_id = ? AND brand_id = ? AND channel = ? AND address = ?`),
			p.ID, p.BrandID, string(channel), sub.Address); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO parcel_updates (brand_id, parcel_id, channel, address, on_file, language,
			secret_hash, attempts, expires_at, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id`),
			p.BrandID, p.ID, string(channel), sub.Address, sub.OnFile, lang, secretHash, expires, now, confirmed).Scan(&sub.ID)
		if err != nil {
			return err
		}
		req := dialer.Request{BrandID: p.BrandID, ParcelID: p.ID, Channel: channel, To: sub.Address, TimeZone: p.TimeZone,
			Language: lang, TriggerRef: fmt.Sprintf("updates:%d:start", sub.ID), NotBefore: now}
		switch {
		case sub.Active:
			req.Subject = loc.T("updates.msg_subject", "parcel", p.ID)
			req.Body = loc.T("updates.msg_started", "parcel", p.ID, "link", p.TrackingURL)
		case channel == dialer.SMS:
			req.Body = loc.T("updates.msg_code", "code", secret, "parcel", p.ID)
		default:
			req.Subject = loc.T("updates.msg_subject", "parcel", p.ID)
			req.Body = loc.T("updates.msg_link", "parcel", p.ID, "link", p.TrackingURL+"/updates/confirm?token="+secret)
		}
		return s.planner.Plan(ctx, tx, []dialer.Request{req})
	})
	if err != nil {
		return Sub{}, err
	}
	return sub, nil
}

// Confirm starts the pending SMS request of the parcel with its code. Wrong codes count; the
// MaxCodeAttempts-th ends the request.
func (s *Service) Confirm(ctx context.Context, brandID int64, parcelID, code string) (Sub, error) {
	now := s.now().UTC()
	var sub Sub
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var secretHash string
		var attempts int
		var expires time.Time
		err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT id, address, secret_hash, attempts, expires_at, language FROM parcel_updates
			WHERE parcel_id = ? AND brand_id = ? AND channel = ? AND confirmed_at IS NULL ORDER BY id DESC LIMIT 1`),
			parcelID, brandID, string(dialer.SMS)).Scan(&sub.ID, &sub.Address, &secretHash, &attempts, &expires, &sub.Language)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrBadCode
		}
		if err != nil {
			return err
		}
		if now.After(expires) || attempts >= MaxCodeAttempts {
			return ErrBadCode
		}
		if subtle.ConstantTimeCompare([]byte(hash(strings.TrimSpace(code))), []byte(secretHash)) != 1 {
			_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE parcel_updates SET attempts = attempts + 1 WHERE id = ?`), sub.ID)
			if err == nil {
				err = ErrBadCode
			}
			return err
		}
		sub.Channel, sub.Active = dialer.SMS, true
		_, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE parcel_updates SET confirmed_at = ?, secret_hash = '' WHERE id = ?`), now, sub.ID)
		return err
	})
	if errors.Is(err, ErrBadCode) {
		return Sub{}, err
	}
	if err != nil {
		return Sub{}, fmt.Errorf("confirm updates: %w", err)
	}
	return sub, nil
}

// ConfirmLink starts the pending e-mail request of the parcel whose link carried token.
func (s *Service) ConfirmLink(ctx context.Context, brandID int64, parcelID, token string) (Sub, error) {
	now := s.now().UTC()
	sub := Sub{Channel: dialer.Email, Active: true}
	var expires time.Time
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id, address, expires_at FROM parcel_updates
		WHERE parcel_id = ? AND brand_id = ? AND channel = ? AND secret_hash = ? AND confirmed_at IS NULL`),
		parcelID, brandID, string(dialer.Email), hash(token)).Scan(&sub.ID, &sub.Address, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && now.After(expires) || token == "" {
		return Sub{}, ErrBadCode
	}
	if err != nil {
		return Sub{}, fmt.Errorf("confirm updates: %w", err)
	}
	if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE parcel_updates SET confirmed_at = ?, secret_hash = '' WHERE id = ?`), now, sub.ID); err != nil {
		return Sub{}, fmt.Errorf("confirm updates: %w", err)
	}
	return sub, nil
}

// Subs lists the parcel's requests: active ones and those waiting for a code or a link.
func (s *Service) Subs(ctx context.Context, brandID int64, parcelID string) ([]Sub, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id, channel, address, on_file, confirmed_at IS NOT NULL, language
		FROM parcel_updates WHERE parcel_id = ? AND brand_id = ? ORDER BY id`), parcelID, brandID)
	if err != nil {
		return nil, fmt.Errorf("updates of %s: %w", parcelID, err)
	}
	defer rows.Close()
	var out []Sub
	for rows.Next() {
		var sub Sub
		if err := rows.Scan(&sub.ID, &sub.Channel, &sub.Address, &sub.OnFile, &sub.Active, &sub.Language); err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// Handle plans an update for each tracking event of a parcel with active requests (the
// parcel-updates job's outbox consumer). link makes a parcel's page address.
func (s *Service) Handle(link func(parcelID string) string) outbox.Handler {
	return func(ctx context.Context, tx store.Tx, msgs []outbox.Message) error {
		var reqs []dialer.Request
		for _, m := range msgs {
			if m.Topic != tracking.TopicTrackingEvent || m.ItemID == "" {
				continue
			}
			ch, err := tracking.DecodeEventChange(m.Payload)
			if err != nil || ch.Status != tracking.StatusAccepted {
				continue
			}
			rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT u.id, u.channel, u.address, u.language, p.time_zone
				FROM parcel_updates u JOIN parcels p ON p.id = u.parcel_id AND p.brand_id = u.brand_id
				WHERE u.parcel_id = ? AND u.brand_id = ? AND u.confirmed_at IS NOT NULL ORDER BY u.id`), m.ItemID, m.BrandID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var channel, address, lang, zone string
				if err := rows.Scan(&id, &channel, &address, &lang, &zone); err != nil {
					rows.Close()
					return err
				}
				loc := i18n.New(i18n.Lang(lang), nil)
				words := loc.T("track.event." + ch.Event.Code)
				if strings.HasPrefix(words, "track.") {
					words = loc.T("track." + string(ch.Event.Phase))
				}
				reqs = append(reqs, dialer.Request{BrandID: m.BrandID, ParcelID: m.ItemID, Channel: dialer.Channel(channel), To: address,
					TimeZone: zone, Language: lang, TriggerRef: fmt.Sprintf("updates:%d:%d:%d", id, m.ID, m.Part),
					Subject: loc.T("updates.msg_subject", "parcel", m.ItemID),
					Body:    loc.T("updates.msg_event", "parcel", m.ItemID, "event", words, "link", link(m.ItemID)), NotBefore: m.CreatedAt})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return s.planner.Plan(ctx, tx, reqs)
	}
}
