package casepages_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/casepages"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const password = "correct horse battery"

type env struct {
	*casestest.Env
	t       *testing.T
	app     *fiber.App
	agentID int64
}

func newEnv(t *testing.T, replier casepages.Replier, more ...func(*env, *casepages.Options)) *env {
	t.Helper()
	e := &env{Env: casestest.New(t), t: t}
	ctx := context.Background()
	for _, u := range []struct {
		email  string
		brands []int64
		role   access.Role
	}{{"agent@a.example", []int64{e.BrandA}, access.RoleAgent}, {"agent2@a.example", []int64{e.BrandA}, access.RoleAgent},
		{"agent@b.example", []int64{e.BrandB}, access.RoleAgent}, {"mgr@a.example", []int64{e.BrandA}, access.RoleBrandManager}} {
		usr, err := e.Access.CreateUser(ctx, u.email, password, u.role, u.brands)
		if err != nil {
			t.Fatal(err)
		}
		if u.email == "agent@a.example" {
			e.agentID = usr.ID
		}
	}
	o := casepages.Options{Access: e.Access, Cases: e.Cases, Tracking: e.Tracking, Replier: replier}
	for _, f := range more {
		f(e, &o)
	}
	e.app = portal.New(portal.Deps{Log: storetest.Logger(t), DB: e.DB, Access: e.Access, Cases: e.Tracking, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) { casepages.Routes(r, o) }}})
	return e
}

type browser struct {
	t       *testing.T
	app     *fiber.App
	cookies map[string]string
	lang    string
}

func (e *env) login(email, lang string) *browser {
	e.t.Helper()
	b := &browser{t: e.t, app: e.app, cookies: map[string]string{"lang": lang}, lang: lang}
	if st, body, _ := browsertest.Login(e.t, e.app, b.cookies, email, password, ""); st != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", email, st, body)
	}
	return b
}

func (b *browser) get(path string) (int, string, http.Header) {
	b.t.Helper()
	return browsertest.Request(b.t, b.app, b.cookies, "GET", path, nil)
}

// post submits the form of page whose action is action, with fields set over its hidden ones.
func (b *browser) post(page, action string, fields url.Values) (int, string, http.Header) {
	b.t.Helper()
	form := url.Values{}
	re := regexp.MustCompile(`(?s)<form method="post" action="` + regexp.QuoteMeta(action) + `".*?</form>`)
	f := re.FindString(page)
	if f == "" {
		b.t.Fatalf("no form %s on the page:\n%s", action, page)
	}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(f, -1) {
		form.Set(m[1], m[2])
	}
	for k, v := range fields {
		form[k] = v
	}
	return browsertest.Request(b.t, b.app, b.cookies, "POST", action, form)
}

func (e *env) openCase(scope access.Scope, parcel string, in cases.CaseInput) *cases.Case {
	e.t.Helper()
	in.Parcels = []string{parcel}
	if in.Type == "" {
		in.Type = "damage"
	}
	return e.Open(scope, in)
}

