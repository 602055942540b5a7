package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Settings are a brand's inbound settings (GET/PUT /api/v1/inbound/settings).
type Settings struct {
	// SMSNumber is the reply-capable number the brand's customers text: "+E.164" or a
	// short code. The alphanumeric sender name of outgoing SMS cannot be answered.
	SMSNumber string `json:"sms_number"`
	// MailAddress is where customers' e-mail reaches wismo for the brand, and the Reply-To
	// of the brand's outgoing e-mail.
	MailAddress string `json:"mail_address"`
	// ReopenDays: a reply to a case resolved or closed at most this many days ago reopens it;
	// an older one opens a new case (0: always a new case).
	ReopenDays int `json:"reopen_days"`
	// AckSubject and AckBody are the automatic acknowledgement of an e-mail that opened a
	// case ("" subject: no acknowledgement); {{case}} is replaced by the case number.
	AckSubject string `json:"ack_subject"`
	AckBody    string `json:"ack_body"`
}

// DefaultReopenDays is reopen_days until a brand sets it.
const DefaultReopenDays = 14

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	shortCode = regexp.MustCompile(`^[0-9]{3,8}$`)
)

// NormalizeNumber writes a phone number the one way inbound_settings and the dialer do: a
// short code as it is, anything else "+digits". SMSCs send international numbers without the
// plus; spaces, dashes and brackets are dropped.
func NormalizeNumber(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if d == "" {
		return ""
	}
	if shortCode.MatchString(d) && !strings.HasPrefix(strings.TrimSpace(s), "+") {
		return d
	}
	return "+" + d
}

func (s Settings) check() error {
	var fes []*input.FieldError
	if s.SMSNumber != "" && !e164.MatchString(s.SMSNumber) && !shortCode.MatchString(s.SMSNumber) {
		fes = append(fes, input.Errorf("sms_number", "must be an international number like +447700900123 or a short code of 3 to 8 digits, got %q", s.SMSNumber))
	}
	if s.MailAddress != "" {
		a, err := mail.ParseAddress(s.MailAddress)
		if err != nil || a.Address != s.MailAddress || a.Name != "" {
			fes = append(fes, input.Errorf("mail_address", "must be a bare address like support@shop.example, got %q", s.MailAddress))
		}
	}
	if s.ReopenDays < 0 || s.ReopenDays > 365 {
		fes = append(fes, input.Errorf("reopen_days", "must be 0 to 365 days, got %d", s.ReopenDays))
	}
	if fe := input.Text("ack_subject", s.AckSubject, 200); fe != nil {
		fes = append(fes, fe)
	}
	if fe := input.Text("ack_body", s.AckBody, 4000); fe != nil {
		fes = append(fes, fe)
	}
	if s.AckSubject == "" && s.AckBody != "" {
		fes = append(fes, input.Errorf("ack_subject", "is required when ack_body is set"))
	}
	if len(fes) > 0 {
		return input.Invalid(fes...)
	}
	return nil
}

// SettingsOf returns a brand's inbound settings (the defaults until it saves some).
func (s *Service) SettingsOf(ctx context.Context, scope access.Scope, brand int64) (Settings, error) {
	if !scope.AllowsBrand(brand) {
		return Settings{}, cases.ErrNotFound
	}
	return s.settings(ctx, s.db.SQL, brand)
}

func (s *Service) settings(ctx context.Context, q store.Tx, brand int64) (Settings, error) {
	var st Settings
	var num, addr sql.NullString
	err := q.QueryRowContext(ctx, s.db.Rebind(`SELECT sms_number, mail_address, reopen_days, ack_subject, ack_body
		FROM inbound_settings WHERE brand_id = ?`), brand).Scan(&num, &addr, &st.ReopenDays, &st.AckSubject, &st.AckBody)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{ReopenDays: DefaultReopenDays}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("inbound settings: %w", err)
	}
	st.SMSNumber, st.MailAddress = num.String, addr.String
	return st, nil
}

// SetSettings validates and saves a brand's inbound settings. A number or address another
// brand has is refused, naming the field.
func (s *Service) SetSettings(ctx context.Context, scope access.Scope, brand int64, in Settings) (Settings, error) {
	if !scope.AllowsBrand(brand) {
		return Settings{}, cases.ErrNotFound
	}
	in.SMSNumber = strings.TrimSpace(in.SMSNumber)
	in.MailAddress = strings.ToLower(strings.TrimSpace(in.MailAddress))
	if err := in.check(); err != nil {
		return Settings{}, err
	}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var fes []*input.FieldError
		for _, f := range []struct{ field, column, value string }{{"sms_number", "sms_number", in.SMSNumber}, {"mail_address", "mail_address", in.MailAddress}} {
			if f.value == "" {
				continue
			}
			var other int64
			err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM inbound_settings WHERE `+f.column+` = ? AND brand_id <> ?`), f.value, brand).Scan(&other)
			if err == nil {
				fes = append(fes, input.Errorf(f.field, "%q is another brand's already: each brand needs its own", f.value))
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if len(fes) > 0 {
			return input.Invalid(fes...)
		}
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO inbound_settings (brand_id, sms_number, mail_address, reopen_days, ack_subject, ack_body, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET sms_number = excluded.sms_number,
			mail_address = excluded.mail_address, reopen_days = excluded.reopen_days, ack_subject = excluded.ack_subject,
			ack_body = excluded.ack_body, updated_at = excluded.updated_at`),
			brand, nullable(in.SMSNumber), nullable(in.MailAddress), in.ReopenDays, in.AckSubject, in.AckBody, s.opts.Now())
		return err
	})
	if err != nil {
		return Settings{}, err
	}
	s.settingsCache.Delete(brand)
	return in, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// brandBy finds the brand whose column (sms_number or mail_address) is value, with its
// settings; 0 when no brand has it.
func (s *Service) brandBy(ctx context.Context, column, value string) (int64, Settings, error) {
	var brand int64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT brand_id FROM inbound_settings WHERE `+column+` = ?`), value).Scan(&brand)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, Settings{}, nil
	}
	if err != nil {
		return 0, Settings{}, fmt.Errorf("the brand of %s: %w", column, err)
	}
	st, err := s.settings(ctx, s.db.SQL, brand)
	return brand, st, err
}
