package callpages_test

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/callpages"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const password = "correct horse battery"

// The call page shows a transferred call's legs in order, its transfer (who to whom), the
// player and the talk strip, in English and Russian; another brand's agent gets 404.
func TestCallPageInBothLanguagesAndBrandIsolation(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, u := range []struct {
		email string
		brand int64
	}{{"anna@a.example", e.BrandA}, {"boris@a.example", e.BrandA}, {"agent@b.example", e.BrandB}} {
		usr, err := e.Access.CreateUser(ctx, u.email, password, access.RoleAgent, []int64{u.brand})
		if err != nil {
			t.Fatal(err)
		}
		ids[u.email] = usr.ID
	}
	calls := callcenter.NewCallLog(e.DB)
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	at := func(s int) *time.Time { x := t0.Add(time.Duration(s) * time.Second); return &x }
	call := callcenter.Call{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: e.BrandA, From: "+79131234567",
		To: "+74951112233", StartedAt: t0, AnsweredAt: at(1), EndedAt: at(90), Outcome: callcenter.Answered,
		HangupSide: callcenter.LegCustomer, AgentID: ids["boris@a.example"], RecordingID: 41}
	if err := calls.Create(ctx, &call); err != nil {
		t.Fatal(err)
	}
	if err := calls.Update(ctx, &call); err != nil {
		t.Fatal(err)
	}
	for _, g := range []callcenter.Leg{
		{Kind: callcenter.LegCustomer, From: "+79131234567", To: "+74951112233", StartedAt: t0, AnsweredAt: at(1), EndedAt: at(90), Outcome: callcenter.Answered, HangupSide: callcenter.LegCustomer},
		{Kind: callcenter.LegAgent, AgentID: ids["anna@a.example"], StartedAt: t0, AnsweredAt: at(2), EndedAt: at(40), Outcome: callcenter.Answered, HangupSide: callcenter.LegAgent},
		{Kind: callcenter.LegAgent, AgentID: ids["boris@a.example"], StartedAt: *at(30), AnsweredAt: at(32), EndedAt: at(90), Outcome: callcenter.Answered, HangupSide: callcenter.LegCustomer},
	} {
		g.CallID = call.ID
		if err := calls.AddLeg(ctx, &g); err != nil {
			t.Fatal(err)
		}
		if err := calls.UpdateLeg(ctx, &g); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.DB.SQL.ExecContext(ctx, e.DB.Rebind(`INSERT INTO call_transfers (brand_id, call_id, kind, from_agent_id, to_agent_id, outcome, started_at, ended_at)
		VALUES (?, ?, 'attended', ?, ?, 'completed', ?, ?)`), e.BrandA, call.ID, ids["anna@a.example"], ids["boris@a.example"], *at(30), *at(40)); err != nil {
		t.Fatal(err)
	}
	app := portal.New(portal.Deps{Log: storetest.Logger(t), DB: e.DB, Access: e.Access, Cases: e.Tracking, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) {
			callpages.Routes(r, callpages.Options{Access: e.Access, Calls: calls, Transfers: transfer.New(e.DB, nil, storetest.Logger(t), 0)})
		}}})
	path := "/calls/" + strconv.FormatInt(call.ID, 10)
	for _, tc := range []struct {
		lang  string
		texts []string
	}{
		{"en", []string{"Call " + strconv.FormatInt(call.ID, 10), "Legs", "Customer", "Transfers", "Attended", "Completed", "Hung up by"}},
		{"ru", []string{"Звонок " + strconv.FormatInt(call.ID, 10), "Плечи звонка", "Клиент", "Переводы", "С консультацией", "Завершён", "Кто положил трубку"}},
	} {
		cookies := map[string]string{"lang": tc.lang}
		if st, body, _ := browsertest.Login(t, app, cookies, "anna@a.example", password, ""); st != http.StatusSeeOther {
			t.Fatalf("login: %d %s", st, body)
		}
		st, page, _ := browsertest.Request(t, app, cookies, "GET", path, nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", tc.lang, st, page)
		}
		page = html.UnescapeString(page)
		for _, want := range append(tc.texts, "anna@a.example", "boris@a.example", "+79131234567",
			`src="/api/v1/recordings/41/audio"`, `src="/api/v1/calls/`+strconv.FormatInt(call.ID, 10)+`/talk.svg?recording=41"`) {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the call page lacks %q", tc.lang, want)
			}
		}
		legs := page[strings.Index(page, `id="call-legs"`):]
		if a, b := strings.Index(legs, "anna@a.example"), strings.Index(legs, "boris@a.example"); a < 0 || b < a {
			t.Errorf("%s: the legs are not in order (anna at %d, boris at %d)", tc.lang, a, b)
		}
		tr := page[strings.Index(page, `id="call-transfers"`):]
		if a, b := strings.Index(tr, "anna@a.example"), strings.Index(tr, "boris@a.example"); a < 0 || b < a {
			t.Errorf("%s: the transfer does not say anna to boris", tc.lang)
		}
	}
	cookies := map[string]string{"lang": "en"}
	if st, body, _ := browsertest.Login(t, app, cookies, "agent@b.example", password, ""); st != http.StatusSeeOther {
		t.Fatalf("login: %d %s", st, body)
	}
	if st, page, _ := browsertest.Request(t, app, cookies, "GET", path, nil); st != http.StatusNotFound || strings.Contains(page, "anna@a.example") {
		t.Fatalf("another brand's agent: %d", st)
	}
}