// The case page in both languages: the brand's agent sees the recipient in full, the COD in
// their language's format and the timeline; another brand's agent gets 404.
func TestCasePageInBothLanguagesAndBrandIsolation(t *testing.T) {
	e := newEnv(t, nil)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel("EA001234568GB")) // the same recipient's second parcel
	e.Events(e.ScopeA(), trackingtest.Event("RB123456785GB", "EMA", "2026-11-19T09:30:00Z"),
		trackingtest.Event("RB123456785GB", "EMC", "2026-11-19T19:30:00Z"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{Note: "коробка мокрая"})
	for _, tc := range []struct {
		lang  string
		texts []string
	}{
		{"en", []string{"Damaged", "New", "Timeline", "Recipient", "Cash on delivery", "₽1,200.00", "Call the recipient", "Add a note", "Merge into another case", "case opened: Damaged, from Agent"}},
		{"ru", []string{"Повреждение", "Новое", "История", "Получатель", "Наложенный платёж", "1\u00a0200,00\u00a0₽", "Позвонить получателю", "Добавить заметку", "обращение открыто: Повреждение, источник — Оператор"}},
	} {
		b := e.login("agent@a.example", tc.lang)
		st, page, _ := b.get("/cases/" + c.Number)
		if st != 200 {
			t.Fatalf("%s: %d %s", tc.lang, st, page)
		}
		page = html.UnescapeString(page)
		for _, want := range append(tc.texts, c.Number, "Петров Иван", "+79131234567", "ivan@example.com", "ул. Ленина 1, Новосибирск", "коробка мокрая") {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the case page lacks %q", tc.lang, want)
			}
		}
		if !strings.Contains(page, `<li class="done">`) || !strings.Contains(page, `<li class="current">`) {
			t.Errorf("%s: the phase bar marks no phase reached", tc.lang)
		}
		_, rest, found := strings.Cut(page, `id="other-parcels">`)
		others, _, _ := strings.Cut(rest, "</ul>")
		if !found || !strings.Contains(others, "EA001234568GB") || strings.Contains(others, "RB123456785GB") {
			t.Errorf("%s: the recipient's other parcel should be listed, the case's own not: %q", tc.lang, others)
		}
		if !strings.Contains(page, "/desk?brand=") || !strings.Contains(page, "call=%2B79131234567") || !strings.Contains(page, "case="+c.Number) {
			t.Errorf("%s: no call link to the desk with the phone, parcel and case", tc.lang)
		}
	}
	other := e.login("agent@b.example", "en")
	if st, page, _ := other.get("/cases/" + c.Number); st != 404 || strings.Contains(page, "Петров") {
		t.Errorf("another brand's agent: %d, recipient shown: %v", st, strings.Contains(page, "Петров"))
	}
	if st, _, _ := e.login("mgr@a.example", "en").get("/cases/" + c.Number); st != 403 {
		t.Errorf("a brand manager on the agents' page: %d", st)
	}
}

// The views: My open holds the viewer's cases, Unassigned the others, counts per view, and
// another brand's cases never show; texts in both languages.
func TestCaseViewsInBothLanguages(t *testing.T) {
	e := newEnv(t, nil)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel(tracking.MakeS10("RB", 300000, "GB")))
	e.Upsert(e.ScopeB(), trackingtest.Parcel(tracking.MakeS10("RB", 300001, "GB")))
	mine := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{AssigneeID: &e.agentID})
	free := e.openCase(e.ScopeA(), tracking.MakeS10("RB", 300000, "GB"), cases.CaseInput{Priority: "urgent"})
	alien := e.openCase(e.ScopeB(), tracking.MakeS10("RB", 300001, "GB"), cases.CaseInput{})
	for _, tc := range []struct{ lang, title, mineView, listed string }{
		{"en", "Cases", "My open", "1 case on this page"},
		{"ru", "Обращения", "Мои открытые", "1 обращение на странице"},
	} {
		b := e.login("agent@a.example", tc.lang)
		st, page, _ := b.get("/cases")
		if st != 200 || !strings.Contains(page, tc.title) || !strings.Contains(page, tc.mineView) || !strings.Contains(page, tc.listed) {
			t.Fatalf("%s: %d %s", tc.lang, st, page)
		}
		if !strings.Contains(page, `href="/cases/`+mine.Number) || strings.Contains(page, free.Number+"</a>") {
			t.Errorf("%s: My open should list %s only", tc.lang, mine.Number)
		}
		_, page, _ = b.get("/cases?view=unassigned")
		if !strings.Contains(page, free.Number+"</a>") || strings.Contains(page, mine.Number+"</a>") || strings.Contains(page, alien.Number) {
			t.Errorf("%s: Unassigned should list %s only", tc.lang, free.Number)
		}
		_, page, _ = b.get("/cases?view=open&sort=priority")
		if i, j := strings.Index(page, free.Number+"</a>"), strings.Index(page, mine.Number+"</a>"); i < 0 || j < 0 || i > j {
			t.Errorf("%s: by priority the urgent case comes first", tc.lang)
		}
		if strings.Contains(page, alien.Number) {
			t.Errorf("%s: brand B's case shows to brand A's agent", tc.lang)
		}
	}
	b := e.login("agent@a.example", "en")
	if _, page, _ := b.get("/cases?view=open&region=ru-nvs&country=RU"); !strings.Contains(page, free.Number+"</a>") {
		t.Error("the region filter RU-NVS should keep the Novosibirsk cases")
	}
	if _, page, _ := b.get("/cases?view=open&region=RU-MOW"); strings.Contains(page, free.Number+"</a>") || !strings.Contains(page, "No cases in this view.") {
		t.Error("the region filter RU-MOW should leave no case")
	}
	if st, page, _ := b.get("/cases?view=everything"); st != 422 || !strings.Contains(page, "view") {
		t.Errorf("an unknown view: %d %s", st, page)
	}
}

