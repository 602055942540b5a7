package inbound

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
)

// Mail is one message the SMTP listener took (package inbound/mailin).
type Mail struct {
	EnvelopeFrom string   // MAIL FROM: "" for bounces (RFC 5321 §4.5.5)
	To           []string // the accepted RCPT TO addresses
	// TrustedRelay says the connection came from WISMO_MAIL_TRUSTED_RELAYS: only then is the
	// message's Authentication-Results header believed.
	TrustedRelay bool
	Raw          []byte
}

// Refusal is an SMTP answer refusing a message (the listener writes it as it is).
type Refusal struct {
	Code     int
	Enhanced [3]int
	Text     string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("%d %d.%d.%d %s", r.Code, r.Enhanced[0], r.Enhanced[1], r.Enhanced[2], r.Text)
}

// Limits of one message's parts (MIME), beside the listener's size cap.
const (
	maxMIMEParts    = 50
	maxMIMEDepth    = 5
	maxAttachments  = 10
	maxMessageIDs   = 20 // References entries looked up
	defaultMailRate = 20
)

// caseToken finds a case number in a subject: "[MM-000123]".
var caseToken = regexp.MustCompile(`\[([A-Z]{2,4}-[0-9]{6,})\]`)

// KnownAddress reports whether a brand has addr as its inbound address (RCPT TO).
func (s *Service) KnownAddress(ctx context.Context, addr string) (bool, error) {
	brand, _, err := s.brandBy(ctx, "mail_address", strings.ToLower(strings.TrimSpace(addr)))
	return brand != 0, err
}

// RefuseRecipient records mail refused at RCPT TO because no brand has the address.
func (s *Service) RefuseRecipient(ctx context.Context, from, to string) {
	m := Message{Channel: "email", Sender: strings.ToLower(from), Recipient: strings.ToLower(to), Outcome: OutcomeUnknownRecipient,
		Detail: "550 at RCPT TO: no brand has this address"}
	if err := s.record(ctx, &m); err != nil {
		s.log.ErrorContext(ctx, "record a refused recipient", "err", err)
	}
}

// RefuseTooLarge records a message refused because it passed the size cap.
func (s *Service) RefuseTooLarge(ctx context.Context, from string, to []string, limit int64) {
	s.refuseData(ctx, from, to, OutcomeTooLarge, fmt.Sprintf("552 at DATA: larger than %d bytes", limit))
}

// RefuseUnreadable records a message whose DATA could not be read (a line over the
// listener's limit, a broken dot-stuffing...).
func (s *Service) RefuseUnreadable(ctx context.Context, from string, to []string, err error) {
	s.refuseData(ctx, from, to, OutcomeMalformed, "refused at DATA: "+err.Error())
}

func (s *Service) refuseData(ctx context.Context, from string, to []string, outcome, detail string) {
	m := Message{Channel: "email", Sender: strings.ToLower(from), Recipient: strings.ToLower(strings.Join(to, ",")), Outcome: outcome, Detail: detail}
	m.BrandID, _ = s.brandOfRecipients(ctx, to)
	if err := s.record(ctx, &m); err != nil {
		s.log.ErrorContext(ctx, "record a message too large", "err", err)
	}
}

func (s *Service) brandOfRecipients(ctx context.Context, to []string) (int64, Settings) {
	for _, a := range to {
		if b, st, err := s.brandBy(ctx, "mail_address", strings.ToLower(a)); err == nil && b != 0 {
			return b, st
		}
	}
	return 0, Settings{}
}

