package routing

import (
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/store/storetest"
)

// TestRoutingAPI: a brand's key sets its agent's languages and skills and its queue's routing;
// a wrong field is a 422 naming it; another brand's agent or queue is a 404.
func TestRoutingAPI(t *testing.T) {
	f := newFloor(t)
	ctx := context.Background()
	agent := f.agent("ru", f.a, callcenter.Available, time.Minute, nil, nil)
	other := f.agent("other", f.b, callcenter.Available, time.Minute, nil, nil)
	keyA, err := f.acc.NewBrandKey(ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(access.Authenticate(f.acc))
	Routes(app, f.svc, f.acc)
	call := func(method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+keyA)
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	a := strconv.FormatInt(f.a, 10)
	path := "/api/v1/brands/" + a + "/agents/" + strconv.FormatInt(agent, 10) + "/routing"
	if code, body := call("PUT", path, `{"languages": ["ru", "en"], "skills": ["returns"]}`); code != 200 || !strings.Contains(body, `"languages":["ru","en"]`) {
		t.Fatalf("put: %d %s", code, body)
	}
	if got, _ := f.svc.Agent(ctx, f.a, agent); !slices.Equal(got.Languages, []string{"ru", "en"}) || !slices.Equal(got.Skills, []string{"returns"}) {
		t.Fatalf("stored: %+v", got)
	}
	for _, c := range []struct{ body, field string }{
		{`{"languages": ["zz"]}`, `"field":"languages"`},
		{`{"skills": ["a b"]}`, `"field":"skills"`},
		{`{"skills": ["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u"]}`, `"field":"skills"`},
		{`{"langs": ["ru"]}`, `"field":"langs"`},
	} {
		if code, body := call("PUT", path, c.body); code != 422 || !strings.Contains(body, c.field) {
			t.Errorf("%s: %d %s, want a 422 naming %s", c.body, code, body, c.field)
		}
	}
	if code, body := call("GET", "/api/v1/brands/"+a+"/agents/routing", ""); code != 200 || !strings.Contains(body, `"email":"ru@example.com"`) || strings.Contains(body, "other@") {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, _ := call("GET", "/api/v1/brands/"+a+"/agents/"+strconv.FormatInt(other, 10)+"/routing", ""); code != 404 {
		t.Fatalf("another brand's agent through our brand: %d", code)
	}
	if code, _ := call("GET", "/api/v1/brands/"+strconv.FormatInt(f.b, 10)+"/agents/"+strconv.FormatInt(other, 10)+"/routing", ""); code != 404 && code != 403 {
		t.Fatalf("another brand's agent: %d", code)
	}
	qpath := "/api/v1/hotline/queues/" + strconv.FormatInt(f.queue, 10) + "/routing"
	if code, body := call("GET", qpath, ""); code != 200 || !strings.Contains(body, `"fallback_seconds":30`) {
		t.Fatalf("queue defaults: %d %s", code, body)
	}
	if code, body := call("PUT", qpath, `{"skill": "customs", "fallback_seconds": 45, "announce_seconds": 30}`); code != 200 || !strings.Contains(body, `"skill":"customs"`) {
		t.Fatalf("queue put: %d %s", code, body)
	}
	if code, body := call("PUT", qpath, `{"fallback_seconds": 9999}`); code != 422 || !strings.Contains(body, `"field":"fallback_seconds"`) {
		t.Fatalf("queue bad wait: %d %s", code, body)
	}
	var queueB int64
	if err := f.db.SQL.QueryRowContext(ctx, f.db.Rebind(`INSERT INTO hotline_queues (name, brand_id) VALUES ('B support', ?) RETURNING id`), f.b).Scan(&queueB); err != nil {
		t.Fatal(err)
	}
	if code, _ := call("PUT", "/api/v1/hotline/queues/"+strconv.FormatInt(queueB, 10)+"/routing", `{"fallback_seconds": 5}`); code != 404 {
		t.Fatalf("another brand's queue: %d", code)
	}
}

// TestRoutingPage: a brand manager edits an agent's languages on the page, in English and in
// Russian; a wrong code comes back beside the row with what was typed.
func TestRoutingPage(t *testing.T) {
	f := newFloor(t)
	ctx := context.Background()
	agent := f.agent("ru", f.a, callcenter.Available, time.Minute, nil, nil)
	if _, err := f.acc.CreateUser(ctx, "manager@example.com", "a login password 1", access.RoleBrandManager, []int64{f.a}); err != nil {
		t.Fatal(err)
	}
	app := portal.New(portal.Deps{Log: storetest.Logger(t), DB: f.db, Access: f.acc, Routes: []func(fiber.Router){func(r fiber.Router) {
		PageRoutes(r, f.svc, f.acc)
	}}})
	cookies := map[string]string{}
	if code, _, _ := browsertest.Login(t, app, cookies, "manager@example.com", "a login password 1", "/routing"); code != 303 {
		t.Fatalf("login: %d", code)
	}
	page := "/routing/" + strconv.FormatInt(f.a, 10)
	code, _, _ := browsertest.Request(t, app, cookies, "GET", "/routing", nil)
	if code != 303 {
		t.Fatalf("/routing: %d", code)
	}
	code, body, _ := browsertest.Request(t, app, cookies, "GET", page, nil)
	if code != 200 || !strings.Contains(body, "Routing by language and skill") || !strings.Contains(body, "ru@example.com") || !strings.Contains(body, "A support") {
		t.Fatalf("page: %d %.2000s", code, body)
	}
	token := browsertest.FormToken(body)
	id := strconv.FormatInt(agent, 10)
	code, body, _ = browsertest.Request(t, app, cookies, "POST", page, url.Values{"_csrf": {token}, "op": {"agent"}, "id": {id}, "languages": {"ru, xx"}, "skills": {"returns"}})
	if code != 422 || !strings.Contains(body, `&#34;xx&#34; is not an ISO 639-1`) || !strings.Contains(body, `value="ru, xx"`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("bad language: %d %.3000s", code, body)
	}
	code, body, _ = browsertest.Request(t, app, cookies, "POST", page, url.Values{"_csrf": {token}, "op": {"agent"}, "id": {id}, "languages": {"ru, en"}, "skills": {"returns"}})
	if code != 200 || !strings.Contains(body, "Saved.") {
		t.Fatalf("save: %d %.2000s", code, body)
	}
	if got, _ := f.svc.Agent(ctx, f.a, agent); !slices.Equal(got.Languages, []string{"ru", "en"}) {
		t.Fatalf("stored: %+v", got)
	}
	code, _, _ = browsertest.Request(t, app, cookies, "POST", page, url.Values{"_csrf": {token}, "op": {"queue"}, "id": {strconv.FormatInt(f.queue, 10)},
		"skill": {"returns"}, "fallback": {"20"}, "announce": {"30"}})
	if q, _ := f.svc.Queue(ctx, f.queue); code != 200 || q.Fallback != 20*time.Second || q.Skill != "returns" {
		t.Fatalf("queue save: %d %+v", code, q)
	}
	code, body, _ = browsertest.Request(t, app, cookies, "GET", page+"?lang=ru", nil)
	if code != 200 || !strings.Contains(body, "Маршрутизация по языку и навыкам") || !strings.Contains(body, "Сохранить") {
		t.Fatalf("Russian page: %d %.2000s", code, body)
	}
	if code, _, _ := browsertest.Request(t, app, cookies, "GET", "/routing/"+strconv.FormatInt(f.b, 10), nil); code != 404 {
		t.Fatalf("another brand's page: %d", code)
	}
}
