package dialer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/dialer/stopword"
	"github.com/wismo/wismo/store"
)

type optKey struct {
	brand   int64
	channel Channel
	address string
}

// optedOut returns which of the requests' (brand, channel, address) are on an opt-out list.
func (s *Service) optedOut(ctx context.Context, q store.Tx, reqs []Request) (map[optKey]bool, error) {
	var addrs []any
	seen := map[string]bool{}
	for _, r := range reqs {
		a := strings.TrimSpace(r.To)
		if r.Channel == Email {
			a = strings.ToLower(a)
		}
		if a != "" && !seen[a] {
			seen[a] = true
			addrs = append(addrs, a)
		}
	}
	out := map[optKey]bool{}
	for start := 0; start < len(addrs); start += 500 {
		chunk := addrs[start:min(start+500, len(addrs))]
		rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT brand_id, channel, address FROM opt_outs WHERE address IN (`+marks(len(chunk))+`)`), chunk...)
		if err != nil {
			return nil, fmt.Errorf("read opt-outs: %w", err)
		}
		for rows.Next() {
			var k optKey
			if err := rows.Scan(&k.brand, &k.channel, &k.address); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read opt-outs: %w", err)
			}
			out[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OptOut puts an address on a brand's opt-out list for a channel and suppresses the
// contacts already planned to it there. Every later contact on that channel is suppressed
// too: at planning, and again when it comes due.
func (s *Service) OptOut(ctx context.Context, brand int64, ch Channel, address, source string) error {
	address = strings.TrimSpace(address)
	if ch == Email {
		address = strings.ToLower(address)
	}
	if address == "" {
		return fmt.Errorf("%w: an opt-out needs an address", ErrInvalid)
	}
	return s.writeTx(ctx, func(tx store.Tx) error { return s.optOutTx(ctx, tx, brand, ch, address, source, s.now()) })
}

func (s *Service) optOutTx(ctx context.Context, tx store.Tx, brand int64, ch Channel, address, source string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO opt_outs (brand_id, channel, address, source, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), brand, string(ch), address, source, now); err != nil {
		return fmt.Errorf("opt out: %w", err)
	}
	_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'suppressed', detail = ?, done_at = ?, updated_at = ?
		WHERE brand_id = ? AND channel = ? AND recipient = ? AND status = 'planned'`),
		"opted out of "+string(ch)+" ("+source+")", now, now, brand, string(ch), address)
	return err
}

// HandleInbound handles STOP (stopword.Is) from a handset: the sender is opted out of the
// SMS of the brand that texted it last. Other replies are package inbound's (Options.MO).
func (s *Service) HandleInbound(ctx context.Context, from, to, text string) error {
	if !stopword.Is(text) {
		s.log.InfoContext(ctx, "mobile-originated SMS that is not STOP; ignored", "to", to, "chars", len([]rune(text)))
		return nil
	}
	var brand int64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM contacts WHERE recipient = ? AND channel = 'sms'
		AND status IN ('sent','delivered','failed','unknown','sending') ORDER BY id DESC LIMIT 1`), from).Scan(&brand)
	if errors.Is(err, sql.ErrNoRows) {
		s.log.WarnContext(ctx, "STOP from a number wismo never texted; no brand to opt out of")
		return nil
	}
	if err != nil {
		return fmt.Errorf("STOP: find the brand: %w", err)
	}
	if err := s.OptOut(ctx, brand, SMS, from, "sms_stop"); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "SMS STOP: number opted out", "brand", brand)
	return nil
}

// Unsubscribe handles an email's List-Unsubscribe link: the recipient of the contact the
// token belongs to is opted out of that brand's email.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	if len(token) < 16 || len(token) > 64 {
		return ErrNotFound
	}
	var brand int64
	var addr string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id, recipient FROM contacts WHERE unsubscribe_token = ?`), token).Scan(&brand, &addr)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	return s.OptOut(ctx, brand, Email, addr, "email_unsubscribe")
}

// OptOutEntry is one address on a brand's opt-out list.
type OptOutEntry struct {
	Channel   Channel   `json:"channel"`
	Address   string    `json:"address"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// OptOuts lists a brand's opt-outs, newest first.
func (s *Service) OptOuts(ctx context.Context, brand int64, limit int) ([]OptOutEntry, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT channel, address, source, created_at FROM opt_outs
		WHERE brand_id = ? ORDER BY created_at DESC LIMIT ?`), brand, limit)
	if err != nil {
		return nil, fmt.Errorf("list opt-outs: %w", err)
	}
	defer rows.Close()
	out := []OptOutEntry{}
	for rows.Next() {
		var e OptOutEntry
		if err := rows.Scan(&e.Channel, &e.Address, &e.Source, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
