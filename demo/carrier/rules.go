package carrier

import (
	"net/url"
	"strings"
	"time"

	"github.com/wismo/wismo/geo"
)

// Answer is what the demo carrier does with a call to a number.
type Answer int

// What a called number does (README "The demo carrier").
const (
	Person    Answer = iota // rings, answers, says hello, listens, says goodbye
	Busy                    // 486 Busy Here at once
	NoAnswer                // rings, then 480 Temporarily Unavailable
	Voicemail               // rings, answers with a greeting and a beep, listens, hangs up
)

func (a Answer) String() string {
	return [...]string{"person", "busy", "no answer", "voicemail"}[a]
}

// Rule says what a call to number does, by the last digit of its E.164 form: 0 busy, 1 no
// answer, 2 voicemail, 3 to 9 a person. A national number is read as a Russian one (demo
// parcels go mostly to Russia). ok is false for anything that is not a phone number.
func Rule(number string) (e164 string, a Answer, ok bool) {
	e164, err := geo.NormalizePhone(number, "RU")
	if err != nil {
		return "", 0, false
	}
	switch e164[len(e164)-1] {
	case '0':
		return e164, Busy, true
	case '1':
		return e164, NoAnswer, true
	case '2':
		return e164, Voicemail, true
	}
	return e164, Person, true
}

// Language is the language of the voices a number hears and speaks: Russian for +7 (Russia
// and Kazakhstan), English for every other country.
func Language(e164 string) string {
	if strings.HasPrefix(e164, "+7") {
		return "ru"
	}
	return "en"
}

// dialled is the number in a Request-URI's user part (RFC 3261 §19.1.2: escaped characters
// are read as what they stand for; wismo escapes the spaces of a number typed with them).
func dialled(user string) string {
	if s, err := url.PathUnescape(user); err == nil {
		return s
	}
	return user
}

// Timing is how long the carrier's parties take; the zero value of a field takes its default
// (tests make them short).
type Timing struct {
	PersonRing      time.Duration // before a person answers; default 3 s
	PersonTalk      time.Duration // how long a person stays on the line before saying goodbye; default 90 s
	VoicemailRing   time.Duration // before the voicemail answers; default 8 s
	VoicemailListen time.Duration // silence recorded after the beep before hanging up; default 20 s
	NoAnswerRing    time.Duration // ringing before 480; default 20 s (wismo gives up after 30 s)
	HotlineCall     time.Duration // how long a demo customer stays on the hotline at most; default 75 s
}

// withDefaults fills the zero fields.
func (t Timing) withDefaults() Timing {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.PersonRing, 3*time.Second)
	def(&t.PersonTalk, 90*time.Second)
	def(&t.VoicemailRing, 8*time.Second)
	def(&t.VoicemailListen, 20*time.Second)
	def(&t.NoAnswerRing, 20*time.Second)
	def(&t.HotlineCall, 75*time.Second)
	return t
}
