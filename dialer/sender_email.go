package dialer

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	gomail "github.com/wneessen/go-mail"
)

// smtpSender sends email over SMTP with go-mail, one connection per message.
type smtpSender struct {
	host, from, domain string
	opts               []gomail.Option
}

// newSMTPSender reads smtp://user:pass@host:port (STARTTLS when the server offers it) or
// smtps://... (implicit TLS). ?tls=none turns TLS off and sends the password with PLAIN in
// the clear: for test servers on loopback only.
func newSMTPSender(raw, from string) (*smtpSender, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: the SMTP URL must be smtp://user:pass@host:port", ErrInvalid)
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("%w: the email From address %q: %v", ErrInvalid, from, err)
	}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("%w: SMTP port %q", ErrInvalid, p)
		}
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(sendTimeout), gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	switch {
	case u.Scheme == "smtps":
		opts = append(opts, gomail.WithSSL())
	case u.Query().Get("tls") == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		auth := gomail.SMTPAuthAutoDiscover // never a password in the clear
		if u.Query().Get("tls") == "none" {
			auth = gomail.SMTPAuthPlainNoEnc // what tls=none asks for: a loopback test server
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	domain := addr.Address[strings.LastIndex(addr.Address, "@")+1:]
	return &smtpSender{host: u.Hostname(), from: from, domain: domain, opts: opts}, nil
}

// Send builds a multipart email (text, and HTML when there is one) with a List-Unsubscribe
// link that works with one click (RFC 2369, RFC 8058) and sends it.
func (m *smtpSender) Send(ctx context.Context, msg Message) (Sent, error) {
	e := gomail.NewMsg()
	if err := e.From(m.from); err != nil {
		return Sent{}, fmt.Errorf("%w: from: %v", ErrRefused, err)
	}
	if err := e.To(msg.To); err != nil {
		return Sent{}, fmt.Errorf("%w: recipient: %v", ErrRefused, err)
	}
	e.Subject(oneLine(msg.Subject))
	e.SetDate()
	id := fmt.Sprintf("wismo-%d-%s@%s", msg.ContactID, randomHex(6), m.domain)
	e.SetMessageIDWithValue(id)
	e.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		e.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for k, v := range msg.Headers {
		e.SetGenHeader(gomail.Header(k), oneLine(v))
	}
	if msg.UnsubscribeURL != "" {
		e.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+msg.UnsubscribeURL+">")
		e.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	sent := Sent{Provider: "smtp", IDs: []string{id}, Parts: 1}
	c, err := gomail.NewClient(m.host, m.opts...)
	if err != nil {
		return sent, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if err := c.DialAndSendWithContext(ctx, e); err != nil {
		return sent, classifySMTP(err)
	}
	return sent, nil
}

// oneLine makes s fit a header of one line (RFC 5322 §2.2: unstructured text; a line break
// belongs to folding only): control characters become spaces and runs of space one space.
// go-mail writes a subject with a line break as an RFC 2047 encoded word, so it cannot add
// headers, but it would still decode to several lines; templates already render subjects on
// one line (scripts), and this holds for every other way a subject reaches the channel.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// classifySMTP tells a message the server never took (refused for good, or temporarily)
// from one whose fate is unknown: the content went out and no verdict came back.
func classifySMTP(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return fmt.Errorf("%w: %v", ErrNotSent, err) // dial, TLS or auth: nothing was sent
	}
	switch se.Reason {
	case gomail.ErrWriteContent, gomail.ErrSMTPDataClose, gomail.ErrAmbiguous:
		if se.ErrorCode() == 0 {
			return fmt.Errorf("SMTP: %w", err) // no reply to the message: unknown
		}
	}
	if se.IsTemp() {
		return fmt.Errorf("%w: %v", ErrNotSent, err)
	}
	return fmt.Errorf("%w: %v", ErrRefused, err)
}