// The call page shows the disposition in the viewer's language (the brand's own word as it
// is); the monitoring log is a section of portal/callsections.
func TestCallPageDisposition(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, u := range []struct {
		email string
		role  access.Role
	}{{"anna@a.example", access.RoleAgent}, {"sofia@a.example", access.RoleSupervisor}} {
		usr, err := e.Access.CreateUser(ctx, u.email, password, u.role, []int64{e.BrandA})
		if err != nil {
			t.Fatal(err)
		}
		ids[u.email] = usr.ID
	}
	calls := callcenter.NewCallLog(e.DB)
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	end := t0.Add(time.Minute)
	call := callcenter.Call{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: e.BrandA, From: "+79131234567",
		To: "+74951112233", StartedAt: t0, AnsweredAt: &t0, EndedAt: &end, Outcome: callcenter.Answered,
		HangupSide: callcenter.LegCustomer, AgentID: ids["anna@a.example"]}
	if err := calls.Create(ctx, &call); err != nil {
		t.Fatal(err)
	}
	if err := calls.SetDisposition(ctx, access.Brands(e.BrandA), call.ID, callcenter.DispCallbackRequested); err != nil {
		t.Fatal(err)
	}
	app := portal.New(portal.Deps{Log: storetest.Logger(t), DB: e.DB, Access: e.Access, Cases: e.Tracking, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) {
			callpages.Routes(r, callpages.Options{Access: e.Access, Calls: calls})
		}}})
	path := "/calls/" + strconv.FormatInt(call.ID, 10)
	for _, tc := range []struct {
		email, lang string
		want, not   []string
	}{
		{"sofia@a.example", "en", []string{"callback requested"}, nil},
		{"sofia@a.example", "ru", []string{"просили перезвонить"}, []string{"<dd>callback_requested</dd>"}},
		{"anna@a.example", "en", []string{"callback requested"}, nil},
	} {
		cookies := map[string]string{"lang": tc.lang}
		if st, body, _ := browsertest.Login(t, app, cookies, tc.email, password, ""); st != http.StatusSeeOther {
			t.Fatalf("login: %d %s", st, body)
		}
		st, page, _ := browsertest.Request(t, app, cookies, "GET", path, nil)
		if st != http.StatusOK {
			t.Fatalf("%s %s: %d", tc.email, tc.lang, st)
		}
		page = html.UnescapeString(page)
		for _, w := range tc.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s %s: the page lacks %q", tc.email, tc.lang, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(page, w) {
				i := strings.Index(page, w)
				t.Errorf("%s %s: the page shows %q: %s", tc.email, tc.lang, w, page[max(0, i-200):i+50])
			}
		}
	}
}
