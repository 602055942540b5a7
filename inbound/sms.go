package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/dialer/stopword"
	"github.com/wismo/wismo/store"
)

// HandleSMPP takes a mobile-originated deliver_sm from the dialer's SMSC link
// (dialer.Options.MO). A part of a concatenated message waits in inbound_sms_parts until
// its last part arrives; the whole text is then handled once. An error makes the SMSC
// deliver the deliver_sm again.
func (s *Service) HandleSMPP(ctx context.Context, d smpp.Deliver) error {
	if d.Part == nil {
		_, err := s.HandleSMS(ctx, d.Source, d.Destination, d.Text)
		return err
	}
	text, whole, err := s.assemble(ctx, d)
	if err != nil || !whole {
		return err
	}
	if _, err := s.HandleSMS(ctx, d.Source, d.Destination, text); err != nil {
		return err
	}
	return nil
}

// assemble stores one part and, when every part is there, takes them all (exactly one
// caller does: the parts are deleted with RETURNING) and joins them in order.
func (s *Service) assemble(ctx context.Context, d smpp.Deliver) (string, bool, error) {
	from, to, p := NormalizeNumber(d.Source), NormalizeNumber(d.Destination), d.Part
	if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO inbound_sms_parts (sender, recipient, ref, total, seq, text, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), from, to, p.Ref, p.Total, p.Seq, d.Text, s.opts.Now()); err != nil {
		return "", false, fmt.Errorf("store SMS part: %w", err)
	}
	var n int
	if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM inbound_sms_parts WHERE sender = ? AND recipient = ? AND ref = ? AND total = ?`),
		from, to, p.Ref, p.Total).Scan(&n); err != nil {
		return "", false, fmt.Errorf("count SMS parts: %w", err)
	}
	if n < p.Total {
		s.log.DebugContext(ctx, "SMS part stored; waiting for the others", "part", p.Seq, "of", p.Total)
		if err := s.sweepParts(ctx); err != nil {
			s.log.WarnContext(ctx, "sweep SMS parts that never completed", "err", err)
		}
		return "", false, nil
	}
	parts := make([]string, p.Total)
	got := 0
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`DELETE FROM inbound_sms_parts WHERE sender = ? AND recipient = ? AND ref = ? AND total = ?
			RETURNING seq, text`), from, to, p.Ref, p.Total)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int
			var t string
			if err := rows.Scan(&seq, &t); err != nil {
				return err
			}
			if seq >= 1 && seq <= p.Total {
				parts[seq-1] = t
				got++
			}
		}
		return rows.Err()
	})
	if err != nil {
		return "", false, fmt.Errorf("take SMS parts: %w", err)
	}
	if got < p.Total {
		return "", false, nil // another delivery took them
	}
	return strings.Join(parts, ""), true, nil
}

// HandleSMS handles a whole mobile-originated SMS from a handset to one of the brands'
// numbers and returns what became of it (also recorded in inbound_messages):
//
//   - to a number no brand has: the dialer's STOP handling (the brand that texted the
//     sender last), outcome unknown_recipient;
//   - STOP and the other opt-out words: opted out of the brand's SMS, outcome opt_out;
//   - from a number the brand has texted (its latest SMS names the parcel) or a parcel's
//     recipient phone: onto the parcel's case (case, case_reopened or case_opened);
//   - from a number the brand does not know: the review queue.
func (s *Service) HandleSMS(ctx context.Context, from, to, text string) (Message, error) {
	m := Message{Channel: "sms", Sender: NormalizeNumber(from), Recipient: NormalizeNumber(to), Body: clip(text, cases.MaxNoteChars)}
	brand, st, err := s.brandBy(ctx, "sms_number", m.Recipient)
	if err != nil {
		return m, err
	}
	if brand == 0 {
		m.Outcome, m.Detail = OutcomeUnknownRecipient, "no brand has this number"
		if stopword.Is(text) && s.opts.Dialer != nil {
			if err := s.opts.Dialer.HandleInbound(ctx, m.Sender, m.Recipient, text); err != nil {
				return m, err
			}
			m.Detail += "; STOP applied to the brand that texted the sender last"
		}
		return m, s.record(ctx, &m)
	}
	m.BrandID = brand
	if stopword.Is(text) {
		if s.opts.Dialer != nil {
			if err := s.opts.Dialer.OptOut(ctx, brand, dialer.SMS, m.Sender, "sms_stop"); err != nil {
				return m, err
			}
		}
		m.Outcome = OutcomeOptOut
		return m, s.record(ctx, &m)
	}
	parcel, how, err := s.parcelOfPhone(ctx, brand, m.Sender)
	if err != nil {
		return m, err
	}
	if parcel == "" {
		m.Outcome, m.Detail = OutcomeReview, WhyUnknownNumber
		return m, s.record(ctx, &m)
	}
	m.ParcelID = parcel
	if err := s.toCase(ctx, &m, cases.SourceSMS, st.ReopenDays, map[string]any{"found_by": how}, caseRef{}); err != nil {
		return m, fmt.Errorf("inbound SMS to a case: %w", err)
	}
	return m, s.record(ctx, &m)
}

// parcelOfPhone finds the parcel a reply from phone is about: the parcel of the brand's
// latest SMS to that number (the thread the customer answers), else the brand's latest
// parcel whose recipient has that phone.
func (s *Service) parcelOfPhone(ctx context.Context, brand int64, phone string) (string, string, error) {
	var parcel string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT parcel_id FROM contacts WHERE recipient = ? AND channel = 'sms'
		AND brand_id = ? AND status IN ('sent','delivered','failed','unknown','sending') ORDER BY created_at DESC, id DESC LIMIT 1`),
		phone, brand).Scan(&parcel)
	if err == nil {
		return parcel, "latest_sms", nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("the latest SMS to the sender: %w", err)
	}
	err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id FROM parcels WHERE recipient_phone = ? AND brand_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`), phone, brand).Scan(&parcel)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("the sender's parcel: %w", err)
	}
	return parcel, "recipient_phone", nil
}

// partsMaxWait is how long the parts of a concatenated SMS wait for the rest.
const partsMaxWait = time.Hour

// sweepParts takes the parts of messages whose other parts have not come within
// partsMaxWait (run when a part waits): what did arrive goes to the brand's review queue as one
// message, in order, saying which parts are missing, so nothing a customer wrote is lost.
func (s *Service) sweepParts(ctx context.Context) error {
	type key struct {
		from, to   string
		ref, total int
	}
	var got map[key][]string
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		got = map[key][]string{}
		rows, err := tx.QueryContext(ctx, s.db.Rebind(`DELETE FROM inbound_sms_parts WHERE received_at < ? RETURNING sender, recipient, ref, total, seq, text`),
			s.opts.Now().Add(-partsMaxWait))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			var seq int
			var text string
			if err := rows.Scan(&k.from, &k.to, &k.ref, &k.total, &seq, &text); err != nil {
				return err
			}
			if got[k] == nil {
				got[k] = make([]string, k.total)
			}
			if seq >= 1 && seq <= k.total {
				got[k][seq-1] = text
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for k, parts := range got {
		var missing []string
		for i, p := range parts {
			if p == "" {
				missing = append(missing, strconv.Itoa(i+1))
				parts[i] = "[…]"
			}
		}
		m := Message{Channel: "sms", Sender: k.from, Recipient: k.to, Body: clip(strings.Join(parts, ""), cases.MaxNoteChars), Outcome: OutcomeReview,
			Detail: fmt.Sprintf("parts %s of %d never arrived within %s", strings.Join(missing, ", "), k.total, partsMaxWait)}
		if m.BrandID, _, _ = s.brandBy(ctx, "sms_number", k.to); m.BrandID == 0 {
			m.Outcome = OutcomeUnknownRecipient
		}
		if err := s.record(ctx, &m); err != nil {
			return err
		}
	}
	return nil
}
