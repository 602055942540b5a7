package inbound

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/dialer"
)

// maxReferences bounds the customer Message-IDs a reply's References lists.
const maxReferences = 10

// Prepare is the dialer's hook before a message goes out (dialer.Options.Prepare): an SMS
// goes from the brand's reply-capable number when it has one, so the customer can answer
// it; an e-mail gets the brand's inbound address as Reply-To and, when it belongs to a
// case's conversation (a reply or an acknowledgement), In-Reply-To and References naming
// the customer's messages on that case (RFC 5322 §3.6.4), so their mail program threads it.
// A lookup that fails leaves the message as it is (it still goes out; the log says why).
func (s *Service) Prepare(ctx context.Context, m *dialer.Message) {
	st, err := s.cachedSettings(ctx, m.BrandID)
	if err != nil {
		s.log.WarnContext(ctx, "outgoing message without the brand's inbound settings", "err", err, "contact", m.ContactID)
		return
	}
	switch m.Channel {
	case dialer.SMS:
		if m.From == "" {
			m.From = st.SMSNumber
		}
	case dialer.Email:
		h := map[string]string{}
		if st.MailAddress != "" {
			h["Reply-To"] = st.MailAddress
		}
		ids, err := s.threadOf(ctx, m.ContactID)
		if err != nil {
			s.log.WarnContext(ctx, "a case reply without its thread headers", "err", err, "contact", m.ContactID)
		}
		if len(ids) > 0 {
			h["In-Reply-To"] = "<" + ids[len(ids)-1] + ">"
			h["References"] = "<" + strings.Join(ids, "> <") + ">"
		}
		if len(h) > 0 {
			m.Headers = h
		}
	}
}

// threadOf lists, oldest first, the Message-IDs of the customer's e-mail on the case whose
// conversation holds contact (none when the contact is no case's).
func (s *Service) threadOf(ctx context.Context, contact int64) ([]string, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT m.message_id FROM case_conversation cc
		JOIN inbound_messages m ON m.case_id = cc.case_id
		WHERE cc.contact_id = ? AND m.message_id <> '' ORDER BY m.id DESC LIMIT ?`), contact, maxReferences)
	if err != nil {
		return nil, fmt.Errorf("the reply's thread: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append([]string{id}, ids...)
	}
	return ids, rows.Err()
}

// settingsTTL is how long Prepare trusts a brand's settings it read (a change made on another
// node shows within it; one made here at once).
const settingsTTL = 30 * time.Second

type cachedSettings struct {
	st Settings
	at time.Time
}

// cachedSettings spares the dialer a query per message: a brand's settings, read at most
// every settingsTTL.
func (s *Service) cachedSettings(ctx context.Context, brand int64) (Settings, error) {
	now := time.Now()
	if v, ok := s.settingsCache.Load(brand); ok && now.Sub(v.(cachedSettings).at) < settingsTTL {
		return v.(cachedSettings).st, nil
	}
	st, err := s.settings(ctx, s.db.SQL, brand)
	if err != nil {
		return Settings{}, err
	}
	s.settingsCache.Store(brand, cachedSettings{st: st, at: now})
	return st, nil
}