// HandleMail handles a message the listener took for one of the brands' addresses and says
// what became of it; a *Refusal error is the SMTP answer to give (malformed: 550, the
// sender writing too often: 451). Every outcome is recorded in inbound_messages.
func (s *Service) HandleMail(ctx context.Context, in Mail) (Message, error) {
	m := Message{Channel: "email", Sender: strings.ToLower(in.EnvelopeFrom), Recipient: strings.ToLower(strings.Join(in.To, ","))}
	brand, st := s.brandOfRecipients(ctx, in.To)
	if brand == 0 {
		m.Outcome, m.Detail = OutcomeUnknownRecipient, "no brand has these addresses"
		return m, errors.Join(s.record(ctx, &m), &Refusal{550, [3]int{5, 1, 1}, "no such mailbox here"})
	}
	m.BrandID = brand
	refuse := func(outcome, detail string, r *Refusal) (Message, error) {
		m.Outcome, m.Detail = outcome, detail
		if m.Body == "" {
			m.Body = clip(string(in.Raw), 2000)
		}
		return m, errors.Join(s.record(ctx, &m), r)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(in.Raw))
	if err != nil {
		return refuse(OutcomeMalformed, "unreadable header: "+err.Error(), &Refusal{550, [3]int{5, 6, 0}, "malformed message: " + err.Error()})
	}
	h := msg.Header
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil {
		return refuse(OutcomeMalformed, "no readable From: "+err.Error(), &Refusal{550, [3]int{5, 6, 0}, "malformed message: the From header"})
	}
	m.Sender = strings.ToLower(from.Address)
	m.Subject = clip(decodeHeader(h.Get("Subject")), 300)
	m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	if limited, err := s.overRate(ctx, m.Sender); err != nil {
		return m, err
	} else if limited {
		return refuse(OutcomeRateLimited, "more than the hourly limit from this sender", &Refusal{451, [3]int{4, 7, 1}, "too many messages from this sender; try later"})
	}
	if m.MessageID != "" {
		var n int
		if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM inbound_messages WHERE message_id = ? AND brand_id = ?
			AND outcome IN ('case', 'case_reopened', 'case_opened', 'review')`), m.MessageID, brand).Scan(&n); err != nil {
			return m, fmt.Errorf("duplicate check: %w", err)
		}
		if n > 0 {
			m.Outcome, m.Detail = OutcomeDuplicate, "this Message-ID was taken before"
			return m, s.record(ctx, &m)
		}
	}
	body, atts, err := readBody(h, msg.Body)
	if err != nil {
		return refuse(OutcomeMalformed, "unreadable MIME: "+err.Error(), &Refusal{550, [3]int{5, 6, 0}, "malformed message: " + err.Error()})
	}
	m.Body = clip(body, cases.MaxNoteChars)
	auto := automatic(h, in.EnvelopeFrom)
	data := map[string]any{}
	if auto != "" {
		data["automatic"] = auto
	}

	known, how, err := s.thread(ctx, brand, m.Subject, h)
	if err != nil {
		return m, err
	}
	switch {
	case in.TrustedRelay && authFailed(h.Get("Authentication-Results")):
		m.ParcelID = known.parcel
		return m, s.toReview(ctx, &m, WhyAuthFailed)
	case known.id != 0:
		ok, err := s.senderKnown(ctx, brand, known.id, m.Sender)
		if err != nil {
			return m, err
		}
		if !ok {
			m.ParcelID = known.parcel
			return m, s.toReview(ctx, &m, fmt.Sprintf(WhyStrangerReply, known.number, how))
		}
		m.ParcelID = known.parcel
	default:
		parcel, found, err := s.parcelOfEmail(ctx, brand, m.Sender)
		if err != nil {
			return m, err
		}
		if parcel == "" {
			m.ParcelID = known.parcel
			return m, s.toReview(ctx, &m, WhyUnknownSender)
		}
		if known.parcel == "" {
			m.ParcelID, how = parcel, found
		} else {
			m.ParcelID = known.parcel // a known sender answering the brand's notification about a parcel
		}
	}
	data["found_by"] = how
	if err := s.toCase(ctx, &m, cases.SourceEmail, st.ReopenDays, data, known); err != nil {
		return m, fmt.Errorf("inbound e-mail to a case: %w", err)
	}
	var number string
	s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT number FROM cases WHERE id = ?`), m.CaseID).Scan(&number) //nolint:errcheck // the case was just written
	m.Detail = s.attach(ctx, brand, number, m.Sender, atts)
	if err := s.record(ctx, &m); err != nil {
		return m, err
	}
	if m.Outcome == OutcomeCaseOpened && auto == "" && st.AckSubject != "" {
		s.acknowledge(ctx, &m, st, number)
	}
	return m, nil
}

