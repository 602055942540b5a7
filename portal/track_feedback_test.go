package portal

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/throttle"
	"github.com/wismo/wismo/tracking"
)

// fakeComms is a CommsHistory with fixed communications per parcel; it records the brand each
// read was scoped to.
type fakeComms struct {
	mu     sync.Mutex
	list   map[string][]Comm
	brands []int64
}

func (f *fakeComms) ParcelComms(_ context.Context, brandID int64, parcelID string) ([]Comm, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.brands = append(f.brands, brandID)
	return f.list[parcelID], nil
}

type trackFixture struct {
	*fixture
	desk  *cases.CaseService
	comms *fakeComms
}

// newTrackFixture is the portal with the case tracker and a fake communication history.
func newTrackFixture(t *testing.T, limits FeedbackLimits, opts ...func(*Deps)) *trackFixture {
	t.Helper()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	desk := cases.NewCaseService(db, log, "http://127.0.0.1:8080")
	comms := &fakeComms{list: map[string][]Comm{}}
	d := Deps{Log: log, DB: db, Access: acc, Cases: tracking.NewService(db, log, reg), Registry: reg,
		PublicURL: "http://127.0.0.1:8080", Comms: comms, CaseDesk: desk, Requests: desk, FeedbackLimits: limits}
	for _, o := range opts {
		o(&d)
	}
	app := New(d)
	ctx := context.Background()
	a, ka, _ := acc.CreateBrand(ctx, "Brand A")
	b, kb, err := acc.CreateBrand(ctx, "Brand B")
	if err != nil {
		t.Fatal(err)
	}
	f := &trackFixture{fixture: &fixture{app: app, acc: acc, keyA: ka, keyB: kb, brandA: a.ID, brandB: b.ID}, desk: desk, comms: comms}
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","location":"London","country":"GB"}]}`)
	return f
}

// withPageCache keeps rendered tracking pages for an hour unless dropped.
func withPageCache(d *Deps) { d.TrackCache = newPageCache(time.Hour, time.Now, d.Registry) }

func (f *trackFixture) browser(t *testing.T) *browser {
	return &browser{t: t, app: f.app, cookies: map[string]string{}}
}

// brandCases lists the cases of a parcel a brand's staff see.
func (f *trackFixture) brandCases(t *testing.T, brand int64) []cases.CaseView {
	t.Helper()
	list, _, err := f.desk.List(context.Background(), access.Brands(brand), cases.CaseFilter{ParcelID: "RB123456785GB"})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// formToken opens the tracking page as a person would and returns its form token.
func formToken(t *testing.T, b *browser, path string) string {
	t.Helper()
	page := b.do("GET", path, nil)
	m := csrfField.FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("tracking page: %d %.300s", page.status, page.body)
	}
	return m[1]
}

