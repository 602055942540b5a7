package casepages_test

import (
	"context"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/portal/casepages"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// withReplies gives the pages replies (dialer and templates) and macros.
func withReplies(dl **dialer.Service) func(*env, *casepages.Options) {
	return func(e *env, o *casepages.Options) {
		log := storetest.Logger(e.t)
		d, err := dialer.New(e.DB, log, dialer.Options{Now: func() time.Time { return e.Now }, PublicURL: "http://wismo.test"})
		if err != nil {
			e.t.Fatal(err)
		}
		sc := scripts.New(e.DB, log, scripts.Options{PublicURL: "http://wismo.test", Planner: d, Parcels: e.Tracking, Brands: e.Access,
			Now: func() time.Time { return e.Now }})
		if err := sc.EnsureStandardFlow(context.Background(), e.BrandA); err != nil {
			e.t.Fatal(err)
		}
		e.Cases.AddTimelineSource(d)
		conv := conversation.New(e.DB, log, d, sc, e.Cases, e.Tracking)
		o.Replier, o.Macros = conv, macros.New(e.DB, e.Cases, conv)
		*dl = d
	}
}

// A brand manager keeps a macro on the editor page (in Russian); an agent applies it on the
// case page in one click: status, note, assignment to the agent and an SMS reply planned
// through the dialer, all on the timeline.
func TestMacroEditedByManagerAppliedByAgent(t *testing.T) {
	var dl *dialer.Service
	e := newEnv(t, nil, withReplies(&dl))
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})

	mgr := e.login("mgr@a.example", "ru")
	st, page, _ := mgr.get("/cases/macros")
	if st != 200 || !strings.Contains(page, "Макросы обращений") || !strings.Contains(page, "У бренда пока нет макросов.") {
		t.Fatalf("the macro editor: %d %s", st, page)
	}
	tplID := ""
	if i := strings.Index(page, `<option value="`); i >= 0 { // the first template after "no reply"
		rest := page[strings.Index(page, `name="template_id"`):]
		parts := strings.Split(rest, `<option value="`)
		tplID = parts[2][:strings.Index(parts[2], `"`)]
	}
	if n, _ := strconv.Atoi(tplID); n <= 0 {
		t.Fatalf("no template to pick on the editor page")
	}
	st, _, h := mgr.post(page, "/cases/macros", url.Values{"name": {"Ждём клиента"}, "template_id": {tplID}, "status": {"waiting_customer"},
		"note": {"asked for a photo"}, "assign": {"me"}})
	if st != 303 {
		t.Fatalf("save the macro: %d", st)
	}
	if _, page, _ = mgr.get(h.Get("Location")); !strings.Contains(page, "Макрос сохранён.") || !strings.Contains(page, "Ждём клиента") {
		t.Fatalf("after saving: %s", page)
	}
	if st, _, _ := e.login("agent@a.example", "en").get("/cases/macros"); st != 403 {
		t.Errorf("an agent on the macro editor: %d", st)
	}

	agent := e.login("agent@a.example", "en")
	path := "/cases/" + c.Number
	_, page, _ = agent.get(path)
	if !strings.Contains(page, "Ждём клиента") {
		t.Fatal("the macro is not offered on the case page")
	}
	st, body, h := agent.post(page, path+"/macro", url.Values{"macro": {macroID(t, page)}})
	if st != 303 {
		t.Fatalf("apply: %d %s", st, body)
	}
	_, page, _ = agent.get(h.Get("Location"))
	page = html.UnescapeString(page)
	for _, want := range []string{"Macro applied.", `id="case-status">Waiting for customer`, "agent@a.example</dd>", "asked for a photo", "Email to ivan@example.com: scheduled (waits for the customer's window", "reply by Email to ivan@example.com", "status New → Waiting for customer", "assigned to agent@a.example"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the macro the case page lacks %q:\n%s", want, page[strings.Index(page, `id="timeline"`):])
		}
	}
	if n, err := dl.RunOnce(context.Background()); err != nil || n != 1 {
		t.Errorf("the reply should go out through the dialer: %d %v", n, err)
	}
}

func macroID(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `name="macro" value="`)
	if i < 0 {
		t.Fatal("no macro form")
	}
	rest := page[i+len(`name="macro" value="`):]
	return rest[:strings.Index(rest, `"`)]
}

// A brand manager extends the resolution codes; agents of the brand close cases with the new
// code, another brand's agents do not get it.
func TestBrandExtendsResolutionCodes(t *testing.T) {
	var dl *dialer.Service
	e := newEnv(t, nil, withReplies(&dl))
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	mgr := e.login("mgr@a.example", "en")
	_, page, _ := mgr.get("/cases/macros")
	if !strings.Contains(page, "Resolution codes") || !strings.Contains(page, "<li>refund_issued</li>") {
		t.Fatalf("the codes on the editor page: %s", page)
	}
	if st, body, _ := mgr.post(page, "/cases/macros/codes", url.Values{"code": {"Gift Card"}}); st != 422 || !strings.Contains(body, "code") {
		t.Errorf("a code with spaces: %d", st)
	}
	if st, _, _ := mgr.post(page, "/cases/macros/codes", url.Values{"code": {"gift_card_issued"}, "label": {"a gift card instead of a refund"}}); st != 303 {
		t.Fatalf("add a code: %d", st)
	}
	agent := e.login("agent@a.example", "en")
	path := "/cases/" + c.Number
	_, page, _ = agent.get(path)
	if st, body, _ := agent.post(page, path+"/update", url.Values{"status": {"closed"}, "resolution_code": {"gift_card_issued"}}); st != 303 {
		t.Fatalf("close with the brand's code: %d %s", st, body)
	}
	codes, err := e.Cases.ResolutionCodes(context.Background(), e.BrandB)
	if err != nil || slices.Contains(codes, "gift_card_issued") {
		t.Errorf("brand B has brand A's code: %v %v", codes, err)
	}
}

// The reply form: an SMS from a brand template goes through the dialer and shows on the
// timeline with its status, in Russian.
func TestReplyFromTheCasePage(t *testing.T) {
	var dl *dialer.Service
	e := newEnv(t, nil, withReplies(&dl))
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.openCase(e.ScopeA(), "RB123456785GB", cases.CaseInput{})
	agent := e.login("agent@a.example", "ru")
	path := "/cases/" + c.Number
	_, page, _ := agent.get(path)
	i := strings.Index(page, "(SMS)</option>")
	if i < 0 {
		t.Fatal("no SMS template in the reply form")
	}
	j := strings.LastIndex(page[:i], `<option value="`)
	tpl := page[j+len(`<option value="`) : j+strings.Index(page[j+len(`<option value="`):], `"`)+len(`<option value="`)]
	st, body, h := agent.post(page, path+"/reply", url.Values{"template": {tpl}})
	if st != 303 {
		t.Fatalf("reply: %d %s", st, body)
	}
	if n, err := dl.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("the dialer sends the reply: %d %v", n, err)
	}
	_, page, _ = agent.get(h.Get("Location"))
	page = html.UnescapeString(page)
	for _, want := range []string{"Ответ запланирован", "SMS на +79131234567: отправлено", "ответ по каналу SMS на +79131234567"} {
		if !strings.Contains(page, want) {
			t.Errorf("after the reply the page lacks %q", want)
		}
	}
}
