package dialer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/wismo/wismo/dialer/gsm"
)

// Message is one SMS or email to send, rendered when it was planned.
type Message struct {
	ContactID int64
	BrandID   int64
	Channel   Channel
	To        string
	Subject   string            // email
	Text      string            // the SMS, or the email's text part
	HTML      string            // the email's HTML part
	From      string            // SMS over SMPP: the brand's reply-capable number ("" is WISMO_SMPP_SOURCE_ADDR)
	Headers   map[string]string // email: Reply-To and the thread's In-Reply-To and References
	// UnsubscribeURL is the email's List-Unsubscribe link (RFC 2369, one-click per RFC 8058).
	UnsubscribeURL string
}

// Sent is the provider's answer to a message that went out.
type Sent struct {
	Provider string   // "smpp", "http", "smtp", "log"
	IDs      []string // one per SMS part; the Message-ID for email
	Encoding string   // SMS: GSM-7 or UCS-2
	Parts    int
}

// Sender sends messages of one channel. Its errors say what became of the message:
// wrapping ErrNotSent means it certainly did not go out (the scheduler tries again later),
// wrapping ErrRefused means the provider refused it for good; any other error means it may
// have gone out, and the contact becomes `unknown`.
type Sender interface {
	Send(ctx context.Context, m Message) (Sent, error)
}

// Errors a Sender wraps to classify a failure.
var (
	ErrNotSent = errors.New("not sent")
	ErrRefused = errors.New("refused by the provider")
)

// fate is what a send's error means for the contact.
type fate int

const (
	fateSent fate = iota
	fateRetry
	fateFailed
	fateUnknown
)

func fateOf(err error) fate {
	switch {
	case err == nil:
		return fateSent
	case errors.Is(err, ErrNotSent):
		return fateRetry
	case errors.Is(err, ErrRefused):
		return fateFailed
	}
	return fateUnknown
}

// logSender is the embedded default channel: it records that the message went out (the
// rendered text is on the contact) and marks it sent, so `make run` shows the whole flow
// without an SMSC or a mail server. It logs no personal data.
type logSender struct {
	log     *slog.Logger
	channel Channel
}

func (l logSender) Send(ctx context.Context, m Message) (Sent, error) {
	s := Sent{Provider: "log", IDs: []string{fmt.Sprintf("log-%d", m.ContactID)}, Parts: 1}
	if l.channel == SMS {
		info := gsm.Analyze(m.Text)
		s.Encoding, s.Parts = string(info.Encoding), info.Segments
	}
	l.log.DebugContext(ctx, "message sent through the log channel", "channel", l.channel, "contact", m.ContactID, "parts", s.Parts)
	return s, nil
}