func feedbackForm(token string, kv ...string) url.Values {
	v := url.Values{"_csrf": {token}, "category": {"damage"}, "message": {"The box arrived crushed and wet."},
		"name": {"Anna"}, "contact": {"anna@example.com"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

var sentNumber = regexp.MustCompile(`id="sent-number">([^<]+)<`)

func TestFeedbackOpensCaseWithNumber(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	r := b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token))
	loc := r.header.Get("Location")
	if r.status != 303 || !strings.HasPrefix(loc, "/track/RB123456785GB?sent=") {
		t.Fatalf("feedback post: %d %q %.500s", r.status, loc, r.body)
	}
	page := b.do("GET", loc, nil)
	m := sentNumber.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no confirmation with a case number: %.2000s", page.body)
	}
	got := f.brandCases(t, f.brandA)
	if len(got) != 1 {
		t.Fatalf("brand A sees %d cases, want 1", len(got))
	}
	c := got[0]
	if c.Number != m[1] || c.Type != cases.TypeDamage || c.Source != cases.SourceFeedbackForm || c.Contact.Name != "Anna" ||
		c.Contact.Email != "anna@example.com" || c.BrandID != f.brandA || c.Parcels[0] != "RB123456785GB" {
		t.Errorf("case %+v, confirmed %s", c, m[1])
	}
	// The request is in the page's history, and the other brand sees no case.
	if !strings.Contains(page.body, `<strong class="mono">`+c.Number+`</strong>`) || !strings.Contains(page.body, "The parcel arrived damaged") {
		t.Errorf("requests history lacks %s", c.Number)
	}
	if other := f.brandCases(t, f.brandB); len(other) != 0 {
		t.Errorf("brand B sees brand A's case: %+v", other)
	}
	// A case an agent opened is not the customer's request: the page does not list it.
	agents, err := f.desk.Open(context.Background(), access.Brands(f.brandA), cases.Actor{Label: "user:agent"},
		cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "complaint", Source: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.do("GET", "/track/RB123456785GB", nil); strings.Contains(p.body, agents.Number) || !strings.Contains(p.body, c.Number) {
		t.Errorf("requests: want %s and not the agent's %s", c.Number, agents.Number)
	}
	// A number that is not one of this parcel's requests is not confirmed.
	if p := b.do("GET", "/track/RB123456785GB?sent=XX-000001", nil); strings.Contains(p.body, `id="sent"`) {
		t.Error("a made-up case number was confirmed")
	}
}

func TestDeliveryOptionsOpenTypedCases(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	b := f.browser(t)
	zone, _ := time.LoadLocation("Asia/Novosibirsk")
	tomorrow := time.Now().In(zone).AddDate(0, 0, 1).Format("2006-01-02")
	for _, tc := range []struct {
		option, field, value string
		want                 cases.CaseType
		note                 string
	}{
		{"pickup", "point", "Pick-up point Lenina 5", cases.TypeDeliveryChange, "Pick-up point Lenina 5"},
		{"return", "reason", "Ordered the wrong size", cases.TypeReturn, "Ordered the wrong size"},
	} {
		token := formToken(t, b, "/track/RB123456785GB")
		r := b.do("POST", "/track/RB123456785GB/request", url.Values{"_csrf": {token}, "option": {tc.option}, tc.field: {tc.value},
			"name": {"Anna"}, "contact": {"+7 913 765 43 21"}})
		if r.status != 303 {
			t.Fatalf("%s: %d %.1000s", tc.option, r.status, r.body)
		}
		got := f.brandCases(t, f.brandA)
		if len(got) == 0 || got[0].Type != tc.want || got[0].Contact.Phone != "+79137654321" {
			t.Fatalf("%s: cases %+v", tc.option, got)
		}
		d, err := f.desk.Detail(context.Background(), access.Brands(f.brandA), got[0].Number, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(d.Timeline), tc.note) {
			t.Errorf("%s: case note lacks %q: %v", tc.option, tc.note, d.Timeline)
		}
		page := b.do("GET", r.header.Get("Location"), nil)
		if !strings.Contains(page.body, got[0].Number) || !strings.Contains(page.body, `id="sent-number">`+got[0].Number) {
			t.Errorf("%s: page lacks the confirmed request %s", tc.option, got[0].Number)
		}
	}
	// A new day is no longer asked for here (the day buttons choose it): a stale page's post
	// is refused with where to choose, and nothing is opened.
	token := formToken(t, b, "/track/RB123456785GB")
	r := b.do("POST", "/track/RB123456785GB/request", url.Values{"_csrf": {token}, "option": {"day"}, "day": {tomorrow},
		"name": {"Anna"}, "contact": {"anna@example.com"}})
	if r.status != 422 || !strings.Contains(r.body, `id="do-option-err">A new delivery day is chosen with the day buttons`) {
		t.Errorf("a day by the form: %d %.3000s", r.status, r.body)
	}
	if n := len(f.brandCases(t, f.brandA)); n != 2 {
		t.Errorf("%d cases after a refused request, want 2", n)
	}
}

func TestFeedbackValidationNamesFields(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	r := b.do("POST", "/track/RB123456785GB/feedback", url.Values{"_csrf": {token}, "category": {"refund_now"}, "message": {"short"},
		"name": {""}, "contact": {"not a phone"}})
	if r.status != 422 {
		t.Fatalf("status %d", r.status)
	}
	for id, want := range map[string]string{
		"fb-category-err": "Choose what your message is about.",
		"fb-message-err":  "at least 10 characters",
		"fb-name-err":     "Enter your name.",
		"fb-contact-err":  "not a phone number",
	} {
		if !regexp.MustCompile(`id="` + id + `">[^<]*` + regexp.QuoteMeta(want)).MatchString(r.body) {
			t.Errorf("no %q next to the field (%s)", want, id)
		}
	}
	if !strings.Contains(r.body, `value="not a phone"`) {
		t.Error("the form did not keep the values typed")
	}
	rb := &browser{t: t, app: f.app, cookies: map[string]string{trackCSRFCookie: b.cookies[trackCSRFCookie]}}
	ru := rb.do("POST", "/track/RB123456785GB/feedback?lang=ru", url.Values{"_csrf": {token}, "category": {"damage"}, "message": {"коротко"},
		"name": {"Анна"}, "contact": {"anna@example.com"}})
	if ru.status != 422 || !strings.Contains(ru.body, `id="fb-message-err">Напишите, пожалуйста, не меньше 10 символов.`) {
		t.Errorf("Russian validation message: %d", ru.status)
	}
	long := strings.Repeat("я", maxMessageRunes+1)
	r = b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token, "message", long, "contact", "anna@"))
	if r.status != 422 || !strings.Contains(r.body, "Please keep it to 2000 characters (now 2001)") || !strings.Contains(r.body, "not an email address") {
		t.Errorf("long message / bad email: %d", r.status)
	}
	huge := strings.Repeat("x", maxFormBytes+1)
	if r := b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token, "message", huge)); r.status != 413 || !strings.Contains(r.body, "too large") {
		t.Errorf("oversized form: %d", r.status)
	}
	if n := len(f.brandCases(t, f.brandA)); n != 0 {
		t.Errorf("%d cases opened by invalid forms", n)
	}
}