// Why a message waits for review (inbound_messages.detail): the review page words them in the
// reader's language (inbound/reviewpage), so they are written here once.
const (
	WhyUnknownNumber = "the brand has never texted this number and no parcel has it"
	WhyAuthFailed    = "the trusted relay's Authentication-Results say the sender failed authentication"
	WhyStrangerReply = "a reply to case %s (by %s) from an address the case does not know"
	WhyUnknownSender = "the brand does not know this sender and the message names no case"
)

func (s *Service) toReview(ctx context.Context, m *Message, why string) error {
	m.Outcome, m.Detail = OutcomeReview, why
	return s.record(ctx, m)
}

// overRate reports whether sender has written WISMO_MAIL_RATE messages in the last hour.
func (s *Service) overRate(ctx context.Context, sender string) (bool, error) {
	rate := s.opts.MailRatePerHour
	if rate <= 0 {
		rate = defaultMailRate
	}
	var n int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM inbound_messages WHERE sender = ? AND channel = 'email' AND created_at > ?`),
		sender, s.opts.Now().Add(-time.Hour)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("the sender's rate: %w", err)
	}
	return n >= rate, nil
}

// thread finds the case a message continues: a case token in the subject, else a
// Message-ID of In-Reply-To or References that is wismo's (a reply or notification it sent)
// or the customer's earlier message on a case.
func (s *Service) thread(ctx context.Context, brand int64, subject string, h mail.Header) (caseRef, string, error) {
	if t := caseToken.FindStringSubmatch(subject); t != nil {
		c, err := s.oneCase(ctx, `SELECT id, number, status, parcel_id, updated_at FROM cases WHERE brand_id = ? AND number = ?`, brand, t[1])
		if err != nil || c.id != 0 {
			return c, "subject_token", err
		}
	}
	ids := messageIDs(h.Get("In-Reply-To") + " " + h.Get("References"))
	for _, id := range ids {
		c, err := s.oneCase(ctx, `SELECT c.id, c.number, c.status, c.parcel_id, c.updated_at FROM inbound_messages m JOIN cases c ON c.id = m.case_id
			WHERE m.message_id = ? AND m.brand_id = ? ORDER BY m.id DESC LIMIT 1`, id, brand)
		if err != nil || c.id != 0 {
			return c, "references_customer", err
		}
		c, err = s.oneCase(ctx, `SELECT c.id, c.number, c.status, c.parcel_id, c.updated_at FROM provider_messages p
			JOIN case_conversation cc ON cc.contact_id = p.contact_id JOIN cases c ON c.id = cc.case_id
			WHERE p.provider = 'smtp' AND p.message_id = ? AND c.brand_id = ?`, id, brand)
		if err != nil || c.id != 0 {
			return c, "in_reply_to_case_reply", err
		}
		var parcel string
		err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT k.parcel_id FROM provider_messages p JOIN contacts k ON k.id = p.contact_id
			WHERE p.provider = 'smtp' AND p.message_id = ? AND k.brand_id = ?`), id, brand).Scan(&parcel)
		if err == nil {
			c, err := s.parcelCase(ctx, brand, parcel)
			if c.id == 0 {
				c.parcel = parcel
			}
			return c, "in_reply_to_notification", err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return caseRef{}, "", fmt.Errorf("the message's thread: %w", err)
		}
	}
	return caseRef{}, "", nil
}

