package telephony_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// sipPhone is a hand-driven SIP client on UDP from a chosen loopback address (127.0.0.2...
// are loopback too on Linux), so tests control every header of its REGISTERs.
type sipPhone struct {
	t      *testing.T
	c      *net.UDPConn
	server string
	seq    int
}

func newSIPPhone(t *testing.T, local, server string) *sipPhone {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(local)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &sipPhone{t: t, c: c, server: server}
}

// register sends a REGISTER for user with a Contact on contactPort and the given
// Authorization ("" for none), and returns the answer.
func (p *sipPhone) register(user string, contactPort int, auth string) *sip.Response {
	p.t.Helper()
	p.seq++
	local := p.c.LocalAddr().String()
	msg := fmt.Sprintf("REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-reg%d-%d;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=t%d\r\nTo: <sip:%s@%s>\r\nCall-ID: reg-%d-%s@test\r\n"+
		"CSeq: %d REGISTER\r\nContact: <sip:%s@%s:%d>\r\nExpires: 60\r\n",
		p.server, local, p.seq, time.Now().UnixNano(), user, p.server, p.seq, user, p.server, p.seq, local, p.seq,
		user, strings.Split(local, ":")[0], contactPort)
	if auth != "" {
		msg += "Authorization: " + auth + "\r\n"
	}
	msg += "Content-Length: 0\r\n\r\n"
	raddr, _ := net.ResolveUDPAddr("udp4", p.server)
	buf := make([]byte, 8192)
	for range 3 { // UDP may drop on a busy machine
		if _, err := p.c.WriteToUDP([]byte(msg), raddr); err != nil {
			p.t.Fatal(err)
		}
		p.c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := p.c.ReadFromUDP(buf)
		if err != nil {
			continue
		}
		m, err := sip.ParseMessage(buf[:n])
		if err != nil {
			p.t.Fatalf("unreadable answer: %v\n%s", err, buf[:n])
		}
		return m.(*sip.Response)
	}
	p.t.Fatal("no answer to REGISTER")
	return nil
}

// challenge is a 401's WWW-Authenticate.
func challenge(t *testing.T, res *sip.Response) *digest.Challenge {
	t.Helper()
	h := res.GetHeader("WWW-Authenticate")
	if res.StatusCode != 401 || h == nil {
		t.Fatalf("want a 401 challenge, got %d %s", res.StatusCode, res.Reason)
	}
	c, err := digest.ParseChallenge(h.Value())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// authorization answers nonce for user with secret and nc (qop=auth, RFC 2617 §3.2.2).
func authorization(server, user, secret, nonce string, nc int) string {
	uri := "sip:" + server
	ha1 := md5hex(user + ":wismo:" + secret)
	cnonce := "c0ffee"
	resp := md5hex(fmt.Sprintf("%s:%s:%08x:%s:auth:%s", ha1, nonce, nc, cnonce, md5hex("REGISTER:"+uri)))
	return fmt.Sprintf(`Digest username="%s", realm="wismo", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, nc=%08x, cnonce="%s"`,
		user, nonce, uri, resp, nc, cnonce)
}

// agent7 is an endpoint with one account whose registrar runs on a clock the test moves.
func agent7(t *testing.T) (*telephony.Endpoint, *testClock) {
	e := startEndpoint(t, telephony.Config{Realm: "wismo"}, creds{"agent7": telephony.HA1("agent7", "wismo", "right-secret")}, nil)
	c := &testClock{}
	c.ns.Store(time.Now().UnixNano())
	telephony.SetRegistrarClock(e, c.now)
	return e, c
}

// testClock stands still until the test moves it: waits and lifetimes without sleeping.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *testClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// TestRegisterGuessingIsThrottled is issue 13's defect 5 on SIP: 300 wrong digests, then the
// right one, used to get 200 OK. Now the guesser's address waits (503 with Retry-After, even
// for the right secret), while the real phone at another address still registers, and the
// guesser's own wait ends: nobody is locked out for good.
func TestRegisterGuessingIsThrottled(t *testing.T) {
	e, clock := agent7(t)
	guesser := newSIPPhone(t, "127.0.0.1", e.Addr())
	nonce := challenge(t, guesser.register("agent7", 5999, "")).Nonce
	codes := map[int]int{}
	for i := 1; i <= 300; i++ {
		codes[guesser.register("agent7", 5999, authorization(e.Addr(), "agent7", fmt.Sprint("guess-", i), nonce, i)).StatusCode]++
	}
	if codes[401] != 6 || codes[503] != 294 {
		t.Fatalf("300 wrong digests were answered %v: want 6 looked at (5 free), then 503", codes)
	}
	res := guesser.register("agent7", 5999, authorization(e.Addr(), "agent7", "right-secret", nonce, 301))
	retry := res.GetHeader("Retry-After")
	if res.StatusCode != 503 || retry == nil || retry.Value() == "0" {
		t.Fatalf("the right secret right after 300 wrong ones: %d %s (Retry-After %v), want 503 with Retry-After", res.StatusCode, res.Reason, retry)
	}
	if _, ok := e.Registrar().Locate("agent7"); ok {
		t.Fatal("registered while throttled")
	}

	phone := newSIPPhone(t, "127.0.0.2", e.Addr())
	n2 := challenge(t, phone.register("agent7", 5070, "")).Nonce
	if res := phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", n2, 1)); res.StatusCode != 200 {
		t.Fatalf("the real phone at another address: %d %s, want 200", res.StatusCode, res.Reason)
	}

	var wait time.Duration
	fmt.Sscan(retry.Value(), &wait)
	clock.add(wait * time.Second)
	res = guesser.register("agent7", 5999, authorization(e.Addr(), "agent7", "right-secret", nonce, 302))
	if res.StatusCode != 200 {
		t.Fatalf("after Retry-After the right secret: %d %s, want 200 (the wait is capped)", res.StatusCode, res.Reason)
	}
}