// Two agents open one case; the first saves, the second's form (on the old version) is
// refused with 409 in their language and does not overwrite the first's change.
func TestStaleFormGetsConflictNotLostUpdate(t *testing.T) {
	e := newEnv(t, nil)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	anna, boris := e.login("agent@a.example", "en"), e.login("agent2@a.example", "ru")
	path := "/cases/" + c.Number
	_, pageA, _ := anna.get(path)
	_, pageB, _ := boris.get(path)
	if st, _, h := anna.post(pageA, path+"/update", url.Values{"priority": {"high"}}); st != 303 || !strings.Contains(h.Get("Location"), "done=updated") {
		t.Fatalf("first writer: %d %v", st, h)
	}
	st, page, _ := boris.post(pageB, path+"/update", url.Values{"priority": {"low"}})
	if st != 409 || !strings.Contains(page, "изменил кто-то другой") {
		t.Fatalf("second writer: %d %s", st, page)
	}
	st, page, _ = anna.post(pageA, path+"/note", url.Values{"text": {"old form"}})
	if st != 409 || !strings.Contains(page, "Someone else changed this case") {
		t.Fatalf("a stale note form: %d", st)
	}
	got, _, err := e.Cases.Case(context.Background(), e.ScopeA(), c.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Priority != cases.PriorityHigh {
		t.Errorf("the second writer overwrote the first: priority %s", got.Priority)
	}
	// With the fresh form the change goes through.
	_, fresh, _ := boris.get(path)
	if st, _, _ := boris.post(fresh, path+"/note", url.Values{"text": {"проверил"}}); st != 303 {
		t.Errorf("the fresh form: %d", st)
	}
}

// The actions as forms: assign to me, note, close with a resolution code, merge (the old
// number then redirects to the target).
func TestCasePageActions(t *testing.T) {
	e := newEnv(t, nil)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel(tracking.MakeS10("RB", 300000, "GB")))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	dup := e.openCase(e.ScopeA(), tracking.MakeS10("RB", 300000, "GB"), cases.CaseInput{})
	b := e.login("agent@a.example", "en")
	path := "/cases/" + c.Number
	step := func(action string, fields url.Values) string {
		t.Helper()
		_, page, _ := b.get(path)
		st, body, h := b.post(page, path+action, fields)
		if st != 303 {
			t.Fatalf("%s: %d %s", action, st, body)
		}
		_, page, _ = b.get(h.Get("Location"))
		return page
	}
	if page := step("/assign", url.Values{"assignee": {"me"}}); !strings.Contains(page, "Assignment saved.") || !strings.Contains(page, "agent@a.example</dd>") {
		t.Errorf("assign to me: %s", page)
	}
	if page := step("/note", url.Values{"text": {"called the post office"}}); !strings.Contains(page, "called the post office") {
		t.Error("the note is not on the timeline")
	}
	_, page, _ := b.get(path)
	if st, body, _ := b.post(page, path+"/update", url.Values{"status": {"closed"}}); st != 422 || !strings.Contains(body, "resolution_code") {
		t.Errorf("closing without a resolution: %d", st)
	}
	if page := step("/update", url.Values{"status": {"closed"}, "resolution_code": {"refund_issued"}}); !strings.Contains(page, `id="case-status">Closed`) || !strings.Contains(page, "refund_issued") {
		t.Errorf("close with a resolution: %s", page)
	}
	dpath := "/cases/" + dup.Number
	_, page, _ = b.get(dpath)
	if st, body, _ := b.post(page, dpath+"/merge", url.Values{"into": {c.Number}}); st != 303 {
		t.Fatalf("merge: %d %s", st, body)
	}
	if _, page, _ := b.get(path); !strings.Contains(page, `<a class="mono" href="/cases/`+dup.Number+`?brand=`) {
		t.Error("the duplicate's log on the target's timeline should link the duplicate's number")
	}
	if st, _, h := b.get(dpath); (st != 301 && st != 302) || !strings.HasPrefix(h.Get("Location"), "/cases/"+c.Number) {
		t.Errorf("the merged number: %d → %q", st, h.Get("Location"))
	}
}

