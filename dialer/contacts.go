package dialer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

const contactCols = `c.id, c.parcel_id, c.channel, c.status, c.recipient, c.time_zone, COALESCE(c.rule_id, 0), COALESCE(c.campaign_id, 0),
	COALESCE(c.template_id, 0), COALESCE(c.template_version, 0), COALESCE(c.script_id, 0), COALESCE(c.script_version, 0),
	c.subject, c.body, c.encoding, c.parts, c.created_at, c.not_before, c.due_at, c.attempts, c.provider, c.provider_id,
	c.outcome, c.disposition, c.detail, c.done_at`

func scanContact(rows *sql.Rows) (Contact, error) {
	var c Contact
	var done sql.NullTime
	err := rows.Scan(&c.ID, &c.ParcelID, &c.Channel, &c.Status, &c.Recipient, &c.TimeZone, &c.RuleID, &c.CampaignID,
		&c.TemplateID, &c.TemplateVersion, &c.ScriptID, &c.ScriptVersion, &c.Subject, &c.Body, &c.Encoding, &c.Parts,
		&c.PlannedAt, &c.NotBefore, &c.DueAt, &c.Attempts, &c.Provider, &c.ProviderID, &c.Outcome, &c.Disposition, &c.Detail, &done)
	if err != nil {
		return c, err
	}
	c.PlannedAt, c.NotBefore, c.DueAt = c.PlannedAt.UTC(), c.NotBefore.UTC(), c.DueAt.UTC()
	if done.Valid {
		t := done.Time.UTC()
		c.DoneAt = &t
	}
	if loc, err := geo.LoadZone(c.TimeZone); err == nil {
		c.DueLocal = c.DueAt.In(loc).Format("2006-01-02 15:04 MST")
	}
	c.Log = []LogEntry{}
	return c, nil
}

// queryContacts runs a contact query and attaches each contact's log.
func (s *Service) queryContacts(ctx context.Context, q store.Tx, query string, args ...any) ([]Contact, error) {
	rows, err := q.QueryContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	var out []Contact
	index := map[int64]int{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out))
	for _, c := range out {
		ids = append(ids, c.ID)
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		lr, err := q.QueryContext(ctx, s.db.Rebind(`SELECT contact_id, at, try, kind, detail, provider_id, actor FROM contact_log
			WHERE contact_id IN (`+marks(len(chunk))+`) ORDER BY contact_id, id`), chunk...)
		if err != nil {
			return nil, fmt.Errorf("contact log: %w", err)
		}
		for lr.Next() {
			var id int64
			var e LogEntry
			if err := lr.Scan(&id, &e.At, &e.Try, &e.Kind, &e.Detail, &e.ProviderID, &e.Actor); err != nil {
				lr.Close()
				return nil, err
			}
			e.At = e.At.UTC()
			c := &out[index[id]]
			c.Log = append(c.Log, e)
		}
		lr.Close()
	}
	return out, nil
}

// Contacts returns every contact of a parcel visible to scope, oldest first, each with its
// tries and receipts. A parcel the scope cannot see has no contacts.
func (s *Service) Contacts(ctx context.Context, scope access.Scope, parcelID string) ([]Contact, error) {
	brand, err := tracking.Owner(ctx, s.db, scope, parcelID)
	if errors.Is(err, tracking.ErrNotFound) {
		return []Contact{}, nil
	}
	if err != nil {
		return []Contact{}, err
	}
	out, err := s.queryContacts(ctx, s.db.SQL, `SELECT `+contactCols+` FROM contacts c
		WHERE c.parcel_id = ? AND c.brand_id = ? ORDER BY c.id`, parcelID, brand)
	if out == nil {
		out = []Contact{}
	}
	return out, err
}

// visible reports whether scope may see a parcel.
func (s *Service) visible(ctx context.Context, scope access.Scope, parcelID string) bool {
	_, err := tracking.Owner(ctx, s.db, scope, parcelID)
	return err == nil
}

// Review lists a brand's contacts in a status (unknown by default: those a crash hid the
// fate of), newest first.
func (s *Service) Review(ctx context.Context, brand int64, status Status, limit int) ([]Contact, error) {
	if status == "" {
		status = StatusUnknown
	}
	out, err := s.queryContacts(ctx, s.db.SQL, `SELECT `+contactCols+` FROM contacts c WHERE c.brand_id = ? AND c.status = ?
		ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`, brand, string(status), limit)
	if out == nil {
		out = []Contact{}
	}
	return out, err
}

// Resolve closes the review of an unknown contact: a person checked with the provider or
// the customer and says it was sent, or it failed. It is never resent by wismo.
func (s *Service) Resolve(ctx context.Context, brand, id int64, status Status, note, actor string) error {
	if status != StatusSent && status != StatusFailed && status != StatusDelivered {
		return fmt.Errorf("%w: an unknown contact resolves to sent, delivered or failed", ErrInvalid)
	}
	now := s.now()
	return s.writeTx(ctx, func(tx store.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = ?, detail = ?, done_at = ?, updated_at = ?
			WHERE id = ? AND brand_id = ? AND status = 'unknown'`), string(status), note, now, now, id, brand)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("unknown contact %d: %w", id, ErrNotFound)
		}
		return s.writeLog(ctx, tx, []logRow{{contact: id, at: now, kind: "resolved", detail: string(status) + ": " + note, actor: actor}})
	})
}

// Past is an earlier contact of a parcel, as trigger rules see it.
type Past struct {
	Channel    Channel
	Status     Status
	RuleID     int64
	TemplateID int64
	CampaignID int64
	PlannedAt  time.Time
}

// History returns a parcel's contacts so far, oldest first, read inside tx (the rules'
// transaction sees the contacts it planned a moment ago).
func (s *Service) History(ctx context.Context, tx store.Tx, parcelID string) ([]Past, error) {
	rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT channel, status, COALESCE(rule_id, 0), COALESCE(template_id, 0),
		COALESCE(campaign_id, 0), created_at FROM contacts WHERE parcel_id = ? ORDER BY id LIMIT 200`), parcelID)
	if err != nil {
		return nil, fmt.Errorf("contact history: %w", err)
	}
	defer rows.Close()
	var out []Past
	for rows.Next() {
		var p Past
		if err := rows.Scan(&p.Channel, &p.Status, &p.RuleID, &p.TemplateID, &p.CampaignID, &p.PlannedAt); err != nil {
			return nil, err
		}
		p.PlannedAt = p.PlannedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// PlannedID is the id of the contact Plan stored in tx for brand's trigger ref (a caller that
// plans one contact and must link it, such as a case's reply); sql.ErrNoRows when none.
func (s *Service) PlannedID(ctx context.Context, tx store.Tx, brand int64, triggerRef string) (id int64, err error) {
	err = tx.QueryRowContext(ctx, s.db.Rebind(`SELECT id FROM contacts WHERE brand_id = ? AND trigger_ref = ? ORDER BY id DESC LIMIT 1`),
		brand, triggerRef).Scan(&id)
	return id, err
}
