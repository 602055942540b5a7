package portal

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMaskPhoneAndEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+79131234567", "+7 *** *** 45 67"},
		{"+7 913 123 45 67", "+7 *** *** 45 67"},
		{"+447911123456", "+44 *** *** 34 56"},
		{"+12025550123", "+1 *** *** 01 23"},
		{"agent7", "***"},
		{"", "***"},
	} {
		if got := maskPhone(tc.in); got != tc.want {
			t.Errorf("maskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ivan.petrov@example.com", "i***@e***.com"},
		{"анна@почта.рф", "а***@п***.рф"},
		{"nobody", "***"},
	} {
		if got := maskEmail(tc.in); got != tc.want {
			t.Errorf("maskEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every call attempt says what it meant for the customer (docs/architecture.md's vocabulary), every
// message its status; numbers and addresses are masked, bodies never shown.
func TestTrackingPageCommunications(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	at := func(h int) time.Time { return time.Date(2026, 11, 9, h, 0, 0, 0, time.UTC) }
	const phone, email = "+79131234567", "ivan@example.com"
	f.comms.list["RB123456785GB"] = []Comm{
		{At: at(1), Channel: "sms", Status: "delivered", To: phone},
		{At: at(2), Channel: "email", Status: "failed", To: email},
		{At: at(3), Channel: "call", Direction: "outbound", Outcome: "no_answer", To: phone},
		{At: at(4), Channel: "call", Direction: "outbound", Outcome: "busy", To: phone},
		{At: at(5), Channel: "call", Direction: "outbound", Outcome: "answered", Disposition: "voicemail", To: phone},
		{At: at(6), Channel: "call", Direction: "outbound", Outcome: "abandoned", To: phone},
		{At: at(7), Channel: "call", Direction: "outbound", Outcome: "answered", Disposition: "wrong_number", To: phone},
		{At: at(8), Channel: "call", Direction: "outbound", Outcome: "answered", Disposition: "refused", To: phone},
		{At: at(9), Channel: "call", Direction: "outbound", Outcome: "answered", Disposition: "callback_requested", To: phone},
		{At: at(10), Channel: "call", Direction: "outbound", Outcome: "answered", Disposition: "reached", To: phone},
		{At: at(11), Channel: "call", Direction: "inbound", Outcome: "answered", Disposition: "reached", To: phone},
		{At: at(12), Channel: "sms", Status: "sent", To: phone},
		{At: at(13), Channel: "call", Direction: "outbound", Status: "planned", To: phone}, // a callback promised
	}
	r := f.do(t, "GET", "/track/RB123456785GB", "", "")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	section := r.body[strings.Index(r.body, `id="comms"`):]
	section = section[:strings.Index(section, "</section>")]
	line := regexp.MustCompile(`<time datetime="[^"]+">([^<]+)</time><div><strong>([^<]+)</strong> <span class="pill[^"]*">([^<]+)</span><br><span class="muted mono small">([^<]+)</span>`)
	var got []string
	for _, m := range line.FindAllStringSubmatch(section, -1) {
		got = append(got, html.UnescapeString(m[1]+" | "+m[2]+" | "+m[3]+" | "+m[4]))
	}
	// Newest first; times in the recipient's zone (Asia/Novosibirsk, UTC+7).
	want := []string{
		"09.11.2026 20:00 | Call | We will call you back | +7 *** *** 45 67",
		"09.11.2026 19:00 | SMS | Sent | +7 *** *** 45 67",
		"09.11.2026 18:00 | Call | You called us, we spoke with you | +7 *** *** 45 67",
		"09.11.2026 17:00 | Call | We spoke with you | +7 *** *** 45 67",
		"09.11.2026 16:00 | Call | We spoke with you | +7 *** *** 45 67",
		"09.11.2026 15:00 | Call | We called | +7 *** *** 45 67",
		"09.11.2026 14:00 | Call | We called | +7 *** *** 45 67",
		"09.11.2026 13:00 | Call | We called, no answer | +7 *** *** 45 67",
		"09.11.2026 12:00 | Call | We called, no answer | +7 *** *** 45 67",
		"09.11.2026 11:00 | Call | We called, no answer | +7 *** *** 45 67",
		"09.11.2026 10:00 | Call | We called, no answer | +7 *** *** 45 67",
		"09.11.2026 09:00 | Email | Not delivered | i***@e***.com",
		"09.11.2026 08:00 | SMS | Delivered | +7 *** *** 45 67",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("communication history:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, secret := range []string{phone, "913", "79131", email, "ivan@"} {
		if strings.Contains(r.body, secret) {
			t.Errorf("the page shows %q", secret)
		}
	}
	// Read in the parcel's brand only.
	for _, b := range f.comms.brands {
		if b != f.brandA {
			t.Errorf("communications read for brand %d, the parcel is brand %d's", b, f.brandA)
		}
	}
	ru := f.do(t, "GET", "/track/RB123456785GB?lang=ru", "", "")
	for _, want := range []string{"Сообщения и звонки", "Мы звонили, ответа не было", "Мы поговорили с вами", "Не доставлено", "Звонок", "Мы вам перезвоним"} {
		if !strings.Contains(ru.body, want) {
			t.Errorf("Russian page lacks %q", want)
		}
	}
	// No history yet says so.
	f.comms.list["RB123456785GB"] = nil
	if r := f.do(t, "GET", "/track/RB123456785GB", "", ""); !strings.Contains(r.body, "We have not sent you anything") {
		t.Error("empty history not explained")
	}
}
