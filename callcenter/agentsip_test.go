package callcenter

import (
	"context"
	"errors"
	"net/http"
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
	put := func(email string) func(body string) (int, string) {
		_, send := userSession(t, acc, app, email, access.RoleAgent, []int64{b.ID})
		return func(body string) (int, string) { return send("PUT", "/api/v1/agent/sip", body) }
	}
	ann, bob := put("ann@example.com"), put("bob@example.com")
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
