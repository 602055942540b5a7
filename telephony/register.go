package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
)

// ErrUnknownUser is what Credentials returns for a SIP username nobody has.
var ErrUnknownUser = errors.New("unknown SIP user")

// Credentials looks up the HA1 = MD5(username:realm:secret) of an agent's SIP account
// (RFC 2617 §3.2.2.2); the secret itself is never stored.
type Credentials interface {
	SIPHA1(ctx context.Context, username string) (string, error)
}

// Registrar keeps where agents' phones are (RFC 3261 §10.3), in memory: phones refresh
// their registration every few minutes, so a restart loses nothing for long. It checks
// digests with single-use, address-bound nonces (digest.go) and slows guessing down
// (authguard.go).
type Registrar struct {
	realm  string
	creds  Credentials
	log    *slog.Logger
	base   context.Context // the endpoint's serving context, for credential lookups
	clock  atomic.Pointer[func() time.Time]
	nonces *nonces
	guard  *authGuard

	mu      sync.Mutex
	bind    map[string]binding
	sources map[netip.Addr]time.Time // addresses phones registered from, until when

	registered, failures, throttled, replays atomic.Uint64
}

type binding struct {
	contact sip.Uri
	source  netip.Addr // where the REGISTER came from
	expires time.Time
}

const maxExpires = 3600

func newRegistrar(base context.Context, realm string, creds Credentials, authMaxWait time.Duration, log *slog.Logger) *Registrar {
	r := &Registrar{base: base, realm: realm, creds: creds, log: log, nonces: newNonces(),
		bind: map[string]binding{}, sources: map[netip.Addr]time.Time{}}
	r.setClock(time.Now)
	r.guard = newAuthGuard(authMaxWait, r.now)
	return r
}

// now is the registrar's clock (tests move it to expire nonces and bindings).
func (r *Registrar) now() time.Time { return (*r.clock.Load())() }

func (r *Registrar) setClock(now func() time.Time) { r.clock.Store(&now) }

// Locate returns the contact URI of username's registered phone.
func (r *Registrar) Locate(username string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.bind[username]
	if !ok || r.now().After(b.expires) {
		return "", false
	}
	return b.contact.String(), true
}

// Registered reports whether a phone is registered from addr now (such addresses are not
// held to the SIP TCP listener's per-address cap).
func (r *Registrar) Registered(addr netip.Addr) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.sources[addr]
	return ok && r.now().Before(until)
}

// knownPhone reports whether user's phone is registered from addr now.
func (r *Registrar) knownPhone(user string, addr netip.Addr) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.bind[user]
	return ok && b.source == addr && r.now().Before(b.expires)
}

// RegisterStats are the registrar's counts since start.
type RegisterStats struct {
	Registered uint64 // REGISTERs accepted
	Failures   uint64 // wrong secrets or unknown accounts, answering one of our challenges
	Throttled  uint64 // REGISTERs refused unread because their account or address must wait
	Replays    uint64 // right digests whose nonce and nc were used before
}

// Stats returns the registrar's counts.
func (r *Registrar) Stats() RegisterStats {
	return RegisterStats{Registered: r.registered.Load(), Failures: r.failures.Load(),
		Throttled: r.throttled.Load(), Replays: r.replays.Load()}
}

func (r *Registrar) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	addr := sourceAddr(req)
	log := r.log.With("call_id", req.CallID().Value(), "source", req.Source())
	user, stale, err := r.authenticate(req, addr, log)
	var throttled *throttledError
	switch {
	case errors.As(err, &throttled):
		tx.Respond(throttled.response(req))
		return
	case errors.Is(err, errLookup): // RFC 3261 §21.5.1: our fault, not the phone's
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
		return
	case err != nil:
		tx.Respond(r.challenge(req, addr, stale))
		return
	}
	res := r.bind1(req, user, addr)
	r.registered.Add(1)
	log.Info("phone registered", "user", user)
	tx.Respond(res)
}

