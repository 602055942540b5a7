package portal

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

type fixture struct {
	app              *fiber.App
	acc              *access.Service
	keyA, keyB, keyP string
	brandA, brandB   int64
}

// newFixture is the portal over a fresh database; opts change its Deps (the access service
// among them) before it is built.
func newFixture(t *testing.T, opts ...func(*Deps)) *fixture {
	t.Helper()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	d := Deps{Log: log, DB: db, Access: acc, Cases: tracking.NewService(db, log, reg), Registry: reg, PublicURL: "http://127.0.0.1:8080"}
	for _, o := range opts {
		o(&d)
	}
	acc = d.Access
	app := New(d)
	ctx := context.Background()
	a, ka, _ := acc.CreateBrand(ctx, "Brand A")
	b, kb, _ := acc.CreateBrand(ctx, "Brand B")
	_, kp, err := acc.CreatePost(ctx, "GB", "")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{app: app, acc: acc, keyA: ka, keyB: kb, keyP: kp, brandA: a.ID, brandB: b.ID}
}

type reply struct {
	status int
	body   string
	header http.Header
}

func (f *fixture) do(t *testing.T, method, path, auth, body string, hdr ...string) reply {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b), resp.Header}
}

const parcelJSON = `{"parcels":[{"id":"RB123456785GB","service_level":"standard","kind":"packet","weight_kg":0.4,
 "origin_country":"GB","destination_country":"RU","cod":{"amount":"1200.00","currency":"RUB"},
 "recipient":{"name":"Иван Петров","phone":"+7 913 123 45 67","email":"ivan@example.com","region":"RU-NVS","time_zone":""}}]}`

func results(t *testing.T, body string) []tracking.Result {
	t.Helper()
	var out struct{ Results []tracking.Result }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out.Results
}

func TestAPIKeys(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, auth string
		hdr        []string
	}{
		{"no credentials", "", nil},
		{"unknown key", "wsm_notakey", nil},
		{"not a wismo key", "abc", nil},
		{"basic auth", "", []string{"Authorization", "Basic dXNlcjpwYXNz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "POST", "/api/v1/parcels", tc.auth, parcelJSON, tc.hdr...)
			if r.status != 401 || !strings.Contains(r.body, `"error"`) || r.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("status %d body %s", r.status, r.body)
			}
		})
	}
	if r := f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON); r.status != 200 {
		t.Fatalf("valid key: %d %s", r.status, r.body)
	}
	if err := f.acc.RevokeKey(context.Background(), f.keyA); err != nil {
		t.Fatal(err)
	}
	if r := f.do(t, "GET", "/api/v1/parcels/RB123456785GB", f.keyA, ""); r.status != 401 {
		t.Fatalf("revoked key: %d", r.status)
	}
}

func TestIngestAndIsolationOverHTTP(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	if res := results(t, r.body); r.status != 200 || len(res) != 1 || res[0].Status != tracking.StatusAccepted || res[0].ID != "RB123456785GB" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	events := `{"events":[{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","country":"GB"},
		{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","country":"GB"},
		{"item_id":"RB123456785GB","code":"EMB","occurred_at":"yesterday"},
		{"item_id":"RB123456785GB","code":"EMC","occurred_at":"2026-11-02T10:00:00Z","colour":"red"},
		{"item_id":12345,"code":"EMC"},
		"not an object",
		{"item_id":"rb 1234 5678 5 gb","code":"emc","occurred_at":"2026-11-02T10:00:00Z"}]}`
	r = f.do(t, "POST", "/api/v1/events", f.keyA, events)
	res := results(t, r.body)
	want := []struct {
		status tracking.Status
		field  string
	}{{"accepted", ""}, {"duplicate", ""}, {"rejected", "occurred_at"}, {"rejected", "colour"}, {"rejected", "item_id"}, {"rejected", ""}, {"accepted", ""}}
	if r.status != 200 || len(res) != len(want) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for i, w := range want {
		if res[i].Index != i || res[i].Status != w.status || (w.status == "rejected" && (res[i].Error == nil || res[i].Error.Field != w.field)) {
			t.Errorf("item %d: %+v, want %s %s", i, res[i], w.status, w.field)
		}
	}

	// Brand A reads its parcel; brand B gets a 404 on read and a rejection on write.
	r = f.do(t, "GET", "/api/v1/parcels/rb123456785gb", f.keyA, "")
	var v tracking.ParcelView
	json.Unmarshal([]byte(r.body), &v)
	if r.status != 200 || v.Phase != "in_transit" || len(v.Events) != 2 || v.Recipient.TimeZone != "Asia/Novosibirsk" {
		t.Fatalf("GET own parcel: %d %s", r.status, r.body)
	}
	if r = f.do(t, "GET", "/api/v1/parcels/RB123456785GB", f.keyB, ""); r.status != 404 {
		t.Fatalf("GET other brand's parcel: %d %s", r.status, r.body)
	}
	r = f.do(t, "POST", "/api/v1/events", f.keyB, `{"events":[{"item_id":"RB123456785GB","code":"EMD","occurred_at":"2026-11-03T10:00:00Z"}]}`)
	if res := results(t, r.body); res[0].Status != tracking.StatusRejected {
		t.Fatalf("brand B event on A's parcel: %s", r.body)
	}
	r = f.do(t, "POST", "/api/v1/parcels", f.keyB, parcelJSON)
	if res := results(t, r.body); res[0].Status != tracking.StatusRejected || res[0].Error.Field != "id" {
		t.Fatalf("brand B upserting A's parcel: %s", r.body)
	}
	// The GB post reads the parcel (it leaves GB) but may not create parcels.
	if r = f.do(t, "GET", "/api/v1/parcels/RB123456785GB", f.keyP, ""); r.status != 200 {
		t.Fatalf("post GET: %d", r.status)
	}
	if r = f.do(t, "POST", "/api/v1/parcels", f.keyP, parcelJSON); r.status != 403 {
		t.Fatalf("post creating parcels: %d", r.status)
	}
}

