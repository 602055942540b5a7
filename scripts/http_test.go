package scripts

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// api is the portal with the communications routes, as serve mounts them.
type api struct {
	t   testing.TB
	app *fiber.App
}

func newAPI(e *env) *api {
	app := portal.New(portal.Deps{Log: storetest.Logger(e.t), DB: e.db, Access: e.acc, Cases: e.cs, PublicURL: "http://wismo.test",
		Routes: []func(fiber.Router){func(r fiber.Router) { dialer.Routes(r, e.dialer) }, func(r fiber.Router) { Routes(r, e.svc) }}})
	return &api{t: e.t, app: app}
}

// do sends a request with a bearer key (or a session cookie and CSRF token) and decodes
// the JSON answer into out.
func (a *api) do(method, path, auth string, body any, out any) int {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	if strings.HasPrefix(auth, "wsm_") {
		req.Header.Set("Authorization", "Bearer "+auth)
	} else if cookie, csrf, ok := strings.Cut(auth, "|"); ok {
		req.Header.Set("Cookie", access.SessionCookie+"="+cookie)
		req.Header.Set(access.CSRFHeader, csrf)
	}
	resp, err := a.app.Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func TestEditorsAPI(t *testing.T) {
	e := newEnv(t)
	a := newAPI(e)
	key := e.key
	p := tracking.MakeS10("RB", 730001, "GB")
	e.parcel(p, "1200.00")

	var list struct {
		Templates []Template `json:"templates"`
		Rules     []Rule     `json:"rules"`
		Scripts   []CallScript
	}
	if code := a.do("GET", "/api/v1/templates", key, nil, &list); code != 200 || len(list.Templates) != 14 { // 10, and 4 of the rules on elapsed time
		t.Fatalf("standard templates: %d %d", code, len(list.Templates))
	}
	var bad struct{ Problems []Problem }
	code := a.do("POST", "/api/v1/templates", key, TemplateInput{Name: "promo", Channel: "sms", Language: "en",
		Content: Content{SMS: "Hi {{.recipient.first_name}}\nyour code {{.parcel.code}}"}}, &bad)
	if code != 422 || len(bad.Problems) != 1 || bad.Problems[0].Line != 2 || bad.Problems[0].Message != "there is no variable .parcel.code" {
		t.Fatalf("invalid template: %d %+v", code, bad)
	}
	var tpl Template
	if code := a.do("POST", "/api/v1/templates", key, TemplateInput{Name: "promo", Channel: "sms", Language: "en",
		Content: Content{SMS: "Parcel {{.parcel.id}}: {{.tracking_link}}"}}, &tpl); code != 201 || tpl.Version != 1 || tpl.SMSInfo.Encoding != "GSM-7" {
		t.Fatalf("create: %d %+v", code, tpl)
	}
	if code := a.do("PUT", fmt.Sprintf("/api/v1/templates/%d", tpl.ID), key, TemplateInput{Content: Content{SMS: "Посылка {{.parcel.id}}"}}, &tpl); code != 200 || tpl.Version != 2 || tpl.SMSInfo.Encoding != "UCS-2" {
		t.Fatalf("publish: %d %+v", code, tpl)
	}
	var preview Rendered
	if code := a.do("POST", "/api/v1/templates/preview", key, map[string]any{"channel": "sms", "parcel_id": strings.ToLower(p),
		"content": Content{SMS: "{{.recipient.first_name}}, {{.cod.text}} for {{.parcel.id}}"}}, &preview); code != 200 || preview.Text != "Иван, 1200.00 RUB for "+p {
		t.Fatalf("preview on a real parcel: %d %+v", code, preview)
	}

	if code := a.do("GET", "/api/v1/rules", key, nil, &list); code != 200 || len(list.Rules) != 10 { // 7, and 3 on elapsed time
		t.Fatalf("standard rules: %d %d", code, len(list.Rules))
	}
	code = a.do("POST", "/api/v1/rules", key, Rule{Name: "x", Trigger: "event", Codes: []string{"EDD"}, Action: "sms", Template: "promo",
		Condition: "parcel.has_cod &&\n parcel.cod_amont > 10"}, &bad)
	if code != 422 || bad.Problems[0].Field != "condition" || bad.Problems[0].Line != 2 {
		t.Fatalf("bad condition: %d %+v", code, bad.Problems)
	}
	var rule Rule
	if code := a.do("POST", "/api/v1/rules", key, Rule{Name: "promo at EDD", Enabled: true, Trigger: "event", Codes: []string{"EDD"}, Action: "sms",
		Template: "promo", Condition: "parcel.cod_amount > 1000", Delay: dialer.Duration(3600e9)}, &rule); code != 201 || !rule.Enabled {
		t.Fatalf("rule: %d %+v", code, rule)
	}

	if code := a.do("GET", "/api/v1/scripts", key, nil, &list); code != 200 || len(list.Scripts) != 1 {
		t.Fatalf("scripts: %d %+v", code, list.Scripts)
	}
	var run CallScript
	if code := a.do("GET", fmt.Sprintf("/api/v1/scripts/%d/run?parcel=%s", list.Scripts[0].ID, p), key, nil, &run); code != 200 ||
		!strings.Contains(run.Body.Steps[0].Say, "Петров Иван") || !strings.Contains(run.Body.Steps[1].Say, "1200.00 RUB") {
		t.Fatalf("running script: %d %+v", code, run.Body.Steps)
	}

	// Another brand sees none of it.
	_, other, err := e.acc.CreateBrand(context.Background(), "Other Shop")
	if err != nil {
		t.Fatal(err)
	}
	if code := a.do("GET", fmt.Sprintf("/api/v1/templates/%d", tpl.ID), other, nil, nil); code != 404 {
		t.Fatalf("another brand's template: %d", code)
	}
	if code := a.do("GET", "/api/v1/parcels/"+p+"/contacts", other, nil, nil); code != 404 {
		t.Fatalf("another brand's parcel contacts: %d", code)
	}

	// Agents read, brand managers write.
	ctx := context.Background()
	for _, u := range []struct {
		email string
		role  access.Role
		want  int
	}{{"agent@shop.example", access.RoleAgent, 403}, {"manager@shop.example", access.RoleBrandManager, 200}} {
		if _, err := e.acc.CreateUser(ctx, u.email, "a long password 1", u.role, []int64{e.brand}); err != nil {
			t.Fatal(err)
		}
		sess, err := e.acc.Login(ctx, u.email, "a long password 1")
		if err != nil {
			t.Fatal(err)
		}
		auth := sess.Token + "|" + sess.CSRF
		if code := a.do("GET", "/api/v1/comms/windows", auth, nil, nil); code != 200 {
			t.Fatalf("%s reading windows: %d", u.role, code)
		}
		if code := a.do("PUT", "/api/v1/comms/windows", auth, map[string]any{"windows": map[string]any{"sms": map[string]any{"all": []string{"10:00-20:00"}}}}, nil); code != u.want {
			t.Fatalf("%s changing windows: %d, want %d", u.role, code, u.want)
		}
	}
	if code := a.do("PUT", "/api/v1/comms/windows", key, map[string]any{"windows": map[string]any{"sms": map[string]any{"all": []string{"21:00-09:00"}}}}, nil); code != 422 {
		t.Fatalf("a backwards window: %d", code)
	}
	var alg struct{ Algorithm dialer.Algorithm }
	if code := a.do("PUT", "/api/v1/comms/algorithm", key, map[string]any{"algorithm": map[string]any{"max_attempts": 5, "retry": map[string]string{"busy": "5m"}}}, &alg); code != 200 || alg.Algorithm.MaxAttempts != 5 || alg.Algorithm.DailyCap != 2 {
		t.Fatalf("algorithm: %d %+v", code, alg)
	}
	var camps struct{ Campaigns []dialer.Campaign }
	if code := a.do("GET", "/api/v1/campaigns", key, nil, &camps); code != 200 || len(camps.Campaigns) != 1 || camps.Campaigns[0].Status != "running" {
		t.Fatalf("campaigns: %d %+v", code, camps)
	}
	if code := a.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/pause", camps.Campaigns[0].ID), key, nil, nil); code != http.StatusOK {
		t.Fatalf("pause: %d", code)
	}
}
