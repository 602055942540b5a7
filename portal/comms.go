package portal

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// CommsHistory reads what a brand has sent a parcel's recipient and every call about the
// parcel, for the public tracking page. cmd/wismo implements it over the dialer's contacts
// and the call center's call log (one query each).
type CommsHistory interface {
	ParcelComms(ctx context.Context, brandID int64, parcelID string) ([]Comm, error)
}

// Comm is one communication with a parcel's recipient, in the vocabulary of the domains.
// To is the raw phone number or e-mail address: the page masks it and shows no body.
type Comm struct {
	At          time.Time
	Channel     string // "sms", "email", "call"
	Direction   string // calls: "outbound" (we called) or "inbound" (the customer called)
	Status      string // messages: sending, sent, delivered, failed, unknown; "planned": a callback promised, At is its time
	Outcome     string // calls: answered, no_answer, busy, ... ("" while in flight)
	Disposition string // answered calls: reached, wrong_number, callback_requested, refused, voicemail, the brand's own
	To          string
}

// trackComm is a communication as the public page renders it.
type trackComm struct {
	ISO, When, Channel, Meaning, Tone, To string
}

// meaning says what a communication meant for the customer: the public vocabulary of
// docs/architecture.md ("we called, no answer" for any outcome but answered, and for voicemail and
// abandoned; "we spoke with you" for reached and callback_requested; "we called" for
// wrong_number, refused and anything else) and a message's status. It returns a message key
// and a tone for the pill.
func (c Comm) meaning() (key, tone string) {
	if c.Channel != "call" {
		switch c.Status {
		case "delivered":
			return "msg_delivered", "ok"
		case "sent":
			return "msg_sent", ""
		case "failed":
			return "msg_failed", "bad"
		case "unknown":
			return "msg_checking", "warn"
		default:
			return "msg_sending", ""
		}
	}
	if c.Status == "planned" { // a callback promised: its time is when we will call
		return "call_planned", ""
	}
	spoke := c.Outcome == "answered" && (c.Disposition == "reached" || c.Disposition == "callback_requested")
	missed := c.Outcome != "" && (c.Outcome != "answered" || c.Disposition == "voicemail")
	if c.Direction == "inbound" {
		switch {
		case missed:
			return "in_missed", "warn"
		case c.Outcome == "answered":
			return "in_spoke", "ok"
		}
		return "in_called", ""
	}
	switch {
	case spoke:
		return "call_spoke", "ok"
	case missed:
		return "call_noanswer", "warn"
	}
	return "call_called", ""
}

// publicComms turns communications into page lines, newest first, times in loc.
func publicComms(list []Comm, loc *time.Location, t func(string) string) []trackComm {
	out := make([]trackComm, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		c := list[i]
		key, tone := c.meaning()
		to := maskPhone(c.To)
		if c.Channel == "email" {
			to = maskEmail(c.To)
		}
		out = append(out, trackComm{ISO: c.At.Format(time.RFC3339), When: c.At.In(loc).Format("02.01.2006 15:04"),
			Channel: t("ch_" + c.Channel), Meaning: t(key), Tone: tone, To: to})
	}
	return out
}

// maskPhone hides all of a phone number but its country code and its last four digits:
// "+79131234567" -> "+7 *** *** 45 67". Anything that is not a number of at least seven
// digits is hidden entirely.
func maskPhone(raw string) string {
	var digits []byte
	for i := 0; i < len(raw); i++ {
		if raw[i] >= '0' && raw[i] <= '9' {
			digits = append(digits, raw[i])
		}
	}
	if len(digits) < 7 {
		return "***"
	}
	last := string(digits[len(digits)-4:len(digits)-2]) + " " + string(digits[len(digits)-2:])
	cc := ""
	if num, err := phonenumbers.Parse("+"+string(digits), ""); err == nil && num.GetCountryCode() != 0 {
		cc = "+" + strconv.Itoa(int(num.GetCountryCode())) + " "
	}
	return cc + "*** *** " + last
}

// maskEmail keeps the first letter of the mailbox and of the domain, and the top-level
// domain: "ivan.petrov@example.com" -> "i***@e***.com".
func maskEmail(raw string) string {
	user, domain, ok := strings.Cut(strings.TrimSpace(raw), "@")
	if !ok || user == "" || domain == "" {
		return "***"
	}
	name, tld := domain, ""
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		name, tld = domain[:i], domain[i:]
	}
	return firstRune(user) + "***@" + firstRune(name) + "***" + tld
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}
