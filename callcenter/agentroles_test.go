package callcenter

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// Only agents and supervisors take calls: a brand manager (or an admin) cannot make
// themselves available on the API or open the softphone socket (issue 13, defect 10).
func TestOnlyAgentsAndSupervisorsTakeCalls(t *testing.T) {
	ctx := context.Background()
	acc, b, c, app := softphoneApp(t)
	for _, tc := range []struct {
		role             access.Role
		state, softphone int
	}{
		{access.RoleAgent, fiber.StatusNoContent, fiber.StatusUpgradeRequired},
		{access.RoleSupervisor, fiber.StatusNoContent, fiber.StatusUpgradeRequired},
		{access.RoleBrandManager, fiber.StatusForbidden, fiber.StatusForbidden},
		{access.RoleAdmin, fiber.StatusForbidden, fiber.StatusForbidden},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			brands := []int64{b.ID}
			if tc.role == access.RoleAdmin {
				brands = nil
			}
			u, send := userSession(t, acc, app, string(tc.role)+"@example.com", tc.role, brands)
			if s, _ := send("PUT", "/api/v1/agent/state", `{"state": "available"}`); s != tc.state {
				t.Errorf("PUT /api/v1/agent/state available: %d, want %d", s, tc.state)
			}
			ag, err := c.Agents.Get(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if available := ag.State == Available; available != (tc.state == fiber.StatusNoContent) {
				t.Errorf("state after the request: %s", ag.State)
			}
			if s, _ := send("GET", "/api/v1/agent/softphone", ""); s != tc.softphone {
				t.Errorf("softphone socket: %d, want %d", s, tc.softphone)
			}
		})
	}
}

// softphoneApp is a brand and the call center's API with the browser softphone on, behind the
// API's authentication.
func softphoneApp(t *testing.T) (*access.Service, access.Brand, *Center, *fiber.App) {
	t.Helper()
	db := storetest.Open(t)
	acc := access.NewService(db)
	b, _, err := acc.CreateBrand(context.Background(), "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCenter(Config{}, db, NewAgents(db, "wismo", acc), nil, nil, storetest.Logger(t), nil)
	if _, err := c.EnableSoftphone(SoftphoneConfig{}); err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(access.Authenticate(acc))
	Routes(app, c)
	return acc, b, c, app
}

// userSession creates a user and logs them in, and returns a function that sends requests
// with the session as the desk page does (its cookie, same origin, the CSRF header).
func userSession(t *testing.T, acc *access.Service, app *fiber.App, email string, role access.Role, brands []int64) (access.User, func(method, path, body string) (int, string)) {
	t.Helper()
	ctx := context.Background()
	u, err := acc.CreateUser(ctx, email, "a login password 1", role, brands)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := acc.Login(ctx, email, "a login password 1")
	if err != nil {
		t.Fatal(err)
	}
	return u, func(method, path, body string) (int, string) {
		t.Helper()
		req := httptest.NewRequest(method, "http://wismo.test"+path, strings.NewReader(body))
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
		req.Header.Set("Origin", "http://wismo.test")
		req.Header.Set(access.CSRFHeader, sess.CSRF)
		req.Header.Set("Content-Type", "application/json")
		return serve(t, app, req)
	}
}

// serve has app answer req and returns the status and body.
func serve(t *testing.T, app *fiber.App, req *http.Request) (int, string) {
	t.Helper()
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