// callSource is a timeline source with one answered call that has a recording.
type callSource struct{}

func (callSource) TimelineFor(_ context.Context, _ access.Scope, parcels []string) ([]cases.TimelineEntry, error) {
	return []cases.TimelineEntry{{At: trackingtest.Start.Add(-time.Hour), Kind: "call", Summary: "hotline call answered", Actor: "callcenter",
		Ref: "call:9", Data: map[string]any{"id": 9, "outcome": "answered", "agent_id": 3, "disposition": "resolved", "note": "told the customer about customs",
			"recording_id": 41, "parcel_id": parcels[0]}}}, nil
}

// A call on the timeline shows its outcome, agent, disposition and note, and plays its
// recording inline through the permission-checked recordings API (which serves Range).
func TestTimelineCallHasAnInlinePlayer(t *testing.T) {
	e := newEnv(t, nil)
	e.Cases.AddTimelineSource(callSource{})
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	_, page, _ := e.login("agent@a.example", "ru").get("/cases/" + c.Number)
	for _, want := range []string{`<audio controls preload="none" src="/api/v1/recordings/41/audio"></audio>`, "hotline call answered",
		// The talk strip under the player (recordings/talk), titled in the reader's language.
		`<img class="talk-strip" src="/api/v1/calls/9/talk.svg?recording=41" alt="Кто когда говорил: клиент сверху, оператор снизу" loading="lazy">`,
		"told the customer about customs", "Итог: resolved", "оператор #3", "Звонок",
		`<a class="call-link" href="/calls/9">Страница звонка</a>`} { // the call page (portal/callpages)
		if !strings.Contains(page, want) {
			t.Errorf("the call on the timeline lacks %q", want)
		}
	}
}

// An assignment or a linked parcel is one line on the timeline ("assigned to ...", "parcels
// linked: ..."), not a second "changed: assignment" beside it; other changed fields still
// show as "changed: ...".
func TestTimelineSaysEachChangeOnce(t *testing.T) {
	e := newEnv(t, nil)
	other := tracking.MakeS10("RB", 300000, "GB")
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel(other))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	b := e.login("agent@a.example", "en")
	path := "/cases/" + c.Number
	for _, f := range []struct {
		action string
		fields url.Values
	}{{"/assign", url.Values{"assignee": {"me"}}}, {"/link", url.Values{"parcel": {other}}}, {"/update", url.Values{"priority": {"high"}}}} {
		_, page, _ := b.get(path)
		if st, body, _ := b.post(page, path+f.action, f.fields); st != 303 {
			t.Fatalf("%s: %d %s", f.action, st, body)
		}
	}
	_, page, _ := b.get(path)
	page = html.UnescapeString(page)
	for text, want := range map[string]int{"assigned to agent@a.example": 1, "parcels linked: " + other: 1, "changed: priority": 1,
		"changed: assignment": 0, "changed: parcels": 0} {
		if n := strings.Count(page, text); n != want {
			t.Errorf("the timeline says %q %d times, want %d", text, n, want)
		}
	}
}

// agentCall is a timeline source with one call answered by agent id.
type agentCall struct{ id int64 }

func (a agentCall) TimelineFor(_ context.Context, _ access.Scope, parcels []string) ([]cases.TimelineEntry, error) {
	return []cases.TimelineEntry{{At: trackingtest.Start, Kind: "call", Summary: "hotline call answered", Actor: "callcenter",
		Ref: "call:10", Data: map[string]any{"id": 10, "outcome": "answered", "agent_id": a.id, "parcel_id": parcels[0]}}}, nil
}

// A call's agent shows by the name staff know them by, not by their number.
func TestTimelineCallNamesItsAgent(t *testing.T) {
	e := newEnv(t, nil)
	e.Cases.AddTimelineSource(agentCall{id: e.agentID})
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	_, page, _ := e.login("agent2@a.example", "en").get("/cases/" + c.Number)
	if !strings.Contains(page, "agent agent@a.example</span>") || strings.Contains(page, "agent #") {
		t.Errorf("the call's agent is not named: %s", page)
	}
}

// wordedSource gives a timeline a dialled call with a disposition, a hotline call in progress,
// a failed attempt to deliver the case to a partner post, and a missed delivery with its reason
// and action, as the call log, the case log and tracking write them (English summaries).
type wordedSource struct{}