// TestRegisterFailuresCounted: failed and throttled REGISTERs are counted for /metrics.
func TestRegisterFailuresCounted(t *testing.T) {
	e, _ := agent7(t)
	p := newSIPPhone(t, "127.0.0.1", e.Addr())
	nonce := challenge(t, p.register("agent7", 5999, "")).Nonce
	for i := 1; i <= 8; i++ {
		p.register("agent7", 5999, authorization(e.Addr(), "agent7", "wrong", nonce, i))
	}
	st := e.Stats().Register
	if st.Failures != 6 || st.Throttled != 2 {
		t.Fatalf("8 wrong digests: %+v, want 6 failures (5 free, then a wait) and 2 throttled", st)
	}
}

// TestRegisterKnownPhoneIsNotLockedOut: guessing at an account from many addresses slows
// down new addresses for that account, but not its phone registered from its own address.
func TestRegisterKnownPhoneIsNotLockedOut(t *testing.T) {
	e, _ := agent7(t)
	phone := newSIPPhone(t, "127.0.0.2", e.Addr())
	nonce := challenge(t, phone.register("agent7", 5070, "")).Nonce
	if res := phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", nonce, 1)); res.StatusCode != 200 {
		t.Fatalf("first registration: %d", res.StatusCode)
	}
	for i := range 6 { // 6 addresses x 5 free failures: 30 failures for the account
		g := newSIPPhone(t, fmt.Sprintf("127.0.1.%d", i+1), e.Addr())
		n := challenge(t, g.register("agent7", 5999, "")).Nonce
		for j := 1; j <= 5; j++ {
			g.register("agent7", 5999, authorization(e.Addr(), "agent7", "wrong", n, j))
		}
	}
	stranger := newSIPPhone(t, "127.0.2.1", e.Addr())
	n := challenge(t, stranger.register("agent7", 5999, "")).Nonce
	if res := stranger.register("agent7", 5999, authorization(e.Addr(), "agent7", "right-secret", n, 1)); res.StatusCode != 503 {
		t.Fatalf("a new address for an account under attack: %d, want 503", res.StatusCode)
	}
	if res := phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", nonce, 2)); res.StatusCode != 200 {
		t.Fatalf("the registered phone refreshing: %d %s, want 200", res.StatusCode, res.Reason)
	}
}

