package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/throttle"
)

// A login is the one door anyone on the network can knock at, and a password check is
// expensive on purpose (argon2id: 19 MiB and tens of milliseconds of CPU). Three things keep
// that door from taking wismo down or letting anyone guess a password (issue 13, defect 5):
//
//   - A gate bounds how many hashes run at once and how many logins wait for one. A login
//     that finds the queue full is refused at once (429 with Retry-After), so memory stays
//     bounded whatever arrives.
//   - An unknown or disabled email is checked against a dummy hash with the same parameters:
//     it costs one hash, like a wrong password, so neither time nor memory tells whether an
//     account exists.
//   - Failures slow down later attempts (capped exponential backoff, throttle.Backoff), keyed
//     three ways. (account, address) is strict: one address guessing one account. The
//     account alone is loose: many addresses guessing one account. The address alone: one
//     address trying many accounts. An attempt inside a wait is refused before its password
//     is read, right or wrong, and does not lengthen the wait.
//
// Every wait is capped, and only the strict key is cut short by a success, so an attacker
// cannot log in to an account of their own to reset their address. An address that logged
// in to an account before is trusted for that account: the account and address keys do not
// hold it back, only its own (account, address) key does. So guesses from elsewhere can slow
// an account down for new addresses, but never lock its user out where they usually work.

// LoginLimits bound password checks. The tables are in memory, per node.
type LoginLimits struct {
	// Hashes is how many password hashes run at once (argon2id with p=1 keeps one core busy,
	// and more at once than cores only adds memory).
	Hashes int
	// Queue is how many logins may wait for a hash, each at most QueueWait.
	Queue     int
	QueueWait time.Duration
	// Pair, Account and Address slow down failures of one account from one address, of one
	// account from any address, and of one address on any account.
	Pair, Account, Address throttle.Policy
	// TrustFor is how long an address that logged in to an account stays trusted for it.
	TrustFor time.Duration
	// MaxKeys bounds each table (0: throttle.DefaultMaxKeys).
	MaxKeys int
}

// maxLoginHashes caps the default gate: 4 hashes hold 76 MiB, and at wismo's GOGC=400 the
// heap may grow to five times what is live.
const maxLoginHashes = 4

// DefaultLoginLimits are generous for a person who mistypes and tight for a script.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		Hashes:    min(runtime.GOMAXPROCS(0), maxLoginHashes),
		Queue:     32,
		QueueWait: 3 * time.Second,
		Pair:      throttle.Policy{Free: 5, Base: time.Second, Max: 15 * time.Minute, Forget: time.Hour},
		Account:   throttle.Policy{Free: 20, Base: time.Second, Max: 5 * time.Minute, Forget: time.Hour},
		Address:   throttle.Policy{Free: 20, Base: time.Second, Max: 5 * time.Minute, Forget: time.Hour},
		TrustFor:  30 * 24 * time.Hour,
	}
}

// MaxPasswordLen bounds a password (bytes): longer ones are refused before any hashing.
const MaxPasswordLen = 1024

// ErrTooManyAttempts refuses a login during a backoff that earlier failures started.
var ErrTooManyAttempts = errors.New("too many failed logins")

// RetryError is a refusal that passes with time: after failed logins (ErrTooManyAttempts)
// or while every password check is taken (throttle.ErrBusy). The HTTP edge answers 429 with
// Retry-After.
type RetryError struct {
	Wait time.Duration
	Err  error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%v: try again in %s", e.Err, WaitWords(e.Wait))
}

func (e *RetryError) Unwrap() error { return e.Err }

// WaitWords says a wait the way a person reads it: "3 seconds", "2 minutes" (rounded up).
func WaitWords(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	switch {
	case s <= 1:
		return "1 second"
	case s < 90:
		return fmt.Sprintf("%d seconds", s)
	}
	return fmt.Sprintf("%d minutes", (s+59)/60)
}

// guard is the state of LoginLimits.
type guard struct {
	lim                    LoginLimits
	gate                   *throttle.Gate
	pair, account, address *throttle.Backoff
	trusted                *throttle.Set
	failures               *prometheus.CounterVec
	lastBusyLog            atomic.Int64
}

