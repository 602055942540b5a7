package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const parcelID = "RB123456785GB" // to Novosibirsk (UTC+7)

type env struct {
	*trackingtest.Env
	dialer *dialer.Service
	cb     *Service
	agentA access.User
	agentB access.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{Env: trackingtest.New(t)}
	e.Upsert(e.ScopeA(), trackingtest.Parcel(parcelID))
	clock := func() time.Time { return e.Now }
	d, err := dialer.New(e.DB, storetest.Logger(t), dialer.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	e.dialer = d
	e.cb = New(e.DB, d, e.Tracking, storetest.Logger(t))
	e.cb.now = clock
	for i, u := range []*access.User{&e.agentA, &e.agentB} {
		got, err := e.Access.CreateUser(context.Background(), []string{"a", "b"}[i]+"@example.com", "a login password 1", access.RoleAgent, []int64{e.BrandA})
		if err != nil {
			t.Fatal(err)
		}
		*u = got
	}
	return e
}

func (e *env) contact(id int64) dialer.Contact {
	e.T.Helper()
	var contact int64
	if err := e.DB.SQL.QueryRow(e.DB.Rebind(`SELECT contact_id FROM callbacks WHERE id = ?`), id).Scan(&contact); err != nil {
		e.T.Fatal(err)
	}
	list, err := e.dialer.Contacts(context.Background(), e.ScopeA(), parcelID)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, c := range list {
		if c.ID == contact {
			return c
		}
	}
	e.T.Fatalf("no contact %d of callback %d", contact, id)
	return dialer.Contact{}
}

// TestHotlineCallbackIsPlanned (issue 16): a callback the hotline promised after hours
// (23:30 on the caller's clock) becomes a call contact of the brand's running Callbacks
// campaign, due when the caller's window opens (09:00 their time), with the queue's script,
// listed on every agent's desk as the queue's.
func TestHotlineCallbackIsPlanned(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.Now = time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC) // 23:30 in Novosibirsk
	id, err := e.cb.Promise(ctx, callcenter.Promise{BrandID: e.BrandA, ParcelID: parcelID, Phone: "+79131234567", Source: "after_hours",
		ScriptID: 42, At: e.Now, Actor: "hotline"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.contact(id)
	if c.Channel != dialer.Call || c.Status != dialer.StatusPlanned || c.Recipient != "+79131234567" || c.ScriptID != 42 ||
		!c.DueAt.Equal(time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)) {
		t.Fatalf("callback contact: %s to %s script %d due %s (%s)", c.Status, c.Recipient, c.ScriptID, c.DueAt, c.DueLocal)
	}
	camp, err := e.dialer.Campaign(ctx, e.BrandA, c.CampaignID)
	if err != nil || camp.Name != CampaignName || camp.Status != "running" {
		t.Fatalf("campaign %+v %v", camp, err)
	}
	// A second callback goes into the same campaign.
	id2, err := e.cb.Promise(ctx, callcenter.Promise{BrandID: e.BrandA, ParcelID: parcelID, Phone: "+79131234567", Source: "max_wait", At: e.Now})
	if err != nil || e.contact(id2).CampaignID != camp.ID {
		t.Fatalf("second callback: %v", err)
	}
	list, err := e.cb.List(ctx, access.ScopeOf(&e.agentB), e.agentB.ID, 10)
	if err != nil || len(list) != 2 || list[0].Mine || list[0].Source != "after_hours" || list[0].ParcelID != parcelID {
		t.Fatalf("desk list: %+v %v", list, err)
	}
	if list, _ := e.cb.List(ctx, e.ScopeB(), e.agentB.ID, 10); len(list) != 0 {
		t.Fatalf("another brand sees %d callbacks", len(list))
	}
	due, phone, err := e.cb.Upcoming(ctx, e.BrandA, parcelID)
	if err != nil || !due.Equal(c.DueAt) || phone != "+79131234567" {
		t.Fatalf("upcoming %s %v", due, err)
	}
	if _, err := e.cb.Promise(ctx, callcenter.Promise{BrandID: e.BrandB, ParcelID: parcelID, Phone: "+79131234567", Source: "max_wait"}); err == nil {
		t.Fatal("a callback about another brand's parcel was planned")
	}
}

// TestAgentCallbackGoesToTheOwnerFirst: "call me at 18:00" scheduled by agent A for
// themselves is due at 18:00 on the customer's clock, on A's list and offered to A alone;
// after the grace it is the queue's and agent B sees it too.
func TestAgentCallbackGoesToTheOwnerFirst(t *testing.T) {
	e := newEnv(t)
	e.Now = time.Date(2026, 11, 20, 5, 0, 0, 0, time.UTC) // 12:00 in Novosibirsk
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		u := e.agentA
		if c.Get("X-Agent") == "b" {
			u = e.agentB
		}
		access.SetPrincipal(c, access.SessionPrincipal(access.Session{User: u}))
		return c.Next()
	})
	Routes(app, e.cb)
	post := func(body string) (int, string) {
		req := httptest.NewRequest("POST", "/api/v1/callbacks", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	for body, field := range map[string]string{
		`{"parcel_id": "` + parcelID + `", "at": "25:99"}`:                 "at: ",
		`{"parcel_id": "RB000000006GB", "at": "18:00"}`:                    "parcel_id: ",
		`{"parcel_id": "` + parcelID + `", "at": "18:00", "for": "boss"}`:  "for: ",
		`{"parcel_id": "` + parcelID + `", "at": "18:00", "phone": "123"}`: "phone: ",
	} {
		if code, msg := post(body); code != 422 || !strings.Contains(msg, field) {
			t.Errorf("%s: %d %s, want 422 naming %s", body, code, msg, field)
		}
	}
	code, body := post(`{"parcel_id": "` + parcelID + `", "at": "18:00", "for": "me", "note": "after work"}`)
	if code != 201 {
		t.Fatalf("schedule: %d %s", code, body)
	}
	var out struct{ ID int64 }
	json.Unmarshal([]byte(body), &out)
	c := e.contact(out.ID)
	due := time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC) // 18:00 in Novosibirsk
	if !c.DueAt.Equal(due) || c.Status != dialer.StatusPlanned {
		t.Fatalf("callback due %s (%s), want 18:00 the customer's time", c.DueAt, c.DueLocal)
	}
	owner, until, err := e.cb.Owner(context.Background(), c.ID)
	if err != nil || owner != e.agentA.ID || !until.Equal(due.Add(DefaultGrace)) {
		t.Fatalf("owner %d until %s (%v)", owner, until, err)
	}
	list := func(who string) []Item {
		req := httptest.NewRequest("GET", "/api/v1/callbacks", nil)
		req.Header.Set("X-Agent", who)
		resp, err := app.Test(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("list: %v %v", resp, err)
		}
		var out struct{ Callbacks []Item }
		json.NewDecoder(resp.Body).Decode(&out)
		return out.Callbacks
	}
	if a, b := list("a"), list("b"); len(a) != 1 || !a[0].Mine || a[0].Note != "after work" || len(b) != 0 {
		t.Fatalf("within the grace: A sees %+v, B sees %+v", a, b)
	}
	e.Now = due.Add(DefaultGrace + time.Minute)
	if b := list("b"); len(b) != 1 || b[0].Mine {
		t.Fatalf("after the grace B sees %+v", b)
	}
}

// TestCampaignNameIsPinned: each brand's callbacks campaign is found by its stored name
// (campaigns.name); a rename would start a second campaign beside the first.
func TestCampaignNameIsPinned(t *testing.T) {
	if CampaignName != "Callbacks" {
		t.Fatalf("CampaignName is %q: brands' campaigns are stored as \"Callbacks\"", CampaignName)
	}
}
