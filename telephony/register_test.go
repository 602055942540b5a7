package telephony_test

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/wismo/wismo/telephony"
)

// creds is one agent's SIP account, stored as HA1 only.
type creds map[string]string

func (c creds) SIPHA1(_ context.Context, user string) (string, error) {
	if h, ok := c[user]; ok {
		return h, nil
	}
	return "", telephony.ErrUnknownUser
}

// TestRegisterDigest: a phone registers with the right secret (RFC 3261 §22 digest against
// the stored HA1), not with a wrong one or an unknown user, and can then be located.
func TestRegisterDigest(t *testing.T) {
	e := startEndpoint(t, telephony.Config{Realm: "wismo"}, creds{"agent7": telephony.HA1("agent7", "wismo", "right-secret")}, nil)
	ua, err := sipgo.NewUA(sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	register := func(user, secret string) int {
		var to sip.Uri
		sip.ParseUri("sip:"+user+"@"+e.Addr(), &to)
		req := sip.NewRequest(sip.REGISTER, to)
		req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: 5999}})
		req.AppendHeader(sip.NewHeader("Expires", "60"))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := cli.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 401 {
			return res.StatusCode
		}
		res, err = cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: secret})
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	if got := register("agent7", "wrong-secret"); got != 401 {
		t.Fatalf("wrong secret: %d", got)
	}
	if got := register("nobody", "right-secret"); got != 401 {
		t.Fatalf("unknown user: %d", got)
	}
	if _, ok := e.Registrar().Locate("agent7"); ok {
		t.Fatal("located before registering")
	}
	if got := register("agent7", "right-secret"); got != 200 {
		t.Fatalf("right secret: %d", got)
	}
	if c, ok := e.Registrar().Locate("agent7"); !ok || c != "sip:agent7@127.0.0.1:5999" {
		t.Fatalf("located at %q %v", c, ok)
	}
}