const xss = `<script>alert("x")</script><img src=x onerror=alert(1)>`

func TestFeedbackEscapesEveryField(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	check := func(name string, r reply) {
		t.Helper()
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
			t.Errorf("%s: the payload is in the page unescaped", name)
		}
	}
	// Invalid: every field is echoed back (the category too, as the error says), escaped.
	r := b.do("POST", "/track/RB123456785GB/feedback", url.Values{"_csrf": {token}, "category": {xss}, "message": {xss},
		"name": {xss}, "contact": {xss}})
	if r.status != 422 || strings.Count(r.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") < 3 {
		t.Errorf("feedback with the payload: %d, escaped copies %d", r.status, strings.Count(r.body, "&lt;script&gt;"))
	}
	check("feedback", r)
	r = b.do("POST", "/track/RB123456785GB/request", url.Values{"_csrf": {token}, "option": {xss}, "day": {xss}, "point": {xss},
		"reason": {xss}, "name": {xss}, "contact": {xss}})
	if r.status != 422 || strings.Count(r.body, "&lt;script&gt;") < 4 {
		t.Errorf("delivery options with the payload: %d, escaped copies %d", r.status, strings.Count(r.body, "&lt;script&gt;"))
	}
	check("options", r)
	// Valid form with the payload in the free text: the case opens, the page stays clean.
	r = b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token, "message", xss+" and more", "name", xss))
	if r.status != 303 {
		t.Fatalf("valid feedback with the payload: %d", r.status)
	}
	check("confirmation", b.do("GET", r.header.Get("Location"), nil))
	check("sent parameter", b.do("GET", "/track/RB123456785GB?sent="+url.QueryEscape(xss), nil))
	check("search box", b.do("GET", "/track/"+url.PathEscape(xss), nil))
}

func TestFeedbackNeedsCSRFToken(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	noToken := feedbackForm(token)
	noToken.Del("_csrf")
	for _, tc := range []struct {
		name    string
		form    url.Values
		cookies map[string]string
	}{
		{"no token", noToken, b.cookies},
		{"wrong token", feedbackForm(strings.Repeat("0", 32)), b.cookies},
		{"no cookie", feedbackForm(token), map[string]string{}},
	} {
		c := &browser{t: t, app: f.app, cookies: tc.cookies}
		r := c.do("POST", "/track/RB123456785GB/feedback", tc.form)
		if r.status != 403 || !strings.Contains(r.body, "out of date") || !strings.Contains(r.body, "The box arrived crushed") {
			t.Errorf("%s: %d %.300s", tc.name, r.status, r.body)
		}
	}
	if n := len(f.brandCases(t, f.brandA)); n != 0 {
		t.Errorf("%d cases opened without a valid token", n)
	}
}