func TestBadBodies(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/api/v1/parcels", `not json`, 400},
		{"/api/v1/parcels", `{"items":[]}`, 400},
		{"/api/v1/events", `{"events":{}}`, 400},
		{"/api/v1/events", `{"events":[` + strings.Repeat(`{},`, tracking.MaxBatch) + `{}]}`, 413},
	} {
		r := f.do(t, "POST", tc.path, f.keyA, tc.body)
		if r.status != tc.status || !strings.Contains(r.body, `"message"`) {
			t.Errorf("%s %.40s: %d %s", tc.path, tc.body, r.status, r.body)
		}
	}
	if r := f.do(t, "GET", "/api/v1/parcels/not-an-id", f.keyA, ""); r.status != 404 {
		t.Errorf("malformed id: %d", r.status)
	}
}

func TestSessionsAndCSRF(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.acc.CreateUser(ctx, "agent@example.com", "correct horse battery", access.RoleAgent, []int64{f.brandB}); err != nil {
		t.Fatal(err)
	}
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	if r := f.do(t, "POST", "/api/v1/session", "", `{"email":"agent@example.com","password":"wrong password"}`); r.status != 401 {
		t.Fatalf("wrong password: %d", r.status)
	}
	r := f.do(t, "POST", "/api/v1/session", "", `{"email":"Agent@Example.com","password":"correct horse battery"}`)
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(strings.ToLower(cookie), "samesite=lax") {
		t.Errorf("session cookie flags: %s", cookie)
	}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal([]byte(r.body), &sess)
	c := strings.Split(cookie, ";")[0]
	// The agent of brand B does not see brand A's parcel.
	if r := f.do(t, "GET", "/api/v1/parcels/RB123456785GB", "", "", "Cookie", c); r.status != 404 {
		t.Fatalf("agent of B reading A's parcel: %d", r.status)
	}
	ev := `{"events":[{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z"}]}`
	if r := f.do(t, "POST", "/api/v1/events", "", ev, "Cookie", c); r.status != 403 {
		t.Fatalf("POST without CSRF token: %d", r.status)
	}
	if r := f.do(t, "POST", "/api/v1/events", "", ev, "Cookie", c, access.CSRFHeader, "forged"); r.status != 403 {
		t.Fatalf("POST with a wrong CSRF token: %d", r.status)
	}
	r = f.do(t, "POST", "/api/v1/events", "", ev, "Cookie", c, access.CSRFHeader, sess.CSRF)
	if res := results(t, r.body); r.status != 200 || res[0].Status != tracking.StatusRejected {
		t.Fatalf("agent of B pushing for A's parcel with CSRF: %d %s", r.status, r.body)
	}
	if r := f.do(t, "DELETE", "/api/v1/session", "", "", "Cookie", c, access.CSRFHeader, sess.CSRF); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	if r := f.do(t, "GET", "/api/v1/session", "", "", "Cookie", c); r.status != 401 {
		t.Fatalf("session after logout: %d", r.status)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	const token = "metrics-token-for-the-test"
	f := newFixture(t, func(d *Deps) { d.MetricsToken = token })
	// /metrics last: the request counter exists once a request was served.
	for _, c := range []struct{ path, want string }{{"/healthz", "ok"}, {"/readyz", "ready"}, {"/", "wismo"}, {"/metrics", "wismo_http_requests_total"}} {
		if r := f.do(t, "GET", c.path, token, ""); r.status != 200 || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d %.100s", c.path, r.status, r.body)
		}
	}
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	if r := f.do(t, "GET", "/metrics", token, ""); !strings.Contains(r.body, `wismo_ingest_items_total{kind="parcel",status="accepted"} 1`) {
		t.Errorf("ingest counter missing from /metrics")
	}
	if r := f.do(t, "GET", "/nope", "", ""); r.status != 404 || !strings.Contains(r.body, "<h1>404") {
		t.Errorf("unknown page: %d %s", r.status, r.body)
	}
}
