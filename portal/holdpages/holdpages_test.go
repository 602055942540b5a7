package holdpages_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/casepages"
	"github.com/wismo/wismo/portal/holdpages"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/retention"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const password = "correct horse battery"

type env struct {
	*casestest.Env
	t     *testing.T
	app   *fiber.App
	holds *retention.Service
}

func newEnv(t *testing.T) *env {
	e := &env{Env: casestest.New(t), t: t}
	for _, u := range []struct {
		email string
		role  access.Role
		brand int64
	}{{"sup@a.example", access.RoleSupervisor, e.BrandA}, {"agent@a.example", access.RoleAgent, e.BrandA},
		{"sup@b.example", access.RoleSupervisor, e.BrandB}} {
		if _, err := e.Access.CreateUser(context.Background(), u.email, password, u.role, []int64{u.brand}); err != nil {
			t.Fatal(err)
		}
	}
	log := storetest.Logger(t)
	e.holds = retention.New(e.DB, recordings.NewService(e.DB, t.TempDir(), log), log)
	card := holdpages.Card{Access: e.Access, Cases: e.Cases, Holds: e.holds}
	o := casepages.Options{Access: e.Access, Cases: e.Cases, Tracking: e.Tracking, Cards: []casepages.Card{card}}
	e.app = portal.New(portal.Deps{Log: log, DB: e.DB, Access: e.Access, Cases: e.Tracking, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) { casepages.Routes(r, o) }}})
	return e
}

type browser struct {
	t       *testing.T
	app     *fiber.App
	cookies map[string]string
}

func (e *env) login(email, lang string) *browser {
	b := &browser{t: e.t, app: e.app, cookies: map[string]string{"lang": lang}}
	if st, body, _ := browsertest.Login(e.t, e.app, b.cookies, email, password, ""); st != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", email, st, body)
	}
	return b
}

func (b *browser) get(path string) (int, string) {
	st, page, _ := browsertest.Request(b.t, b.app, b.cookies, "GET", path, nil)
	return st, page
}

// post submits the form of page with action, its hidden fields and reason.
func (b *browser) post(page, action, reason string) (int, string, http.Header) {
	b.t.Helper()
	f := regexp.MustCompile(`(?s)<form method="post" action="` + regexp.QuoteMeta(action) + `".*?</form>`).FindString(page)
	if f == "" {
		b.t.Fatalf("no form %s on the page", action)
	}
	form := url.Values{"reason": {reason}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(f, -1) {
		form.Set(m[1], m[2])
	}
	return browsertest.Request(b.t, b.app, b.cookies, "POST", action, form)
}

func (e *env) openCase(scope access.Scope, parcel string) *cases.Case {
	e.Upsert(scope, trackingtest.Parcel(parcel))
	return e.Open(scope, cases.CaseInput{Parcels: []string{parcel}, Type: "damage"})
}

// A supervisor places a hold from the case page (an empty reason is refused with 422 and the
// error beside the field), sees it with who and why, and lifts it (again with a reason);
// the card speaks Russian too.
func TestSupervisorPlacesAndLiftsAHold(t *testing.T) {
	e := newEnv(t)
	c := e.openCase(e.ScopeA(), "RB123456785GB")
	path := "/cases/" + c.Number
	action := path + "/holds"
	b := e.login("sup@a.example", "en")
	st, page := b.get(path)
	if st != 200 || !strings.Contains(page, `id="holds"`) || !strings.Contains(page, "Legal hold") || !strings.Contains(page, "No active hold.") {
		t.Fatalf("the case page has no hold card: %d\n%s", st, page)
	}
	st, refused, _ := b.post(page, action, "  ")
	if st != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="hold-reason" [^>]*aria-invalid="true"`).MatchString(refused) ||
		!strings.Contains(refused, `<p class="field-error" id="hold-reason-error" role="alert">Say why (a claim, a court order, a dispute).</p>`) {
		t.Fatalf("an empty reason: %d, want 422 with the error beside the field", st)
	}
	if st, _, h := b.post(page, action, "Court order 12/2026"); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "hold=placed") {
		t.Fatalf("place: %d %v", st, h)
	}
	holds, err := e.holds.Holds(context.Background(), e.BrandA, c.ID)
	if err != nil || len(holds) != 1 || holds[0].LiftedAt != nil || holds[0].SetBy != "user:sup@a.example" {
		t.Fatalf("holds after placing: %+v %v", holds, err)
	}
	id := strconv.FormatInt(holds[0].ID, 10)
	_, page = b.get(path + "?hold=placed")
	for _, want := range []string{"The hold is placed", "Court order 12/2026", "placed by sup@a.example", `action="` + action + `/` + id + `/lift"`} {
		if !strings.Contains(page, want) {
			t.Errorf("after placing, the card lacks %q", want)
		}
	}
	if st, refused, _ := b.post(page, action+"/"+id+"/lift", ""); st != http.StatusUnprocessableEntity ||
		!strings.Contains(refused, `id="lift-reason-`+id+`-error"`) {
		t.Fatalf("lift without a reason: %d, want 422 beside the lift field", st)
	}
	if st, _, _ := b.post(page, action+"/"+id+"/lift", "claim settled"); st != http.StatusSeeOther {
		t.Fatalf("lift: %d", st)
	}
	if st, again, _ := b.post(page, action+"/"+id+"/lift", "twice"); st != http.StatusConflict || !strings.Contains(again, "lifted already") {
		t.Fatalf("lifting twice: %d", st)
	}
	_, page = e.login("sup@a.example", "ru").get(path + "?hold=lifted")
	for _, want := range []string{"Юридическое удержание", "Удержание снято.", "Действующих удержаний нет.", "Снятые удержания (1)", "снял sup@a.example"} {
		if !strings.Contains(page, want) {
			t.Errorf("ru: the card lacks %q", want)
		}
	}
}

// Agents see no hold card and may not post one; another brand's supervisor cannot hold a
// case that is not theirs (404), even when the case numbers coincide.
func TestHoldsByRoleAndBrand(t *testing.T) {
	e := newEnv(t)
	a := e.openCase(e.ScopeA(), "RB123456785GB")
	bCase := e.openCase(access.Brands(e.BrandB), "EA001234568GB")
	agent := e.login("agent@a.example", "en")
	st, page := agent.get("/cases/" + a.Number)
	if st != 200 || strings.Contains(page, `id="holds"`) {
		t.Fatalf("an agent's case page: %d, hold card shown: %v", st, strings.Contains(page, `id="holds"`))
	}
	form := url.Values{"reason": {"mine"}, "_csrf": {regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]}}
	if st, _, _ := browsertest.Request(t, e.app, agent.cookies, "POST", "/cases/"+a.Number+"/holds", form); st != http.StatusForbidden {
		t.Fatalf("an agent placing a hold: %d, want 403", st)
	}
	other := e.login("sup@b.example", "en")
	_, page = other.get("/cases/" + bCase.Number)
	form = url.Values{"reason": {"not mine"}, "brand": {strconv.FormatInt(e.BrandA, 10)},
		"_csrf": {regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]}}
	if st, _, _ := browsertest.Request(t, e.app, other.cookies, "POST", "/cases/"+a.Number+"/holds", form); st != http.StatusNotFound {
		t.Fatalf("another brand's supervisor: %d, want 404", st)
	}
	if holds, _ := e.holds.Holds(context.Background(), e.BrandA, a.ID); len(holds) != 0 {
		t.Fatalf("brand A's case got holds: %+v", holds)
	}
}