func (wordedSource) TimelineFor(_ context.Context, _ access.Scope, parcels []string) ([]cases.TimelineEntry, error) {
	at := trackingtest.Start
	return []cases.TimelineEntry{
		{At: at, Kind: "call", Summary: "preview call to +79131234567: answered (voicemail)", Actor: "callcenter", Ref: "call:11",
			Data: map[string]any{"id": 11, "direction": "outbound", "mode": "preview", "to": "<sip:+79131234567@trunk;user=phone>",
				"outcome": "answered", "disposition": "voicemail"}},
		{At: at.Add(time.Minute), Kind: "call", Summary: "hotline call from +79131234567: in progress", Actor: "callcenter", Ref: "call:12",
			Data: map[string]any{"id": 12, "direction": "inbound", "mode": "hotline", "from": "+79131234567"}},
		{At: at.Add(2 * time.Minute), Kind: "escalation", Summary: "webhook to the GB post, attempt 2: HTTP 503", Actor: "system",
			Data: map[string]any{"escalation_id": 1, "country": "GB", "attempt": 2, "status_code": 503}},
		{At: at.Add(150 * time.Second), Kind: "escalation", Summary: "webhook to the GB post, attempt 3: HTTP 200", Actor: "system",
			Data: map[string]any{"escalation_id": 1, "country": "GB", "attempt": 3, "status_code": 200}},
		{At: at.Add(150 * time.Second), Kind: "case", Summary: "escalation delivered to the GB post (attempt 3)", Actor: "system",
			Data: map[string]any{"change": "escalation_delivered", "country": "GB", "attempt": 3}},
		{At: at.Add(170 * time.Second), Kind: "attachment", Summary: "attached box.jpg (image/jpeg, 48213 bytes)", Actor: "user:agent@a.example"},
		{At: at.Add(3 * time.Minute), Kind: "event", Summary: "EMH Unsuccessful (attempted) delivery (carries a non-delivery reason and an action taken) — London",
			Ref: parcels[0], Data: tracking.EventView{Code: "EMH", Phase: "out_for_delivery", Location: "London", Reason: "ABSENT", Action: "NOTICE_LEFT"}},
	}, nil
}

// Calls, partner-post deliveries and scans on the timeline read in the viewer's language, in
// the words the tracking page gives customers: a Russian agent reads no English call log line
// and no UPU list note.
func TestTimelineInTheReadersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	e.Cases.AddTimelineSource(wordedSource{})
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	for _, tc := range []struct {
		lang      string
		want, not []string
	}{
		{"ru", []string{"Предпросмотр: звонок на +79131234567: Отвечен", "Итог: автоответчик", "Горячая линия: звонок от +79131234567: идёт",
			"обращение не доставлено почте страны GB (попытка 2): HTTP 503", "обращение доставлено почте страны GB (попытка 3)",
			"вложение box.jpg (image/jpeg, 48\u00a0213 байт)",
			"EMH Курьер не смог вручить посылку (Никого не было дома или дверь не открыли. Оставлено извещение", "— London"},
			[]string{"preview call", "hotline call", "webhook to the", "escalation delivered", "Unsuccessful (attempted)", "voicemail"}},
		{"en", []string{"Preview call to +79131234567: Answered", "Hotline call from +79131234567: in progress",
			"escalation not delivered to the GB post (attempt 2): HTTP 503", "attached box.jpg (image/jpeg, 48,213 bytes)",
			"EMH The courier could not deliver the parcel (Nobody was at home or nobody opened the door."},
			[]string{"carries a non-delivery reason", "<sip:"}},
	} {
		_, page, _ := e.login("agent@a.example", tc.lang).get("/cases/" + c.Number)
		_, page, _ = strings.Cut(html.UnescapeString(page), `<ol class="timeline"`)
		page, _, _ = strings.Cut(page, "</ol>")
		// The attempt that delivered is the case log's "delivered" line, said once.
		if n := strings.Count(page, "(попытка 3)") + strings.Count(page, "(attempt 3)"); n != 1 {
			t.Errorf("%s: the delivery is said %d times, want once", tc.lang, n)
		}
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the timeline lacks %q", tc.lang, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(page, w) {
				t.Errorf("%s: the timeline says %q", tc.lang, w)
			}
		}
	}
}
