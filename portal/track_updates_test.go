package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/updates"
)

type updatesEnv struct {
	*trackFixture
	db     *store.DB
	dialer *dialer.Service
}

func newUpdatesEnv(t *testing.T) *updatesEnv {
	e := &updatesEnv{}
	e.trackFixture = newTrackFixture(t, FeedbackLimits{}, withPageCache, func(d *Deps) {
		e.db = d.DB.(*store.DB)
		dl, err := dialer.New(e.db, storetest.Logger(t), dialer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e.dialer = dl
		d.Updates = updates.New(e.db, dl)
	})
	return e
}

// contact is the latest contact planned to an address: its status and body.
func (e *updatesEnv) contact(t *testing.T, to string) (status, body string) {
	t.Helper()
	err := e.db.SQL.QueryRow(e.db.Rebind(`SELECT status, body FROM contacts WHERE recipient = ? ORDER BY id DESC LIMIT 1`), to).Scan(&status, &body)
	if err != nil {
		t.Fatalf("no contact to %s: %v", to, err)
	}
	return status, body
}

func updatesForm(token string, kv ...string) url.Values {
	v := url.Values{"_csrf": {token}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// The page offers updates to the number on file (masked), starts them at once, and shows them
// on the page at once (the page cache drops the parcel's page); a new number needs the code
// sent to it, which it gets through the dialer.
func TestUpdatesBySMS(t *testing.T) {
	e := newUpdatesEnv(t)
	b := e.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	page := b.do("GET", "/track/RB123456785GB", nil) // cached
	if !strings.Contains(page.body, "Updates about this parcel") || !strings.Contains(page.body, "7 *** *** 45 67") ||
		strings.Contains(page.body, "123 45 67") || strings.Contains(page.body, "9131234567") {
		t.Fatalf("updates card with the masked number: %.4000s", page.body)
	}
	if r := b.do("POST", "/track/RB123456785GB/updates", updatesForm("", "channel", "sms", "target", "file")); r.status != http.StatusForbidden {
		t.Errorf("without the page's token: %d", r.status)
	}
	r := b.do("POST", "/track/RB123456785GB/updates", updatesForm(token, "channel", "sms", "target", "file"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("updates to the number on file: %d %.500s", r.status, r.body)
	}
	if st, body := e.contact(t, "+79131234567"); st != "planned" || !strings.Contains(body, "You will get updates about parcel RB123456785GB") {
		t.Errorf("confirmation SMS: %s %q", st, body)
	}
	if p := b.do("GET", "/track/RB123456785GB", nil); !strings.Contains(p.body, `<span class="pill ok">on</span>`) {
		t.Errorf("the page (cached before) does not show the updates: %.4000s", p.body)
	}

	// A stranger's number gets a code, and nothing starts without it.
	r = b.do("POST", "/track/RB123456785GB/updates?lang=ru", updatesForm(token, "channel", "sms", "target", "new", "to", "+7 999 000-11-22"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("updates to a new number: %d %.500s", r.status, r.body)
	}
	_, body := e.contact(t, "+79990001122")
	code := sixDigits.FindString(body)
	if code == "" || !strings.Contains(body, "Ваш код") {
		t.Fatalf("code SMS: %q", body)
	}
	if p := b.do("GET", "/track/RB123456785GB?lang=en", nil); !strings.Contains(p.body, "waiting for confirmation") || !strings.Contains(p.body, `id="upd-code"`) {
		t.Errorf("pending number not shown with the code form")
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := b.do("POST", "/track/RB123456785GB/updates/confirm", updatesForm(token, "code", wrong)); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The code is wrong or expired") {
		t.Errorf("wrong code: %d", r.status)
	}
	if r := b.do("POST", "/track/RB123456785GB/updates/confirm", updatesForm(token, "code", code)); r.status != http.StatusSeeOther {
		t.Errorf("right code: %d %.300s", r.status, r.body)
	}
	subs, err := updates.New(e.db, e.dialer).Subs(context.Background(), e.brandA, "RB123456785GB")
	if err != nil || len(subs) != 2 || !subs[0].Active || !subs[1].Active || subs[1].Address != "+79990001122" {
		t.Errorf("requests: %+v %v", subs, err)
	}
}

// A new e-mail address is confirmed by the link sent to it; the number of new addresses per
// parcel is bounded.
func TestUpdatesByEmailAndBounds(t *testing.T) {
	e := newUpdatesEnv(t)
	b := e.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	if r := b.do("POST", "/track/RB123456785GB/updates", updatesForm(token, "channel", "email", "target", "new", "to", "not an address")); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a malformed address: %d", r.status)
	}
	r := b.do("POST", "/track/RB123456785GB/updates", updatesForm(token, "channel", "email", "target", "new", "to", "olga@example.org"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("updates to a new address: %d %.500s", r.status, r.body)
	}
	_, body := e.contact(t, "olga@example.org")
	i := strings.Index(body, "/track/RB123456785GB/updates/confirm?token=")
	if i < 0 {
		t.Fatalf("confirmation e-mail: %q", body)
	}
	link := strings.Fields(body[i:])[0]
	if r := b.do("GET", "/track/RB123456785GB/updates/confirm?token=0000", nil); r.status != http.StatusBadRequest {
		t.Errorf("a made-up link: %d", r.status)
	}
	if r := b.do("GET", link, nil); r.status != http.StatusSeeOther {
		t.Fatalf("the link: %d %.300s", r.status, r.body)
	}
	if p := b.do("GET", "/track/RB123456785GB", nil); !strings.Contains(p.body, "o***@e***.org") || !strings.Contains(p.body, `<span class="pill ok">on</span>`) {
		t.Errorf("confirmed address not shown")
	}
	// Two more new addresses this hour, then the parcel's page may send no more.
	for i, to := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		r := b.do("POST", "/track/RB123456785GB/updates", updatesForm(token, "channel", "email", "target", "new", "to", to))
		want := http.StatusSeeOther
		if i == 2 {
			want = http.StatusTooManyRequests
		}
		if r.status != want {
			t.Errorf("new address %s: %d, want %d", to, r.status, want)
		}
	}
}
