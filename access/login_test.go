package access

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/throttle"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// loginEnv is a service with one agent, a clock, a count of password hashes, and its log.
type loginEnv struct {
	s      *Service
	clock  *testClock
	hashes atomic.Int64
	log    *bytes.Buffer
	reg    *prometheus.Registry
}

const (
	agentEmail = "agent@example.com"
	agentPass  = "the right password"
)

func newLoginEnv(t *testing.T, opts ...Option) *loginEnv {
	t.Helper()
	e := &loginEnv{clock: &testClock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}, log: &bytes.Buffer{}, reg: prometheus.NewRegistry()}
	opts = append([]Option{WithClock(e.clock.now), WithRegistry(e.reg), WithLogger(slog.New(slog.NewTextHandler(e.log, nil)))}, opts...)
	e.s = NewService(storetest.Open(t), opts...)
	e.s.checkPassword = func(hash, password string) (bool, error) {
		e.hashes.Add(1)
		return CheckPassword(hash, password)
	}
	ctx := context.Background()
	b, _, err := e.s.CreateBrand(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.CreateUser(ctx, agentEmail, agentPass, RoleAgent, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	return e
}

// login tries a password and says how many hashes it took.
func (e *loginEnv) login(email, password, addr string) (int64, error) {
	before := e.hashes.Load()
	_, err := e.s.LoginFrom(context.Background(), email, password, addr)
	return e.hashes.Load() - before, err
}

// An unknown email costs what a wrong password costs: one hash, and the same answer.
func TestLoginUnknownEmailCostsOneHashLikeAWrongPassword(t *testing.T) {
	e := newLoginEnv(t)
	for _, tc := range []struct{ name, email, password string }{
		{"unknown email", "nobody@example.com", "a guess of some length"},
		{"known email, wrong password", agentEmail, "a guess of some length"},
	} {
		hashes, err := e.login(tc.email, tc.password, "192.0.2.1")
		if !errors.Is(err, ErrUnauthorized) || hashes != 1 {
			t.Errorf("%s: %v after %d hashes, want ErrUnauthorized after exactly 1", tc.name, err, hashes)
		}
	}
	if hashes, err := e.login(agentEmail, agentPass, "192.0.2.1"); err != nil || hashes != 1 {
		t.Errorf("right password: %v after %d hashes", err, hashes)
	}
}

// 50 wrong passwords, then the right one: refused without being checked, until the wait the
// refusal names has passed (issue 13, defect 5: it used to succeed).
func TestLoginBackoffRefusesEvenTheRightPassword(t *testing.T) {
	e := newLoginEnv(t)
	const addr = "203.0.113.9"
	for i := range 50 {
		_, err := e.login(agentEmail, "wrong password "+string(rune('a'+i%26)), addr)
		if !errors.Is(err, ErrUnauthorized) && !errors.Is(err, ErrTooManyAttempts) {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	hashes, err := e.login(agentEmail, agentPass, addr)
	var retry *RetryError
	if !errors.As(err, &retry) || !errors.Is(err, ErrTooManyAttempts) || retry.Wait <= 0 {
		t.Fatalf("the right password after 50 wrong ones: %v, want a refusal with a wait", err)
	}
	if hashes != 0 {
		t.Errorf("a refused attempt was hashed %d times: during a backoff the password is not read", hashes)
	}
	if retry.Wait > DefaultLoginLimits().Pair.Max {
		t.Errorf("wait %v is over the cap %v", retry.Wait, DefaultLoginLimits().Pair.Max)
	}
	e.clock.add(retry.Wait)
	if _, err := e.login(agentEmail, agentPass, addr); err != nil {
		t.Fatalf("after the wait the right password must work: %v", err)
	}
	// The success ended this address's backoff for the account.
	if _, err := e.login(agentEmail, "one more typo", addr); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("a typo after logging in: %v, want a plain wrong-password answer", err)
	}
	if got := failures(e, "throttled"); got < 1 {
		t.Errorf("throttled logins counted: %v", got)
	}
	if got := failures(e, "bad_credentials"); got < 6 {
		t.Errorf("bad credentials counted: %v", got)
	}
}

// Guesses from many addresses slow the account down for new addresses (with a capped wait),
// but its user, at an address they logged in from before, is never held back by them.
func TestLoginGuessesFromElsewhereCannotLockOutTheUser(t *testing.T) {
	e := newLoginEnv(t)
	const home = "198.51.100.20"
	if _, err := e.login(agentEmail, agentPass, home); err != nil {
		t.Fatal(err)
	}
	for i := range 300 { // a botnet: every guess from another address
		addr := "203.0.113." + itoa(i%250) + "0"
		e.login(agentEmail, "botnet guess", addr)
		e.clock.add(time.Second)
	}
	_, err := e.login(agentEmail, agentPass, "192.0.2.77")
	var retry *RetryError
	if !errors.As(err, &retry) {
		t.Fatalf("a new address during the attack: %v, want a wait", err)
	}
	if max := DefaultLoginLimits().Account.Max; retry.Wait > max {
		t.Errorf("the account's wait %v is over its cap %v", retry.Wait, max)
	}
	if _, err := e.login(agentEmail, agentPass, home); err != nil {
		t.Errorf("the user at their usual address is locked out by others' guesses: %v", err)
	}
}

// A full gate refuses at once, with a wait, and hashes nothing more.
func TestLoginFullGateRefusesWithoutHashing(t *testing.T) {
	lim := DefaultLoginLimits()
	lim.Hashes, lim.Queue = 1, 0
	e := newLoginEnv(t, WithLoginLimits(lim))
	inside, release := make(chan struct{}), make(chan struct{})
	e.s.checkPassword = func(hash, password string) (bool, error) {
		e.hashes.Add(1)
		close(inside)
		<-release
		return false, nil
	}
	done := make(chan error)
	go func() {
		_, err := e.s.LoginFrom(context.Background(), agentEmail, "slow one", "192.0.2.1")
		done <- err
	}()
	<-inside
	_, err := e.login("nobody@example.com", "another guess", "192.0.2.2")
	var retry *RetryError
	if !errors.As(err, &retry) || !errors.Is(err, throttle.ErrBusy) || retry.Wait <= 0 {
		t.Errorf("a login while the only hash slot is taken and no queue: %v, want busy with a wait", err)
	}
	close(release)
	<-done
	if n := e.hashes.Load(); n != 1 {
		t.Errorf("%d hashes, want 1: the refused login must not hash", n)
	}
	if got := failures(e, "busy"); got != 1 {
		t.Errorf("busy refusals counted: %v", got)
	}
}

// Failed logins are logged without the password or the email (people type passwords into
// the email field); the account is named by a hash of its email.
func TestLoginLogKeepsNoSecrets(t *testing.T) {
	e := newLoginEnv(t)
	for range 8 {
		e.login(agentEmail, "hunter2 but longer", "192.0.2.1")
	}
	e.login("my secret password", "x", "192.0.2.1")
	out := e.log.String()
	if !strings.Contains(out, "login failed") || !strings.Contains(out, "account_sha256=") {
		t.Fatalf("failed logins not logged: %s", out)
	}
	for _, secret := range []string{"hunter2", agentEmail, "my secret password"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains %q:\n%s", secret, out)
		}
	}
}

func TestLoginRefusesHugePasswordsBeforeHashing(t *testing.T) {
	e := newLoginEnv(t)
	hashes, err := e.login(agentEmail, strings.Repeat("x", MaxPasswordLen+1), "192.0.2.1")
	if !errors.Is(err, ErrInvalid) || hashes != 0 {
		t.Errorf("a %d-byte password: %v after %d hashes", MaxPasswordLen+1, err, hashes)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// failures is the count of refused logins for reason.
func failures(e *loginEnv, reason string) float64 {
	var m dto.Metric
	e.s.logins.failures.WithLabelValues(reason).Write(&m) //nolint:errcheck // a counter writes
	return m.GetCounter().GetValue()
}
