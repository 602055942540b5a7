package monitor_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestConferenceBodyNamesTheField: the conference takes exactly one of a number and an
// agent; other bodies are 422 naming the field, before any call is looked up. A body with
// one agent goes on to the call (404: none is live).
func TestConferenceBodyNamesTheField(t *testing.T) {
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	acc := access.NewService(db)
	b, _, err := acc.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	agents := callcenter.NewAgents(db, "wismo", acc)
	center := callcenter.NewCenter(callcenter.Config{}, db, agents, nil, tracking.NewService(db, log, nil), log, nil)
	mon, err := monitor.New(ctx, db, center, nil, callcenter.SoftphoneConfig{}, log)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(access.Authenticate(acc))
	monitor.Routes(app, mon)
	if _, err := acc.CreateUser(ctx, "agent1@example.com", "a login password 1", access.RoleAgent, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	sess, err := acc.Login(ctx, "agent1@example.com", "a login password 1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body   string
		status int
		field  string
	}{
		{`{}`, 422, "to"},
		{`{"to": ""}`, 422, "to"},
		{`{"to": "+79139998877", "agent_id": 3}`, 422, "agent_id"},
		{`{"agent_id": 0}`, 422, "agent_id"},
		{`{"agent_id": -4}`, 422, "agent_id"},
		{`{"agent_id": "three"}`, 422, "agent_id"},
		{`{"agent_id": 3}`, 404, ""},
		{`{"to": "+79139998877"}`, 404, ""},
	} {
		req := httptest.NewRequest("POST", "http://wismo.test/api/v1/calls/77/conference", strings.NewReader(tc.body))
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
		req.Header.Set("Origin", "http://wismo.test")
		req.Header.Set(access.CSRFHeader, sess.CSRF)
		req.Header.Set("Content-Type", "application/json")
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.body, res.StatusCode, raw, tc.status)
			continue
		}
		if tc.field == "" {
			continue
		}
		var out struct {
			Error struct {
				Fields []struct{ Field string } `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Error.Fields) != 1 || out.Error.Fields[0].Field != tc.field {
			t.Errorf("%s: %s, want the field %s named", tc.body, raw, tc.field)
		}
	}
}
