package telephony

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/icholy/digest"
)

// HA1 computes MD5(username:realm:secret), what Credentials stores.
func HA1(username, realm, secret string) string {
	return md5hex(username + ":" + realm + ":" + secret)
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

const (
	// nonceTTL is how long a nonce is good for: long enough for a phone to answer its
	// challenge and refresh a few times with a growing nc, short enough that a captured
	// nonce soon dies (RFC 7616 §3.4: an expired nonce is answered with stale=true).
	nonceTTL = 5 * time.Minute
	// maxNonces bounds the table of used nonces: each entry is about 100 bytes, so the
	// table stays under 10 MB whatever the phones do.
	maxNonces = 65536
)

// nonces issues digest nonces and remembers how far each was used, so that an
// Authorization header is good once (RFC 7616 §3.4, §5.9: replay protection).
//
// A nonce is "unix-time.salt.mac" with a random salt (each challenge its own nonce) and
// mac = HMAC-SHA256(key, time.salt|address): it needs no state until it is used, dies after nonceTTL, and is good only from the address it was sent to,
// so a header captured on the way and replayed from elsewhere is refused. Once a nonce has
// been used, the table keeps the highest nc it was used with: with qop=auth each request
// must carry a higher nc (RFC 7616 §3.4.1), and a request without qop may use its nonce once.
//
// The table is bounded: when it is full, entries of expired nonces go first, then the
// oldest; a nonce whose entry was dropped before its time is answered as stale (a fresh
// challenge), never accepted again, so a full table costs a phone one round trip, not a
// replay.
type nonces struct {
	key []byte
	ttl time.Duration
	max int

	mu        sync.Mutex
	used      map[string]nonceUse
	forgotten int64 // nonces issued at or before this unix time without an entry were dropped
}

type nonceUse struct {
	nc     uint64
	issued int64
}

func newNonces() *nonces {
	key := make([]byte, 32)
	rand.Read(key)
	return &nonces{key: key, ttl: nonceTTL, max: maxNonces, used: map[string]nonceUse{}}
}

// issue returns a new nonce for a challenge sent to addr.
func (n *nonces) issue(now time.Time, addr netip.Addr) string {
	var salt [8]byte
	rand.Read(salt[:])
	head := strconv.FormatInt(now.Unix(), 10) + "." + hex.EncodeToString(salt[:])
	return head + "." + n.mac(head, addr)
}

func (n *nonces) mac(head string, addr netip.Addr) string {
	m := hmac.New(sha256.New, n.key)
	m.Write([]byte(head + "|" + addr.String()))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// nonceState is what a nonce in an Authorization header turned out to be.
type nonceState int

const (
	nonceForeign nonceState = iota // not ours, or sent to another address
	nonceStale                     // ours, to this address, but expired or dropped from the table
	nonceFresh                     // ours, to this address, alive
)

// check says whether nonce was issued by us to addr and is still alive; issued is its time.
func (n *nonces) check(nonce string, addr netip.Addr, now time.Time) (state nonceState, issued int64) {
	dot := strings.LastIndexByte(nonce, '.')
	if dot < 0 {
		return nonceForeign, 0
	}
	head, mac := nonce[:dot], nonce[dot+1:]
	ts, _, _ := strings.Cut(head, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || subtle.ConstantTimeCompare([]byte(mac), []byte(n.mac(head, addr))) != 1 {
		return nonceForeign, 0
	}
	if now.Sub(time.Unix(sec, 0)) > n.ttl {
		return nonceStale, sec
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, held := n.used[nonce]; !held && sec <= n.forgotten {
		return nonceStale, sec
	}
	return nonceFresh, sec
}

// use records a request that proved the secret with nonce and nc, and reports false when
// the nonce was already used with that nc or a higher one: a replay.
func (n *nonces) use(nonce string, issued int64, nc uint64, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	u, held := n.used[nonce]
	if held && nc <= u.nc {
		return false
	}
	if !held && len(n.used) >= n.max {
		n.makeRoom(now)
	}
	n.used[nonce] = nonceUse{nc: nc, issued: issued}
	return true
}

// makeRoom drops the entries of expired nonces, and when none has expired the oldest one,
// remembering that nonces as old as that were forgotten.
func (n *nonces) makeRoom(now time.Time) {
	cutoff := now.Add(-n.ttl).Unix()
	oldest, oldestAt := "", int64(0)
	for k, u := range n.used {
		if u.issued < cutoff {
			delete(n.used, k)
			continue
		}
		if oldest == "" || u.issued < oldestAt {
			oldest, oldestAt = k, u.issued
		}
	}
	if len(n.used) >= n.max {
		delete(n.used, oldest)
		n.forgotten = max(n.forgotten, oldestAt)
	}
}

// Why an Authorization header was refused. The first three are not counted as failed
// guesses: whoever sent them did not (or could not) answer a challenge of ours.
var (
	errBadAuthorization = errors.New("unreadable Authorization header")
	errForeignNonce     = errors.New("nonce not issued by us to this address")
	errReplay           = errors.New("nonce and nc already used (a replayed Authorization)")
	errWrongDigest      = errors.New("wrong digest response")
)

// credentials is a parsed Authorization header checked against its challenge.
type credentials struct {
	*digest.Credentials
	stale  bool  // our nonce to this address, but expired: if the digest is right, say stale=true
	issued int64 // the nonce's time
}

// parseAuthorization reads an Authorization header for realm and checks its nonce.
func (n *nonces) parseAuthorization(header, realm string, addr netip.Addr, now time.Time) (*credentials, error) {
	c, err := digest.ParseCredentials(header)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadAuthorization, err)
	}
	if c.Realm != realm {
		return nil, fmt.Errorf("%w: realm %q", errBadAuthorization, c.Realm)
	}
	if c.Algorithm != "" && !strings.EqualFold(c.Algorithm, "MD5") {
		return nil, fmt.Errorf("%w: algorithm %s", errBadAuthorization, c.Algorithm)
	}
	if c.QOP != "" && c.QOP != "auth" {
		return nil, fmt.Errorf("%w: qop %s", errBadAuthorization, c.QOP)
	}
	state, issued := n.check(c.Nonce, addr, now)
	if state == nonceForeign {
		return nil, errForeignNonce
	}
	return &credentials{Credentials: c, stale: state == nonceStale, issued: issued}, nil
}

// matches checks the digest response of method against the user's HA1 (RFC 2617 §3.2.2.1).
func (c *credentials) matches(ha1, method string) bool {
	ha2 := md5hex(method + ":" + c.URI)
	want := md5hex(ha1 + ":" + c.Nonce + ":" + ha2)
	if c.QOP == "auth" {
		want = md5hex(ha1 + ":" + c.Nonce + ":" + fmt.Sprintf("%08x", c.Nc) + ":" + c.Cnonce + ":auth:" + ha2)
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(c.Response))) == 1
}

// count is the nc the request counts as: without qop there is no nc, and the nonce is
// good for one request.
func (c *credentials) count() uint64 {
	if c.QOP == "" {
		return 1
	}
	return uint64(c.Nc)
}
