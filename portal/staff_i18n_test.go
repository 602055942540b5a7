package portal

import (
	"context"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// staffEnv is a portal with every staff page of this package wired: the dashboard over the
// fixed dataset, dead letters, the search over its parcels and one case.
type staffEnv struct {
	*dashEnv
	parcel, caseNumber string
}

func newStaffEnv(t *testing.T) *staffEnv {
	t.Helper()
	w, acc := reportstest.Open(t)
	db := w.DB
	log := storetest.Logger(t)
	reg := prometheus.NewRegistry()
	ctx := context.Background()
	cs := cases.NewCaseService(db, log, "http://127.0.0.1:8080")
	dash := reports.NewDashboard(db, cs)
	dash.SetClock(func() time.Time { return reportstest.Now })
	app := New(Deps{Log: log, DB: db, Access: acc, Cases: tracking.NewService(db, log, reg), Registry: reg, Dashboard: dash,
		DeadLetters: outbox.NewDeadLetters(db), Search: search.New(db, search.NewEmbeddedBackend(db))})
	e := &staffEnv{dashEnv: &dashEnv{app: app, acc: acc, dash: dash, db: db, brandA: w.BrandA, brandB: w.BrandB, w: w}}
	for _, u := range []struct {
		email string
		role  access.Role
	}{{"admin@example", access.RoleAdmin}, {"sup@a.example", access.RoleSupervisor}, {"agent@a.example", access.RoleAgent}} {
		var brands []int64
		if u.role != access.RoleAdmin {
			brands = []int64{w.BrandA}
		}
		if _, err := acc.CreateUser(ctx, u.email, "correct horse battery", u.role, brands); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT id FROM parcels WHERE brand_id = ? ORDER BY id LIMIT 1`), w.BrandA).Scan(&e.parcel); err != nil {
		t.Fatal(err)
	}
	c, err := cs.Open(ctx, access.Brands(w.BrandA), cases.Actor{Label: "system", System: true},
		cases.CaseInput{Parcels: []string{e.parcel}, Type: string(cases.TypeNonReceipt)})
	if err != nil {
		t.Fatal(err)
	}
	e.caseNumber = c.Number
	return e
}

func (e *staffEnv) as(t *testing.T, email string) *browser {
	t.Helper()
	b := &browser{t: t, app: e.app, cookies: map[string]string{}}
	if r := b.login(email, "correct horse battery", "/settings"); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	return b
}

// staffPages are the staff pages this package serves, as an admin sees them (the editors are
// checked by portal/editor's tests).
func (e *staffEnv) staffPages() []string {
	return []string{"/desk", "/dashboard", "/dead-letters", "/settings", "/search", "/search?q=" + url.QueryEscape(e.parcel),
		"/search?q=" + url.QueryEscape(e.caseNumber), "/search?q=nothing-like-this"}
}

// englishTexts are the catalog's English texts that differ from their Russian: any of them
// on a Russian page is a text that did not go through the catalog in the reader's language.
func englishTexts() []string {
	ru := i18n.New(i18n.RU, nil)
	en := i18n.New(i18n.EN, nil)
	var out []string
	for k, v := range i18n.Default().Texts(i18n.EN, "") {
		// Short words ("Email", "SMS") are the same in both; placeholders are filled per page.
		if len([]rune(v)) < 12 || strings.Contains(v, "{") || strings.Contains(v, "%") || ru.T(k) == en.T(k) {
			continue
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// assertNoEnglish fails for every English catalog text on a Russian page.
func assertNoEnglish(t *testing.T, page, body string, english []string) {
	t.Helper()
	if !strings.Contains(body, `<html lang="ru">`) {
		t.Errorf("%s: not written in Russian: %.300s", page, body)
	}
	for _, s := range english {
		if strings.Contains(body, s) || strings.Contains(body, html.EscapeString(s)) {
			t.Errorf("%s: English text %q on the Russian page", page, s)
		}
	}
}

// Every staff page, asked for in Russian (Accept-Language), is Russian throughout: no text of
// the English catalog shows (issue 15 item 5). The login and error pages are checked too.
func TestStaffPagesInRussian(t *testing.T) {
	e := newStaffEnv(t)
	english := englishTexts()
	if len(english) < 100 {
		t.Fatalf("only %d English texts to look for: the catalog did not load", len(english))
	}
	anon := &browser{t: t, app: e.app, cookies: map[string]string{}}
	r := anon.doWith("GET", "/login", nil, "Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5")
	assertNoEnglish(t, "/login", r.body, english)
	if !strings.Contains(r.body, "Войти") {
		t.Errorf("/login in Russian lacks its button: %s", r.body)
	}
	r = anon.doWith("GET", "/no-such-page", nil, "Accept-Language", "ru")
	assertNoEnglish(t, "404", r.body, english)
	r = anon.doWith("GET", "/", nil, "Accept-Language", "ru")
	assertNoEnglish(t, "/", r.body, english)

	admin := e.as(t, "admin@example")
	for _, p := range e.staffPages() {
		r := admin.doWith("GET", p, nil, "Accept-Language", "ru")
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", p, r.status)
		}
		assertNoEnglish(t, p, r.body, english)
	}
	// The wrong password, in Russian.
	b := &browser{t: t, app: e.app, cookies: map[string]string{"lang": "ru"}}
	if r := b.login("admin@example", "wrong", ""); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Неверный email или пароль") {
		t.Errorf("wrong password in Russian: %d %s", r.status, r.body)
	}
}

// The search page shows hits as links into the parcel and the case, in words: the phase,
// the reason it matched, the case's status and type, never the internal names.
func TestSearchPageLinksAndWords(t *testing.T) {
	e := newStaffEnv(t)
	agent := e.as(t, "agent@a.example")
	r := agent.do("GET", "/search?q="+url.QueryEscape(e.parcel), nil)
	if r.status != 200 || !strings.Contains(r.body, `href="/track/`+e.parcel+`"`) || !strings.Contains(r.body, "Found by") ||
		!strings.Contains(r.body, "tracking number") {
		t.Fatalf("parcel hit: %d %s", r.status, r.body)
	}
	r = agent.do("GET", "/search?q="+url.QueryEscape(e.caseNumber), nil)
	if !strings.Contains(r.body, `href="/cases/`+e.caseNumber+`"`) || !strings.Contains(r.body, "Late or not received") ||
		!strings.Contains(r.body, "case number") {
		t.Fatalf("case hit: %s", r.body)
	}
	ru := agent.doWith("GET", "/search?q="+url.QueryEscape(e.caseNumber), nil, "Accept-Language", "ru")
	if !strings.Contains(ru.body, "Задержка или неполучение") || !strings.Contains(ru.body, "номеру обращения") {
		t.Fatalf("case hit in Russian: %s", ru.body)
	}
	// The scripts' texts (a data block keyed by names such as js.desk.case_type.damage) aside.
	shown, shownRU := jsonData.ReplaceAllString(r.body, ""), jsonData.ReplaceAllString(ru.body, "")
	for _, internal := range []string{"non_receipt_or_delay", "case_number", "typo_id", "embedded", ">new<", ">open<"} {
		if strings.Contains(shown, internal) || strings.Contains(shownRU, internal) {
			t.Errorf("the search page shows the internal word %q", internal)
		}
	}
	// The search box is on every staff page; the old address redirects with the query kept.
	if d := agent.do("GET", "/desk", nil); !strings.Contains(d.body, `<form class="bar-search" method="get" action="/search" role="search">`) || !strings.Contains(d.body, `href="/cases"`) {
		t.Errorf("the header lacks the search box or the Cases link: %s", d.body)
	}
	old := agent.do("GET", "/desk/search?q=RB+1", nil)
	if old.status != http.StatusMovedPermanently || old.header.Get("Location") != "/search?q=RB+1" {
		t.Errorf("/desk/search: %d %q", old.status, old.header.Get("Location"))
	}
	if r := agent.do("GET", "/search?q="+strings.Repeat("x", search.MaxQueryChars+1), nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a query too long: %d", r.status)
	}
	// Another brand's parcel is not found.
	var other string
	if err := e.db.SQL.QueryRow(e.db.Rebind(`SELECT id FROM parcels WHERE brand_id = ? LIMIT 1`), e.brandB).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if r := agent.do("GET", "/search?q="+other, nil); strings.Contains(r.body, `href="/track/`+other+`"`) {
		t.Errorf("brand A's agent finds brand B's parcel %s", other)
	}
}

// A user's own language and time zone follow them from page to page, whatever the browser
// asks; a zone wismo does not know is refused in words, in the user's language.
func TestSettingsLanguageAndZone(t *testing.T) {
	e := newStaffEnv(t)
	sup := e.as(t, "sup@a.example")
	r := sup.do("GET", "/settings", nil)
	token := csrfField.FindStringSubmatch(r.body)[1]
	if !strings.Contains(r.body, `<label for="set-lang">Language</label>`) || !strings.Contains(r.body, `<option value="Asia/Novosibirsk">`) {
		t.Fatalf("settings page: %s", r.body)
	}
	if r := sup.do("POST", "/settings", url.Values{"lang": {"ru"}, "time_zone": {"Asia/Novosibirsk"}}); r.status != http.StatusForbidden {
		t.Fatalf("settings without the CSRF token: %d", r.status)
	}
	r = sup.do("POST", "/settings", url.Values{"_csrf": {token}, "lang": {"ru"}, "time_zone": {"Mars/Olympus"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Mars/Olympus") || !strings.Contains(r.body, "time zone wismo knows") {
		t.Fatalf("bad zone: %d %s", r.status, r.body)
	}
	if r := sup.doWith("POST", "/settings", url.Values{"_csrf": {token}, "lang": {"ru"}, "time_zone": {"Mars/Olympus"}}, "Accept-Language", "ru"); !strings.Contains(r.body, "неизвестный часовой пояс") {
		t.Fatalf("bad zone in Russian: %s", r.body)
	}
	if r := sup.do("POST", "/settings", url.Values{"_csrf": {token}, "lang": {"de"}, "time_zone": {""}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a language wismo does not speak: %d", r.status)
	}
	r = sup.do("POST", "/settings", url.Values{"_csrf": {token}, "lang": {"ru"}, "time_zone": {"Asia/Novosibirsk"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	// The browser asks for English; the user's setting wins.
	r = sup.doWith("GET", "/dashboard", nil, "Accept-Language", "en")
	if !strings.Contains(r.body, `<html lang="ru">`) || !strings.Contains(r.body, "Панель супервизора") {
		t.Fatalf("the user's language: %.500s", r.body)
	}
	// A page the role may not open says so in the user's language.
	agent := e.as(t, "agent@a.example")
	as, _ := e.acc.SessionByToken(context.Background(), agent.cookies[access.SessionCookie])
	if err := e.acc.SetLocale(context.Background(), as.User.ID, "ru", ""); err != nil {
		t.Fatal(err)
	}
	if r := agent.doWith("GET", "/dashboard", nil, "Accept-Language", "en"); r.status != http.StatusForbidden || !strings.Contains(r.body, "недоступна для роли «оператор»") {
		t.Fatalf("403 in the user's language: %d %s", r.status, r.body)
	}
	r = sup.do("GET", "/settings", nil)
	if !strings.Contains(r.body, `<option value="Asia/Novosibirsk" selected>`) || !strings.Contains(r.body, `<option value="ru" lang="ru" selected>`) {
		t.Fatalf("the stored settings are not shown: %s", r.body)
	}
	// ?lang= switches one page (and the cookie), as on the tracking page.
	if r := sup.do("GET", "/settings?lang=en", nil); !strings.Contains(r.body, `<html lang="en">`) {
		t.Fatalf("?lang=en: %.300s", r.body)
	}
	u, err := e.acc.SessionByToken(context.Background(), sup.cookies[access.SessionCookie])
	if err != nil || u.User.Lang != "ru" || u.User.TimeZone != "Asia/Novosibirsk" {
		t.Fatalf("stored: %+v %v", u.User, err)
	}
	loc := i18n.New(i18n.RU, viewerZone(Deps{}, u.User))
	if got := loc.DateTime(time.Date(2026, 12, 6, 11, 5, 0, 0, time.UTC)); got != "06.12.2026 18:05 UTC+7" {
		t.Errorf("a time for this user: %q", got)
	}
}

// templateKey finds the catalog keys templates name: {{t "key"}}, {{.L.T "key"}},
// {{$.L.N "key" n}}; scripts: T("js.key") / T('js.key'); Go: loc.T("key"), .N("key".
var (
	templateKey = regexp.MustCompile(`\{\{-?\s*(?:t|\$?\.L\.[TN])\s+"([a-z][a-z0-9_.]*)"`)
	scriptKey   = regexp.MustCompile(`\bT\(\s*["']([a-z][a-z0-9_.]*)["']`)
	jsComment   = regexp.MustCompile(`(?m)^\s*//.*$`)
	goKey       = regexp.MustCompile(`\.(?:T|N)\("([a-z][a-z0-9_]*\.[a-z0-9_.]+)"`)
)

// Every key a template, a script or a handler names is in the catalog: a key missing from it
// would show as itself on the page.
func TestEveryKeyUsedIsInTheCatalog(t *testing.T) {
	cat := i18n.Default()
	seen := 0
	check := func(where, key string) {
		if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "_") {
			return // a prefix the code completes ("search.status." + status): TestSearchWordsForEveryValue
		}
		seen++
		if !cat.Has(key) && !cat.Has("track."+key) { // {{t}} reads the tracking page's short keys too
			t.Errorf("%s uses %q, which is not in i18n/catalog", where, key)
		}
	}
	for _, dir := range []string{"templates", "static"} {
		err := fs.WalkDir(embedded(dir), dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := fs.ReadFile(embedded(dir), p)
			re := templateKey
			if strings.HasSuffix(p, ".js") {
				re = scriptKey
				b = jsComment.ReplaceAll(b, nil)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				check(p, m[1])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, glob := range []string{"*.go", "editor/*.go"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
				check(f, m[1])
			}
		}
	}
	for _, n := range navigation {
		check("navigation", n.label)
	}
	if seen < 300 {
		t.Fatalf("only %d keys found in templates, scripts and handlers: the patterns above no longer match them", seen)
	}
}

// Every value the search page and the desk word through a key prefix has its words.
func TestSearchWordsForEveryValue(t *testing.T) {
	cat := i18n.Default()
	var want []string
	for _, s := range []cases.CaseStatus{cases.StatusNew, cases.StatusOpen, cases.StatusWaitingCustomer, cases.StatusWaitingPartnerPost, cases.StatusResolved, cases.StatusClosed} {
		want = append(want, "search.status."+string(s))
	}
	for _, ct := range cases.CaseTypes {
		want = append(want, "search.type."+string(ct))
	}
	for _, m := range []string{"id", "case_number", "phone", "email", "typo_id", "typo_swap", "case_seq", "email_prefix", "fragment", "name"} {
		want = append(want, "search.match."+m)
	}
	for _, ph := range []string{"registered", "posted", "export", "in_transit", "arrived", "customs", "at_sorting_center", "at_delivery_office",
		"out_for_delivery", "ready_for_pickup", "delivery_attempted", "delivered", "returning", "returned", "cancelled"} {
		want = append(want, "track."+ph, "js.phase."+ph)
	}
	for _, d := range []string{"retried", "discarded"} {
		want = append(want, "dl.done_"+d)
	}
	for _, k := range want {
		if !cat.Has(k) {
			t.Errorf("%q is not in i18n/catalog", k)
		}
	}
}