// authenticate checks the request's Authorization and returns the account it proves.
// stale says the digest was right but its nonce had expired (RFC 7616 §3.4).
func (r *Registrar) authenticate(req *sip.Request, addr netip.Addr, log *slog.Logger) (user string, stale bool, err error) {
	auth := req.GetHeader("Authorization")
	if auth == nil || r.creds == nil {
		return "", false, errors.New("no credentials")
	}
	now := r.now()
	c, err := r.nonces.parseAuthorization(auth.Value(), r.realm, addr, now)
	if err != nil {
		log.Info("REGISTER refused", "err", err)
		return "", false, err
	}
	user = c.Username
	if w := r.guard.wait(user, addr, r.knownPhone(user, addr)); w > 0 {
		r.throttled.Add(1)
		// Debug: a guesser sends these as fast as it likes; wismo_sip_register_throttled_total counts them.
		log.Debug("REGISTER throttled after failed attempts", "user", user, "retry_after", w.Round(time.Second))
		return "", false, &throttledError{wait: w}
	}
	ctx, cancel := context.WithTimeout(r.base, 5*time.Second)
	ha1, err := r.creds.SIPHA1(ctx, user)
	cancel()
	switch {
	case errors.Is(err, ErrUnknownUser) || (err == nil && ha1 == ""):
		err = fmt.Errorf("%s: %w", user, ErrUnknownUser)
	case err != nil: // the database, not the phone: no failure counted
		log.Error("REGISTER: credential lookup failed", "user", user, "err", err)
		return "", false, fmt.Errorf("%w: %v", errLookup, err)
	case !c.matches(ha1, string(req.Method)):
		err = errWrongDigest
	case user != req.To().Address.User:
		err = fmt.Errorf("%w: digest user %s registers %s", errWrongDigest, user, req.To().Address.User)
	}
	if err != nil {
		r.failures.Add(1)
		r.guard.fail(user, addr)
		log.Warn("REGISTER failed", "user", user, "err", err) // never the header: it is a guess at the secret
		return "", false, err
	}
	if c.stale {
		log.Info("REGISTER with an expired nonce: challenging again", "user", user)
		return "", true, errors.New("stale nonce")
	}
	if !r.nonces.use(c.Nonce, c.issued, c.count(), now) {
		r.replays.Add(1)
		log.Warn("REGISTER refused", "user", user, "err", errReplay)
		return "", false, errReplay
	}
	r.guard.succeed(user, addr)
	return user, false, nil
}

// challenge is 401 with a new nonce for addr (RFC 3261 §22.4; stale per RFC 7616 §3.4).
func (r *Registrar) challenge(req *sip.Request, addr netip.Addr, stale bool) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	v := fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, r.realm, r.nonces.issue(r.now(), addr))
	if stale {
		v += ", stale=true"
	}
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", v))
	return res
}

// bind1 stores (or removes, with expires 0) user's contact and returns the 200 OK.
func (r *Registrar) bind1(req *sip.Request, user string, addr netip.Addr) *sip.Response {
	expires := maxExpires
	if h := req.GetHeader("Expires"); h != nil {
		if v, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			expires = min(v, maxExpires)
		}
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	r.mu.Lock()
	defer r.mu.Unlock()
	c := req.Contact()
	if c == nil {
		return res
	}
	if v, ok := c.Params.Get("expires"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			expires = min(n, maxExpires)
		}
	}
	old, had := r.bind[user]
	if expires <= 0 {
		delete(r.bind, user)
	} else {
		r.bind[user] = binding{contact: c.Address, source: addr, expires: r.now().Add(time.Duration(expires) * time.Second)}
		ch := c.Clone()
		ch.Params = sip.NewParams()
		ch.Params.Add("expires", strconv.Itoa(expires))
		res.AppendHeader(ch)
	}
	r.refreshSource(addr)
	if had && old.source != addr {
		r.refreshSource(old.source)
	}
	return res
}

// refreshSource recomputes until when addr has a registered phone; r.mu is held.
func (r *Registrar) refreshSource(addr netip.Addr) {
	var until time.Time
	for _, b := range r.bind {
		if b.source == addr && b.expires.After(until) {
			until = b.expires
		}
	}
	if until.IsZero() {
		delete(r.sources, addr)
		return
	}
	r.sources[addr] = until
}

// errLookup is a failure to read the account's credentials (the database).
var errLookup = errors.New("credential lookup failed")

// throttledError refuses a REGISTER unread: 503 with Retry-After (RFC 3261 §21.5.4, §20.33)
// rather than 403, because phones take 403 as final and stop registering, while they come
// back after Retry-After by themselves.
type throttledError struct{ wait time.Duration }

func (e *throttledError) Error() string { return "too many failed attempts" }

func (e *throttledError) response(req *sip.Request) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Too Many Failed Attempts", nil)
	res.AppendHeader(sip.NewHeader("Retry-After", strconv.Itoa(int(math.Ceil(e.wait.Seconds())))))
	return res
}

// sourceAddr is the address a request came from, without port.
func sourceAddr(req *sip.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
