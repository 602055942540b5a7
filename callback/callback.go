// Package callback keeps the calls promised to customers: a hotline caller who got no agent
// (after hours, after the queue's maximum wait), a customer who asked an agent to call back
// (the callback_requested disposition), or a callback an agent scheduled ("call me at
// 18:00"). Each becomes a call contact of the dialer, planned inside the customer's window
// in the brand's "Callbacks" campaign (created running on first use) with the queue's
// script, and placed by call control like any campaign call: only a placed call is an
// attempt, and the agent's disposition drives the retries (docs/outbound.md). A callback
// with an owner is offered to that agent alone until its grace ends, then to every agent
// of the brand. It owns the callbacks table.
package callback

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// CampaignName is the name of each brand's campaign of callbacks (stored in campaigns.name).
const CampaignName = "Callbacks"

// DefaultGrace is how long a callback with an owner waits for that agent once due.
const DefaultGrace = 5 * time.Minute

// Sentinel errors, mapped at the edge.
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
)

// ParcelReader reads a parcel of a brand: its recipient's zone and language (tracking.Service).
type ParcelReader interface {
	Parcel(ctx context.Context, scope access.Scope, id string) (tracking.ParcelView, error)
}

// Service plans callbacks as dialer contacts and lists them.
type Service struct {
	db      *store.DB
	dialer  *dialer.Service
	parcels ParcelReader
	log     *slog.Logger
	now     func() time.Time
}

// New returns the callbacks over db, planning through d.
func New(db *store.DB, d *dialer.Service, parcels ParcelReader, log *slog.Logger) *Service {
	return &Service{db: db, dialer: d, parcels: parcels, log: log.With("component", "callback"), now: time.Now}
}

var _ callcenter.Callbacks = (*Service)(nil)

// Promise plans a callback: a call contact to p.Phone about p.ParcelID, due at the first
// moment of the customer's call window at or after p.At (their zone is the parcel's), in
// the brand's Callbacks campaign, with p's script. It returns the callback's id.
func (s *Service) Promise(ctx context.Context, p callcenter.Promise) (int64, error) {
	if p.Phone == "" {
		return 0, fmt.Errorf("%w: phone: a callback needs the customer's number", ErrInvalid)
	}
	parcel, err := s.parcels.Parcel(ctx, access.Brands(p.BrandID), p.ParcelID)
	if err != nil {
		return 0, fmt.Errorf("%w: parcel_id: no parcel %q for this brand", ErrInvalid, p.ParcelID)
	}
	camp, err := s.campaign(ctx, p.BrandID)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	at := p.At
	if at.IsZero() || at.Before(now) {
		at = now
	}
	var grace any
	if p.OwnerID != 0 {
		if p.Grace <= 0 {
			p.Grace = DefaultGrace
		}
		grace = at.Add(p.Grace).UTC()
	}
	var id int64
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		contact, err := s.dialer.PlanOne(ctx, tx, dialer.Request{BrandID: p.BrandID, ParcelID: parcel.ID, Channel: dialer.Call, To: p.Phone,
			TimeZone: parcel.Recipient.TimeZone, Language: parcel.Recipient.Language, CampaignID: camp, ScriptID: p.ScriptID,
			TriggerRef: "callback:" + token(), NotBefore: at})
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO callbacks (brand_id, contact_id, source, call_id, queue_id, owner_id,
			grace_until, phone, parcel_id, asked_for, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			p.BrandID, contact, p.Source, nz(p.CallID), nz(p.QueueID), nz(p.OwnerID), grace, p.Phone, parcel.ID, at.UTC(), p.Note,
			p.Actor, now).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("plan a callback to %s: %w", p.ParcelID, err)
	}
	s.log.Info("callback planned", "callback", id, "brand", p.BrandID, "parcel", parcel.ID, "source", p.Source, "owner", p.OwnerID)
	return id, nil
}

// Owner implements callcenter.Callbacks: the agent a callback contact is offered to, until
// when; 0 for a contact that is no callback or has no owner.
func (s *Service) Owner(ctx context.Context, contactID int64) (int64, time.Time, error) {
	var owner sql.NullInt64
	var until sql.NullTime
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT owner_id, grace_until FROM callbacks WHERE contact_id = ?`), contactID).Scan(&owner, &until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!owner.Valid || !until.Valid)) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("owner of contact %d: %w", contactID, err)
	}
	return owner.Int64, until.Time, nil
}

// campaign returns the brand's Callbacks campaign, created running on first use.
func (s *Service) campaign(ctx context.Context, brand int64) (int64, error) {
	for range 2 {
		list, err := s.dialer.Campaigns(ctx, brand)
		if err != nil {
			return 0, err
		}
		for _, c := range list {
			if c.Name == CampaignName {
				if c.Status == "stopped" {
					return 0, fmt.Errorf("%w: the brand's %s campaign is stopped", ErrInvalid, CampaignName)
				}
				return c.ID, nil
			}
		}
		c, err := s.dialer.SaveCampaign(ctx, brand, dialer.Campaign{Name: CampaignName, Mode: "progressive"})
		if errors.Is(err, dialer.ErrConflict) {
			continue // another node made it meanwhile
		}
		if err != nil {
			return 0, err
		}
		if _, err := s.dialer.SetCampaignStatus(ctx, brand, c.ID, "running"); err != nil {
			return 0, err
		}
		return c.ID, nil
	}
	return 0, fmt.Errorf("the %s campaign of brand %d: %w", CampaignName, brand, dialer.ErrConflict)
}

func token() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func nz(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
