package portal

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// withAccess rebuilds the fixture's access service with opts (a test clock).
func withAccess(opts ...access.Option) func(*Deps) {
	return func(d *Deps) { d.Access = access.NewService(d.DB.(*store.DB), opts...) }
}

// behindProxy trusts app.Test's peer address (0.0.0.0) as a reverse proxy.
func behindProxy(d *Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")} }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const staffPass = "correct horse battery"

func newStaff(t *testing.T, f *fixture, email string, role access.Role) {
	t.Helper()
	if _, err := f.acc.CreateUser(context.Background(), email, staffPass, role, []int64{f.brandA}); err != nil {
		t.Fatal(err)
	}
}

func sessionBody(email, password string) string {
	return `{"email":"` + email + `","password":"` + password + `"}`
}

// 50 wrong passwords, then the right one: 429 with Retry-After, on the API and on the login
// page (in words); after the wait the right one logs in (issue 13, defect 5).
func TestLoginBackoffOverHTTP(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	f := newFixture(t, withAccess(access.WithClock(c.now)))
	newStaff(t, f, "sup@a.example", access.RoleSupervisor)
	for i := range 50 {
		r := f.do(t, "POST", "/api/v1/session", "", sessionBody("sup@a.example", "wrong password "+strconv.Itoa(i)))
		if r.status != 401 && r.status != 429 {
			t.Fatalf("wrong password %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := f.do(t, "POST", "/api/v1/session", "", sessionBody("sup@a.example", staffPass))
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != 429 || err != nil || wait < 1 || !strings.Contains(r.body, "too many failed logins") || r.header.Get("Set-Cookie") != "" {
		t.Fatalf("the right password after 50 wrong ones: %d Retry-After %q %s, want 429 with a wait and no session", r.status, r.header.Get("Retry-After"), r.body)
	}
	page := &browser{t: t, app: f.app, cookies: map[string]string{}}
	if r := page.login("sup@a.example", staffPass, ""); r.status != 429 || r.header.Get("Retry-After") == "" ||
		!strings.Contains(r.body, "Too many failed attempts. Please wait") || !strings.Contains(r.body, `value="sup@a.example"`) {
		t.Fatalf("the login page during the wait: %d %q %.2000s", r.status, r.header.Get("Retry-After"), r.body)
	}
	c.add(time.Duration(wait) * time.Second)
	if r := f.do(t, "POST", "/api/v1/session", "", sessionBody("sup@a.example", staffPass)); r.status != 200 {
		t.Fatalf("after Retry-After the right password: %d %s", r.status, r.body)
	}
}

// Logins are keyed by the client a trusted proxy names, and by the peer when the peer is not
// a trusted proxy, whatever X-Forwarded-For it sends.
func TestLoginThrottleReadsForwardedForFromTrustedProxiesOnly(t *testing.T) {
	fail := func(f *fixture, client string) reply {
		return f.do(t, "POST", "/api/v1/session", "", sessionBody("sup@a.example", "a wrong password"), "X-Forwarded-For", client)
	}
	t.Run("untrusted peer", func(t *testing.T) {
		f := newFixture(t)
		newStaff(t, f, "sup@a.example", access.RoleSupervisor)
		for i := range access.DefaultLoginLimits().Pair.Free + 1 {
			fail(f, "203.0.113."+strconv.Itoa(i+1)) // a new "client" each time: ignored
		}
		if r := fail(f, "198.51.100.1"); r.status != 429 {
			t.Fatalf("an untrusted peer escaped its backoff by naming another client in X-Forwarded-For: %d", r.status)
		}
	})
	t.Run("trusted proxy", func(t *testing.T) {
		f := newFixture(t, behindProxy)
		newStaff(t, f, "sup@a.example", access.RoleSupervisor)
		for range access.DefaultLoginLimits().Pair.Free + 1 {
			fail(f, "203.0.113.7")
		}
		if r := fail(f, "203.0.113.7"); r.status != 429 {
			t.Fatalf("the guessing client behind the proxy: %d, want 429", r.status)
		}
		// Another client of the same proxy is not held back by the first one's failures, even
		// when that client prepends the guesser's address (the proxy appends the real one).
		if r := fail(f, "203.0.113.7, 198.51.100.1"); r.status != 401 {
			t.Fatalf("another client behind the proxy: %d, want 401", r.status)
		}
	})
}

func TestForwardedClient(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	peer := netip.MustParseAddr("10.0.0.1")
	for _, tc := range []struct {
		name    string
		headers []string
		want    string
	}{
		{"no header", nil, "10.0.0.1"},
		{"one client", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a client's own prefix is ignored", []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7"},
		{"two trusted hops", []string{"203.0.113.7, 10.1.1.1"}, "203.0.113.7"},
		{"two header lines", []string{"1.2.3.4", "203.0.113.7"}, "203.0.113.7"},
		{"with a port", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"IPv6", []string{"2001:db8::1"}, "2001:db8::1"},
		{"garbage after the client", []string{"203.0.113.7, nonsense"}, "10.0.0.1"},
		{"only proxies", []string{"10.2.2.2"}, "10.2.2.2"},
	} {
		var h [][]byte
		for _, v := range tc.headers {
			h = append(h, []byte(v))
		}
		if got := forwardedClient(h, peer, trusted).String(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