// TestDigestReplay is issue 13's defect 6: an Authorization header captured from an agent's
// phone and replayed (same nonce, same nc), from the same address or another, with another
// Contact, used to re-register the agent and take their calls. Now each is refused with a
// fresh challenge, and the phone's own next request (nc+1) still passes.
func TestDigestReplay(t *testing.T) {
	e, _ := agent7(t)
	phone := newSIPPhone(t, "127.0.0.1", e.Addr())
	nonce := challenge(t, phone.register("agent7", 5070, "")).Nonce
	captured := authorization(e.Addr(), "agent7", "right-secret", nonce, 1)
	if res := phone.register("agent7", 5070, captured); res.StatusCode != 200 {
		t.Fatalf("honest registration: %d %s", res.StatusCode, res.Reason)
	}
	want, _ := e.Registrar().Locate("agent7")

	for _, from := range []string{"127.0.0.1", "127.0.0.9"} {
		attacker := newSIPPhone(t, from, e.Addr())
		res := attacker.register("agent7", 6666, captured)
		if c := challenge(t, res); c.Nonce == nonce || c.Stale {
			t.Fatalf("replay from %s: want a fresh challenge, got nonce %q stale=%v", from, c.Nonce, c.Stale)
		}
		if got, _ := e.Registrar().Locate("agent7"); got != want {
			t.Fatalf("replay from %s moved agent7 to %s", from, got)
		}
	}
	if res := phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", nonce, 2)); res.StatusCode != 200 {
		t.Fatalf("the phone's next request on the same nonce (nc=2): %d %s", res.StatusCode, res.Reason)
	}
	if got := e.Stats().Register.Replays; got != 1 {
		t.Fatalf("replays counted: %d, want 1 (the one from the phone's address; the other address's nonce is foreign)", got)
	}
}

// TestDigestNonceExpires: a nonce older than its lifetime gets a fresh challenge with
// stale=true when the digest was right (RFC 7616 §3.4: the phone retries without asking
// its user), and a plain one when it was not.
func TestDigestNonceExpires(t *testing.T) {
	e, clock := agent7(t)
	phone := newSIPPhone(t, "127.0.0.1", e.Addr())
	nonce := challenge(t, phone.register("agent7", 5070, "")).Nonce
	clock.add(6 * time.Minute)
	if c := challenge(t, phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "wrong", nonce, 1))); c.Stale {
		t.Fatal("a wrong digest on an expired nonce must not say stale=true")
	}
	c := challenge(t, phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", nonce, 2)))
	if !c.Stale || c.Nonce == nonce {
		t.Fatalf("right digest, expired nonce: want stale=true and a new nonce, got %+v", c)
	}
	if res := phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", c.Nonce, 1)); res.StatusCode != 200 {
		t.Fatalf("with the fresh nonce: %d %s", res.StatusCode, res.Reason)
	}
}

// TestBaresipRegistersAndRefreshes: a real phone (baresip) registers and refreshes with the
// nonces bound to its address and its nc checked, and earns no failure, replay or wait.
// (baresip's libre asks for a new challenge at each refresh rather than reusing a nonce
// with a higher nc; TestDigestReplay covers that path.)
func TestBaresipRegistersAndRefreshes(t *testing.T) {
	e := startEndpoint(t, telephony.Config{Realm: "wismo"}, creds{"agent9": telephony.HA1("agent9", "wismo", "phone-secret-9")}, nil)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent9", Tone: 600, Registrar: e.Addr(), Password: "phone-secret-9", RegInt: 2})
	for deadline := time.Now().Add(30 * time.Second); e.Stats().Register.Registered < 3; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("want a registration and two refreshes, got %+v\n%s", e.Stats().Register, phone.Output())
		}
	}
	if st := e.Stats().Register; st.Failures != 0 || st.Replays != 0 || st.Throttled != 0 {
		t.Fatalf("an honest phone earned %+v", st)
	}
	if c, ok := e.Registrar().Locate("agent9"); !ok || !strings.Contains(c, fmt.Sprint(phone.SIPPort)) {
		t.Fatalf("agent9 located at %q %v, want its port %d", c, ok, phone.SIPPort)
	}
}
