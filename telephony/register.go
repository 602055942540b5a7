package telephony

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// ErrUnknownUser is what Credentials returns for a SIP username nobody has.
var ErrUnknownUser = errors.New("unknown SIP user")

// Credentials looks up the HA1 = MD5(username:realm:secret) of an agent's SIP account
// (RFC 2617 §3.2.2.2); the secret itself is never stored.
type Credentials interface {
	SIPHA1(ctx context.Context, username string) (string, error)
}

// HA1 computes MD5(username:realm:secret), what Credentials stores.
func HA1(username, realm, secret string) string {
	return md5hex(username + ":" + realm + ":" + secret)
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// Registrar keeps where agents' phones are (RFC 3261 §10.3), in memory: phones refresh
// their registration every few minutes, so a restart loses nothing for long.
type Registrar struct {
	realm string
	creds Credentials
	log   *slog.Logger
	key   []byte          // signs nonces, new at every start
	base  context.Context // the endpoint's serving context, for credential lookups
	mu    sync.Mutex
	bind  map[string]binding
}

type binding struct {
	contact sip.Uri
	expires time.Time
}

const (
	nonceTTL   = 5 * time.Minute
	maxExpires = 3600
)

func newRegistrar(base context.Context, realm string, creds Credentials, log *slog.Logger) *Registrar {
	key := make([]byte, 32)
	rand.Read(key)
	return &Registrar{base: base, realm: realm, creds: creds, log: log, key: key, bind: map[string]binding{}}
}

// Locate returns the contact URI of username's registered phone.
func (r *Registrar) Locate(username string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.bind[username]
	if !ok || time.Now().After(b.expires) {
		return "", false
	}
	return b.contact.String(), true
}

// nonce is "unix-time.hmac": stateless, and expires after nonceTTL.
func (r *Registrar) nonce(now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(ts))
	return ts + "." + hex.EncodeToString(m.Sum(nil))[:32]
}

func (r *Registrar) validNonce(n string, now time.Time) bool {
	ts, _, ok := strings.Cut(n, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || now.Sub(time.Unix(sec, 0)) > nonceTTL {
		return false
	}
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(ts))
	return subtle.ConstantTimeCompare([]byte(n), []byte(ts+"."+hex.EncodeToString(m.Sum(nil))[:32])) == 1
}

// verify checks an Authorization header for method against the user's HA1 (RFC 2617
// §3.2.2.1) and returns the username.
func (r *Registrar) verify(ctx context.Context, method, header string) (string, error) {
	c, err := digest.ParseCredentials(header)
	if err != nil {
		return "", fmt.Errorf("bad Authorization header: %w", err)
	}
	if c.Realm != r.realm || !r.validNonce(c.Nonce, time.Now()) {
		return "", errors.New("stale or foreign nonce")
	}
	if c.Algorithm != "" && !strings.EqualFold(c.Algorithm, "MD5") {
		return "", errors.New("unsupported digest algorithm " + c.Algorithm)
	}
	ha1, err := r.creds.SIPHA1(ctx, c.Username)
	if err != nil || ha1 == "" {
		return "", fmt.Errorf("%s: %w", c.Username, ErrUnknownUser)
	}
	ha2 := md5hex(method + ":" + c.URI)
	want := md5hex(ha1 + ":" + c.Nonce + ":" + ha2)
	if c.QOP == "auth" {
		want = md5hex(ha1 + ":" + c.Nonce + ":" + fmt.Sprintf("%08x", c.Nc) + ":" + c.Cnonce + ":auth:" + ha2)
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(c.Response))) != 1 {
		return "", errors.New("wrong digest response")
	}
	return c.Username, nil
}

func (r *Registrar) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	log := r.log.With("call_id", req.CallID().Value(), "source", req.Source())
	auth := req.GetHeader("Authorization")
	user := ""
	if auth != nil && r.creds != nil {
		ctx, cancel := context.WithTimeout(r.base, 5*time.Second)
		u, err := r.verify(ctx, string(req.Method), auth.Value())
		cancel()
		if err != nil {
			log.Info("REGISTER refused", "err", err)
		}
		user = u
	}
	if user == "" || user != req.To().Address.User {
		res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
		res.AppendHeader(sip.NewHeader("WWW-Authenticate",
			fmt.Sprintf(`Digest realm="%s", nonce="%s", algorithm=MD5, qop="auth"`, r.realm, r.nonce(time.Now()))))
		tx.Respond(res)
		return
	}
	expires := maxExpires
	if h := req.GetHeader("Expires"); h != nil {
		if v, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			expires = min(v, maxExpires)
		}
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	r.mu.Lock()
	if c := req.Contact(); c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				expires = min(n, maxExpires)
			}
		}
		if expires == 0 {
			delete(r.bind, user)
		} else {
			r.bind[user] = binding{contact: c.Address, expires: time.Now().Add(time.Duration(expires) * time.Second)}
			ch := c.Clone()
			ch.Params = sip.NewParams()
			ch.Params.Add("expires", strconv.Itoa(expires))
			res.AppendHeader(ch)
		}
	}
	r.mu.Unlock()
	log.Info("phone registered", "user", user, "expires", expires)
	tx.Respond(res)
}