// messageIDs reads the <id> list of In-Reply-To and References (RFC 5322 §3.6.4), newest
// (last) first, at most maxMessageIDs.
func messageIDs(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if id := strings.Trim(f, "<>,"); id != "" && strings.Contains(id, "@") {
			out = append(out, id)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out[:min(len(out), maxMessageIDs)]
}

// senderKnown reports whether addr belongs to case id's customer: the case's contact, a
// recipient of its parcels, an address the brand wrote to about them, or a sender whose
// mail is on the case already.
func (s *Service) senderKnown(ctx context.Context, brand, caseID int64, addr string) (bool, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT
		(SELECT COUNT(*) FROM cases WHERE id = ? AND LOWER(contact_email) = ?) +
		(SELECT COUNT(*) FROM case_parcels cp JOIN parcels p ON p.id = cp.parcel_id WHERE cp.case_id = ? AND LOWER(p.recipient_email) = ?) +
		(SELECT COUNT(*) FROM case_parcels cp JOIN contacts k ON k.parcel_id = cp.parcel_id WHERE cp.case_id = ? AND k.brand_id = ?
			AND k.channel = 'email' AND LOWER(k.recipient) = ?) +
		(SELECT COUNT(*) FROM inbound_messages WHERE case_id = ? AND sender = ?)`),
		caseID, addr, caseID, addr, caseID, brand, addr, caseID, addr).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is the sender the case's customer: %w", err)
	}
	return n > 0, nil
}

// parcelOfEmail finds the parcel a message from addr is about when it names no case: the
// parcel of the brand's latest e-mail to addr, else the latest parcel with that recipient.
func (s *Service) parcelOfEmail(ctx context.Context, brand int64, addr string) (string, string, error) {
	var parcel string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT parcel_id FROM contacts WHERE recipient = ? AND channel = 'email'
		AND brand_id = ? AND status IN ('sent','delivered','failed','unknown','sending') ORDER BY created_at DESC, id DESC LIMIT 1`),
		addr, brand).Scan(&parcel)
	if err == nil {
		return parcel, "latest_email", nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("the latest e-mail to the sender: %w", err)
	}
	err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id FROM parcels WHERE brand_id = ? AND LOWER(recipient_email) = ?
		AND recipient_email <> '' ORDER BY created_at DESC, id DESC LIMIT 1`), brand, addr).Scan(&parcel)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("the sender's parcel: %w", err)
	}
	return parcel, "recipient_email", nil
}

// automatic says why a message is automatic (RFC 3834): Auto-Submitted other than "no",
// Precedence bulk, list or junk, a List-* header (RFC 2369, 2919), an empty MAIL FROM (a
// bounce), or the common autoresponder markers. "" for a person's message. wismo never
// answers an automatic message.
func automatic(h mail.Header, envelopeFrom string) string {
	if envelopeFrom == "" {
		return "empty MAIL FROM (a bounce)"
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list", "junk", "auto_reply":
		return "Precedence: " + h.Get("Precedence")
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "list-") {
			return k
		}
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"} {
		if h.Get(k) != "" {
			return k
		}
	}
	return ""
}

// authFailed reads Authentication-Results (RFC 8601): a dmarc=fail, or spf and dkim both
// failing, is a failed sender.
func authFailed(v string) bool {
	v = strings.ToLower(v)
	if v == "" {
		return false
	}
	if strings.Contains(v, "dmarc=fail") {
		return true
	}
	return strings.Contains(v, "spf=fail") && (strings.Contains(v, "dkim=fail") || !strings.Contains(v, "dkim=pass"))
}

// decodeHeader decodes RFC 2047 encoded words in any charset x/text knows.
func decodeHeader(v string) string {
	d := mime.WordDecoder{CharsetReader: charsetReader}
	if s, err := d.DecodeHeader(v); err == nil {
		return s
	}
	return v
}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	e, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return e.NewDecoder().Reader(r), nil
}

type attachment struct {
	name string
	data []byte
}

// readBody walks the MIME tree (at most maxMIMEDepth deep, maxMIMEParts parts) and returns
// the first text/plain part (else the first text/html, tags removed) and the attachments.
func readBody(h mail.Header, r io.Reader) (string, []attachment, error) {
	var plain, html string
	var atts []attachment
	parts := 0
	var walk func(ct, cte, disp string, r io.Reader, depth int) error
	walk = func(ct, cte, disp string, r io.Reader, depth int) error {
		if parts++; parts > maxMIMEParts {
			return fmt.Errorf("more than %d MIME parts", maxMIMEParts)
		}
		if ct == "" {
			ct = "text/plain"
		}
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return fmt.Errorf("Content-Type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			if depth >= maxMIMEDepth {
				return fmt.Errorf("MIME nested deeper than %d", maxMIMEDepth)
			}
			if params["boundary"] == "" {
				return errors.New("a multipart without a boundary")
			}
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return fmt.Errorf("multipart: %v", err)
				}
				if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, depth+1); err != nil {
					return err
				}
			}
		}
		data, err := decodeTransfer(cte, r)
		if err != nil {
			return err
		}
		dispType, dparams, _ := mime.ParseMediaType(disp)
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		if dispType == "attachment" || (name != "" && !strings.HasPrefix(mt, "text/")) || (!strings.HasPrefix(mt, "text/") && mt != "message/rfc822") {
			if len(atts) < maxAttachments+1 {
				atts = append(atts, attachment{name: decodeHeader(name), data: data})
			}
			return nil
		}
		text := string(data)
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
			if rd, err := charsetReader(cs, bytes.NewReader(data)); err == nil {
				if b, err := io.ReadAll(rd); err == nil {
					text = string(b)
				}
			}
		}
		switch {
		case mt == "text/plain" && plain == "":
			plain = text
		case mt == "text/html" && html == "":
			html = text
		}
		return nil
	}
	if err := walk(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), h.Get("Content-Disposition"), r, 0); err != nil {
		return "", nil, err
	}
	if plain == "" && html != "" {
		plain = stripTags(html)
	}
	return strings.TrimSpace(plain), atts, nil
}

func decodeTransfer(cte string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, newlineStripper{r}))
		if err != nil {
			return nil, fmt.Errorf("base64 part: %v", err)
		}
		return b, nil
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(r))
		if err != nil {
			return nil, fmt.Errorf("quoted-printable part: %v", err)
		}
		return b, nil
	}
	return io.ReadAll(r)
}

// newlineStripper drops CR and LF, which base64 bodies carry every 76 characters.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

var tags = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)

func stripTags(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(tags.ReplaceAllString(s, " "))), " ")
}

// attach stores the attachments on the case through the case tracker (its size and type
// limits apply: 10 MiB, images, PDF, text) and says which were refused and why.
func (s *Service) attach(ctx context.Context, brand int64, number, sender string, atts []attachment) string {
	var refused []string
	for i, a := range atts {
		if i >= maxAttachments {
			refused = append(refused, fmt.Sprintf("%d more attachments (at most %d)", len(atts)-maxAttachments, maxAttachments))
			break
		}
		name := a.name
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		_, err := s.opts.Cases.AddAttachment(ctx, accessOf(brand), cases.Actor{Label: "customer:" + sender, System: true}, number, brand, name, a.data)
		if err != nil {
			s.attCount.WithLabelValues("refused").Inc()
			refused = append(refused, fmt.Sprintf("%s refused: %v", name, err))
			continue
		}
		s.attCount.WithLabelValues("stored").Inc()
	}
	return strings.Join(refused, "; ")
}

// acknowledge plans the brand's acknowledgement of a message that opened a case: an e-mail
// through the dialer (window, opt-outs), with {{case}} replaced by the case number and the
// case token in the subject.
func (s *Service) acknowledge(ctx context.Context, m *Message, st Settings, number string) {
	if s.opts.Dialer == nil {
		return
	}
	subject := conversation.WithCaseToken(strings.ReplaceAll(st.AckSubject, "{{case}}", number), number)
	req := dialer.Request{BrandID: m.BrandID, ParcelID: m.ParcelID, Channel: dialer.Email, To: m.Sender, TimeZone: "UTC",
		TriggerRef: fmt.Sprintf("inbound-ack:%d", m.ID), Subject: subject, Body: strings.ReplaceAll(st.AckBody, "{{case}}", number)}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		if err := s.opts.Dialer.Plan(ctx, tx, []dialer.Request{req}); err != nil {
			return err
		}
		id, err := s.opts.Dialer.PlannedID(ctx, tx, m.BrandID, req.TriggerRef)
		if err != nil {
			return fmt.Errorf("the planned acknowledgement: %w", err)
		}
		return conversation.Link(ctx, s.db, tx, m.CaseID, id, conversation.Out, "email", "system:acknowledgement", s.opts.Now())
	})
	if err != nil {
		s.log.ErrorContext(ctx, "plan the acknowledgement", "err", err, "case", number)
		return
	}
	s.count.WithLabelValues("email", "acknowledged").Inc()
}
