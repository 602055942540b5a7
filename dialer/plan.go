package dialer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/dialer/gsm"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

// planned is a contact row about to be inserted.
type planned struct {
	Request
	status  Status
	due     time.Time
	detail  string
	enc     string
	parts   int
	token   any // unsubscribe token (email) or nil
	created time.Time
}

// Plan inserts contacts inside tx, the transaction of whatever decided them (the rules'
// outbox consumer), so a contact is planned exactly once per trigger. Each is due at the
// first moment of its recipient's window at or after NotBefore: the brand's window for the
// channel, a campaign's own for its calls. A contact without an address, to an opted-out
// address, or with no window at all is recorded as suppressed and never sent. A request
// whose (RuleID, TriggerRef) was planned before is ignored.
func (s *Service) Plan(ctx context.Context, tx store.Tx, reqs []Request) error {
	if len(reqs) == 0 {
		return nil
	}
	now := s.now()
	var brands []int64
	for _, r := range reqs {
		if !slices.Contains(brands, r.BrandID) {
			brands = append(brands, r.BrandID)
		}
	}
	set, err := s.loadSettings(ctx, tx, brands)
	if err != nil {
		return err
	}
	camps, err := s.campaignWindows(ctx, tx, reqs)
	if err != nil {
		return err
	}
	opted, err := s.optedOut(ctx, tx, reqs)
	if err != nil {
		return err
	}
	rows := make([]planned, len(reqs))
	for i, r := range reqs {
		p := planned{Request: r, status: StatusPlanned, created: now}
		p.To = strings.TrimSpace(p.To)
		if p.Channel == Email {
			p.To = strings.ToLower(p.To)
			p.token = newToken()
		}
		if p.Channel == SMS {
			info := gsm.Analyze(p.Body)
			p.enc, p.parts = string(info.Encoding), info.Segments
		}
		windows := set[r.BrandID].windows
		camp := camps[r.CampaignID]
		if r.Channel == Call && camp.windows != nil {
			windows = camp.windows
		}
		loc, err := geo.LoadZone(r.TimeZone)
		if err != nil {
			loc, p.TimeZone, p.detail = time.UTC, "UTC", fmt.Sprintf("unknown time zone %q: windows read in UTC", r.TimeZone)
		}
		notBefore := utc(r.NotBefore)
		if notBefore.IsZero() {
			notBefore = now
		}
		p.NotBefore = notBefore
		p.due = notBefore
		switch {
		case p.To == "":
			p.status, p.detail = StatusSuppressed, "no "+addressKind(r.Channel)
		case opted[optKey{r.BrandID, r.Channel, p.To}]:
			p.status, p.detail = StatusSuppressed, "opted out of "+string(r.Channel)
		case r.Channel == Call && camp.status == "":
			p.status, p.detail = StatusSuppressed, "a call needs a campaign of the brand"
		case r.Channel == Call && camp.status == "stopped":
			p.status, p.detail = StatusCancelled, "campaign stopped"
		default:
			due, err := windows.For(r.Channel).Next(notBefore, loc)
			if err != nil {
				p.status, p.detail = StatusSuppressed, err.Error()
			} else {
				p.due = utc(due)
			}
		}
		rows[i] = p
		s.sent.WithLabelValues(string(r.Channel), string(p.status)).Inc()
	}
	return s.insertPlanned(ctx, tx, rows)
}

// PlanOne plans one contact inside tx (Plan) and returns its id; r.TriggerRef must be unique
// for the brand (a callback's own reference).
func (s *Service) PlanOne(ctx context.Context, tx store.Tx, r Request) (int64, error) {
	var id int64
	err := s.Plan(ctx, tx, []Request{r})
	if err == nil {
		err = tx.QueryRowContext(ctx, s.db.Rebind(`SELECT MAX(id) FROM contacts WHERE brand_id = ? AND trigger_ref = ?`), r.BrandID, r.TriggerRef).Scan(&id)
	}
	return id, err
}

func (s *Service) insertPlanned(ctx context.Context, tx store.Tx, rows []planned) error {
	const cols = 26
	err := s.db.BulkExec(ctx, tx, `INSERT INTO contacts (brand_id, parcel_id, channel, status, rule_id, trigger_ref,
		campaign_id, template_id, template_version, script_id, script_version, recipient, time_zone, language,
		subject, body, html, encoding, parts, not_before, due_at, detail, unsubscribe_token, created_at, updated_at, done_at)`,
		`ON CONFLICT DO NOTHING`, cols, len(rows), nil, func(i int, dst []any) []any {
			p := &rows[i]
			var done any
			if p.status != StatusPlanned {
				done = p.created
			}
			return append(dst, p.BrandID, p.ParcelID, string(p.Channel), string(p.status), nullID(p.RuleID), p.TriggerRef,
				nullID(p.CampaignID), nullID(p.TemplateID), nullID(p.TemplateVersion), nullID(p.ScriptID), nullID(p.ScriptVersion),
				p.To, p.TimeZone, p.Language, p.Subject, p.Body, p.HTML, p.enc, p.parts, p.NotBefore, p.due, p.detail, p.token,
				p.created, p.created, done)
		})
	if err != nil {
		return fmt.Errorf("plan contacts: %w", err)
	}
	return nil
}

func addressKind(ch Channel) string {
	if ch == Email {
		return "email address"
	}
	return "phone number"
}

// nullID stores 0 as NULL.
func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// newToken returns an unguessable unsubscribe token.
func newToken() string {
	b := make([]byte, 20)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