func TestFeedbackRateLimits(t *testing.T) {
	t.Run("per IP", func(t *testing.T) {
		f := newTrackFixture(t, FeedbackLimits{PerIP: Limit{Requests: 2, Window: time.Hour}, PerParcel: Limit{Requests: 100, Window: time.Hour}})
		b := f.browser(t)
		token := formToken(t, b, "/track/RB123456785GB")
		for i := 0; i < 2; i++ {
			if r := b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token)); r.status != 303 {
				t.Fatalf("post %d: %d", i+1, r.status)
			}
		}
		r := b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token))
		if r.status != 429 || !strings.Contains(r.body, "Too many requests: please try again in 60 minutes") || r.header.Get("Retry-After") == "" {
			t.Fatalf("third post: %d %q %.500s", r.status, r.header.Get("Retry-After"), r.body)
		}
		// The answer is the parcel's page with the typed message kept, not an unrelated hint.
		for _, want := range []string{">The box arrived crushed and wet.</textarea>", `id="form-error"`, "Tracking history", `minlength="10"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("rate-limited page lacks %q", want)
			}
		}
		if strings.Contains(r.body, "A tracking number has 13 characters") {
			t.Error("rate-limited page shows the tracking-number hint")
		}
		r = b.do("POST", "/track/RB123456785GB/feedback?lang=ru", feedbackForm(token, "message", "Коробка пришла мятой и мокрой."))
		for _, want := range []string{"Слишком много запросов: попробуйте снова через 60 мин.", ">Коробка пришла мятой и мокрой.</textarea>", "История отслеживания"} {
			if r.status != 429 || !strings.Contains(r.body, want) {
				t.Errorf("Russian rate-limited page (%d) lacks %q", r.status, want)
			}
		}
		if n := len(f.brandCases(t, f.brandA)); n != 2 {
			t.Errorf("%d cases, want 2", n)
		}
		// Reading the page is not limited.
		if r := b.do("GET", "/track/RB123456785GB", nil); r.status != 200 {
			t.Errorf("page after the limit: %d", r.status)
		}
	})
	t.Run("per parcel", func(t *testing.T) {
		f := newTrackFixture(t, FeedbackLimits{PerIP: Limit{Requests: 100, Window: time.Hour}, PerParcel: Limit{Requests: 1, Window: time.Hour}})
		b := f.browser(t)
		token := formToken(t, b, "/track/RB123456785GB")
		if r := b.do("POST", "/track/RB123456785GB/request", url.Values{"_csrf": {token}, "option": {"return"}, "name": {"A"}, "contact": {"a@example.com"}}); r.status != 303 {
			t.Fatalf("first: %d", r.status)
		}
		if r := b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token)); r.status != 429 {
			t.Fatalf("second post about the parcel: %d", r.status)
		}
		// Another parcel is not held back by this one's limit (an unknown one is a 404).
		if r := b.do("POST", "/track/RB123456799GB/feedback", feedbackForm(token)); r.status != 404 || !strings.Contains(r.body, "could not find") {
			t.Errorf("other parcel: %d", r.status)
		}
	})
}

// A key handed to the limiter may be a view of a request buffer that the next request reuses
// (Fiber's route params are): the window must stay with the key as it was when counted.
func TestLimiterKeepsKeysPastTheRequestBuffer(t *testing.T) {
	l := newFeedbackLimiter(FeedbackLimits{PerIP: Limit{Requests: 100, Window: time.Hour}, PerParcel: Limit{Requests: 1, Window: time.Hour}}, time.Now)
	buf := []byte("RB123456785GB")
	if ok, _, _ := l.check("a", unsafe.String(&buf[0], len(buf))); !ok {
		t.Fatal("first request refused")
	}
	l.opened(unsafe.String(&buf[0], len(buf)))
	copy(buf, "RB123456799GB") // the next request's id lands in the same buffer
	if ok, _, _ := l.check("a", "RB123456799GB"); !ok {
		t.Error("another parcel was refused: the first window's key changed under it")
	}
	if ok, _, _ := l.check("a", "RB123456785GB"); ok {
		t.Error("the first parcel's second request was allowed: its window was lost")
	}
}

// Posts without the page's token, or with invalid fields, do not use up the parcel's limit:
// 20 of them, then the recipient's real post opens a case (issue 13, defect 8: the 21st post,
// the recipient's, was refused for an hour).
func TestFeedbackGarbageDoesNotLockOutTheRecipient(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{PerIP: Limit{Requests: 100, Window: 10 * time.Minute}, PerParcel: DefaultFeedbackLimits.PerParcel})
	attacker := f.browser(t)
	token := formToken(t, attacker, "/track/RB123456785GB")
	for i := range DefaultFeedbackLimits.PerParcel.Requests {
		form := feedbackForm("", "message", "x") // no token
		if i%2 == 1 {
			form = feedbackForm(token, "contact", "not an address", "category", "nonsense") // a token, invalid fields
		}
		if r := attacker.do("POST", "/track/RB123456785GB/feedback", form); r.status != 403 && r.status != 422 {
			t.Fatalf("garbage post %d: %d, want 403 or 422", i+1, r.status)
		}
	}
	recipient := f.browser(t)
	r := recipient.do("POST", "/track/RB123456785GB/feedback", feedbackForm(formToken(t, recipient, "/track/RB123456785GB")))
	if r.status != 303 {
		t.Fatalf("the recipient's post after %d garbage posts: %d %.300s", DefaultFeedbackLimits.PerParcel.Requests, r.status, r.body)
	}
	if n := len(f.brandCases(t, f.brandA)); n != 1 {
		t.Errorf("%d cases, want the recipient's one", n)
	}
}

// A table full of addresses forgets the oldest instead of refusing every new one (issue 13,
// defect 8: at 100,000 addresses every new address was refused).
func TestFeedbackAddressTableNeverDeniesEveryone(t *testing.T) {
	l := newFeedbackLimiter(DefaultFeedbackLimits, time.Now)
	for i := range throttle.DefaultMaxKeys + 1 {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if ok, _, _ := l.check(addr, "RB123456785GB"); !ok {
			t.Fatalf("address %d of a flood refused", i+1)
		}
		l.tokenPassed(addr)
	}
	if ok, _, byAddr := l.check("192.0.2.1", "RB123456785GB"); !ok {
		t.Fatalf("a new address after %d others: refused (per address: %v)", throttle.DefaultMaxKeys+1, byAddr)
	}
}

// Behind a trusted proxy the forms are limited per client (X-Forwarded-For), not per proxy:
// one client's posts use up its own allowance, not everyone's.
func TestFeedbackLimitsPerClientBehindTrustedProxy(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{PerIP: Limit{Requests: 1, Window: time.Hour}, PerParcel: Limit{Requests: 100, Window: time.Hour}},
		func(d *Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")} }) // app.Test's peer
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	post := func(client string) int {
		return b.doWith("POST", "/track/RB123456785GB/feedback", feedbackForm(token), "X-Forwarded-For", client).status
	}
	if s := post("203.0.113.1"); s != 303 {
		t.Fatalf("first client: %d", s)
	}
	if s := post("203.0.113.1"); s != 429 {
		t.Fatalf("first client again: %d, want 429", s)
	}
	if s := post("203.0.113.2"); s != 303 {
		t.Fatalf("another client behind the same proxy: %d, want 303", s)
	}
}

func TestTrackingPageBadIDsAreHelpful(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{})
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	for _, tc := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/track/RB000000005GB", 404, "could not find"},
		{"GET", "/track/12345", 400, "does not look like a tracking number"},
		{"GET", "/track/%E0%A4%00RB", 400, "does not look like a tracking number"},
		{"GET", "/track/" + strings.Repeat("A", 300), 400, "13 characters"},
		{"POST", "/track/RB000000005GB/feedback", 404, "could not find"},
		{"POST", "/track/not-an-id/feedback", 400, "does not look like a tracking number"},
		{"POST", "/track/not-an-id/request", 400, "does not look like a tracking number"},
	} {
		var form url.Values
		if tc.method == "POST" {
			form = feedbackForm(token)
		}
		r := b.do(tc.method, tc.path, form)
		if r.status != tc.status || !strings.Contains(r.body, tc.want) || !strings.Contains(r.body, `id="q"`) {
			t.Errorf("%s %s: %d, want %d with %q and the search box", tc.method, tc.path, r.status, tc.status, tc.want)
		}
	}
}