func newGuard(l LoginLimits, now throttle.Clock) *guard {
	return &guard{
		lim:      l,
		gate:     throttle.NewGate(l.Hashes, l.Queue, l.QueueWait),
		pair:     throttle.NewBackoff(l.Pair, l.MaxKeys, now),
		account:  throttle.NewBackoff(l.Account, l.MaxKeys, now),
		address:  throttle.NewBackoff(l.Address, l.MaxKeys, now),
		trusted:  throttle.NewSet(l.TrustFor, l.MaxKeys, now),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_login_failures_total", Help: "Refused logins by reason: bad_credentials (unknown email or wrong password, alike on purpose), throttled (during a backoff), busy (every password check taken), invalid."}, []string{"reason"}),
	}
}

// attempt is one login's keys. addr may be empty (a caller with no client address, such as
// a tool): then only the account keys apply.
type attempt struct {
	email, addr, pairKey string
	log                  *slog.Logger
}

func (s *Service) newAttempt(email, addr string) attempt {
	sum := sha256.Sum256([]byte(email))
	// The log names the account by a hash of its email, never the email itself: people type
	// their password into the email field, and a log line must not keep it.
	return attempt{email: email, addr: addr, pairKey: email + "\x00" + addr,
		log: s.log.With("account_sha256", hex.EncodeToString(sum[:6]), "addr", addr)}
}

// wait is how long the attempt must wait before its password may be checked.
func (g *guard) wait(a attempt) time.Duration {
	w := g.pair.Wait(a.pairKey)
	if a.addr != "" && g.trusted.Has(a.pairKey) {
		return w
	}
	w = max(w, g.account.Wait(a.email))
	if a.addr != "" {
		w = max(w, g.address.Wait(a.addr))
	}
	return w
}

// failed records a wrong password or an unknown email on every key of the attempt.
func (g *guard) failed(a attempt) {
	g.failures.WithLabelValues("bad_credentials").Inc()
	w := g.pair.Fail(a.pairKey)
	w = max(w, g.account.Fail(a.email))
	if a.addr != "" {
		w = max(w, g.address.Fail(a.addr))
	}
	if w > 0 {
		a.log.Warn("login failed; next attempt delayed", "wait", w, "failures_here", g.pair.Failures(a.pairKey), "failures_account", g.account.Failures(a.email))
		return
	}
	a.log.Info("login failed")
}

// succeeded ends the strict key's backoff and trusts the address for the account.
func (g *guard) succeeded(a attempt) {
	g.pair.Reset(a.pairKey)
	if a.addr != "" {
		g.trusted.Add(a.pairKey)
	}
}

// enter takes a hash slot, or says when to come back.
func (g *guard) enter(ctx context.Context, a attempt) (func(), error) {
	release, err := g.gate.Enter(ctx)
	if errors.Is(err, throttle.ErrBusy) {
		g.failures.WithLabelValues("busy").Inc()
		if now := time.Now().UnixNano(); now-g.lastBusyLog.Load() > int64(time.Second) {
			g.lastBusyLog.Store(now)
			a.log.Warn("login refused: every password check is taken", "hashes", g.lim.Hashes, "queue", g.lim.Queue)
		}
		return nil, &RetryError{Wait: time.Second, Err: err}
	}
	return release, err
}

// checkLogin runs the limits around one password check: check reports whether the password
// matches the account (and false for an unknown account, after the same work).
func (s *Service) checkLogin(ctx context.Context, a attempt, password string, check func() (bool, error)) error {
	g := s.logins
	if len(password) > MaxPasswordLen {
		g.failures.WithLabelValues("invalid").Inc()
		return fmt.Errorf("%w: a password is at most %d bytes", ErrInvalid, MaxPasswordLen)
	}
	if w := g.wait(a); w > 0 {
		g.failures.WithLabelValues("throttled").Inc()
		return &RetryError{Wait: w, Err: ErrTooManyAttempts}
	}
	release, err := g.enter(ctx, a)
	if err != nil {
		return err
	}
	ok, err := check()
	release()
	if err != nil {
		return err
	}
	if !ok {
		g.failed(a)
		return ErrUnauthorized
	}
	g.succeeded(a)
	return nil
}

// normalEmail is the form emails are stored and keyed in.
func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
