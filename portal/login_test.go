package portal

import (
	"context"
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
