package callcenter

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/telephony"
)

// An agent sets a SIP account on the API; only its digest HA1 is stored (through access, the
// users table's owner), a phone registering with it is known by that HA1, and another agent
// cannot take the same username.
func TestAgentSIPAccount(t *testing.T) {
	ctx := context.Background()
	acc, b, c, app := softphoneApp(t)
	login := func(email string) func(body string) (int, string) {
		if _, err := acc.CreateUser(ctx, email, "a login password 1", access.RoleAgent, []int64{b.ID}); err != nil {
			t.Fatal(err)
		}
		sess, err := acc.Login(ctx, email, "a login password 1")
		if err != nil {
			t.Fatal(err)
		}
		return func(body string) (int, string) {
			req := httptest.NewRequest("PUT", "http://wismo.test/api/v1/agent/sip", strings.NewReader(body))
			req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
			req.Header.Set("Origin", "http://wismo.test")
			req.Header.Set(access.CSRFHeader, sess.CSRF)
			req.Header.Set("Content-Type", "application/json")
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
	}
	ann, bob := login("ann@example.com"), login("bob@example.com")
	if code, body := ann(`{"username": "ann", "secret": "phone-secret-1"}`); code != http.StatusNoContent {
		t.Fatalf("set account: %d %s", code, body)
	}
	if ha1, err := c.Agents.SIPHA1(ctx, "ann"); err != nil || ha1 != telephony.HA1("ann", "wismo", "phone-secret-1") {
		t.Fatalf("SIPHA1 = %q, %v", ha1, err)
	}
	if _, err := c.Agents.SIPHA1(ctx, "nobody"); !errors.Is(err, telephony.ErrUnknownUser) {
		t.Fatalf("an unknown phone: %v, want telephony.ErrUnknownUser", err)
	}
	for _, tc := range []struct {
		body string
		code int
		says string
	}{
		{`{"username": "ann", "secret": "phone-secret-2"}`, http.StatusConflict, "that SIP username is taken"},
		{`{"username": "bob@x", "secret": "phone-secret-2"}`, http.StatusUnprocessableEntity, "plain token"},
		{`{"username": "bob", "secret": "short"}`, http.StatusUnprocessableEntity, "at least 8 characters"},
	} {
		if code, body := bob(tc.body); code != tc.code || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.body, code, body, tc.code, tc.says)
		}
	}
	if ha1, _ := c.Agents.SIPHA1(ctx, "ann"); ha1 != telephony.HA1("ann", "wismo", "phone-secret-1") {
		t.Fatal("a refused request changed ann's account")
	}
	if err := c.Agents.SetSIPSecret(ctx, 9999, "carl", "phone-secret-3"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unknown user: %v, want ErrNotFound", err)
	}
}
