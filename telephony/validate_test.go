package telephony_test

import (
	"bufio"
	"net"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
)

// exchange sends msg over a new TCP connection and returns the status line of the answer
// ("" when the endpoint closed the connection or said nothing within two seconds). The
// connection stays open until the answer: RFC 3261 §18.2.2 sends it back on it.
func exchange(t *testing.T, addr string, msg []byte) string {
	t.Helper()
	c, err := net.DialTimeout("tcp4", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	line, err := textproto.NewReader(bufio.NewReader(c)).ReadLine()
	if err != nil {
		return ""
	}
	return line
}

func torture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/torture/" + name + ".dat")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTortureResponses checks what the endpoint answers to RFC 4475's messages (issue 13,
// defect 10): a valid request is handled as if it had been written plainly, another SIP
// version gets 505, a request without a mandatory header gets 400 naming it.
func TestTortureResponses(t *testing.T) {
	e := startEndpoint(t, telephony.Config{}, creds{}, rejectAll{})
	for _, tc := range []struct {
		name string
		want string // prefix of the status line
	}{
		// §3.1.1.1 wsinv: whitespace everywhere. It is an INVITE in a dialog (its To has a
		// tag) that we do not know: 481 (RFC 3261 §12.2.2), not 400.
		{"wsinv", "SIP/2.0 481 "},
		// §3.1.2.16 badvers: SIP/7.0 gets 505 Version Not Supported.
		{"badvers", "SIP/2.0 505 "},
		// §3.1.2.8 mismatch01: an OPTIONS whose CSeq says INVITE.
		{"mismatch01", "SIP/2.0 400 CSeq method INVITE"},
		// §3.1.2.14 insuf: no From, To, Call-ID or Max-Forwards.
		{"insuf", "SIP/2.0 400 Missing From, To, Call-ID headers"},
		// The other valid requests of §3.1.1 that arrive whole on TCP get their usual answers.
		{"intmeth", "SIP/2.0 405 "},
		{"esc02", "SIP/2.0 405 "},
		{"escnull", "SIP/2.0 401 "},
		{"lwsdisp", "SIP/2.0 200 "},
		{"longreq", "SIP/2.0 404 "},
		{"semiuri", "SIP/2.0 200 "},
		{"transports", "SIP/2.0 200 "},
		{"mpart01", "SIP/2.0 405 "},
		{"esc01", "SIP/2.0 404 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := exchange(t, e.Addr(), torture(t, tc.name)); !strings.HasPrefix(got, tc.want) {
				t.Fatalf("%s answered %q, want %q...", tc.name, got, tc.want)
			}
		})
	}
}

// TestOptionsWithoutCallID: RFC 3261 §8.1.1 makes Call-ID mandatory; a request without it
// is refused with 400 and a reason phrase that names it (it used to get 200).
func TestOptionsWithoutCallID(t *testing.T) {
	e := startEndpoint(t, telephony.Config{}, nil, rejectAll{})
	msg := "OPTIONS sip:wismo@" + e.Addr() + " SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-nocallid\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:wismo@127.0.0.1>\r\n" +
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	if got := exchange(t, e.Addr(), []byte(msg)); got != "SIP/2.0 400 Missing Call-ID header" {
		t.Fatalf("OPTIONS without Call-ID answered %q", got)
	}
	lower := strings.Replace(msg, "SIP/2.0\r\n", "sip/2.0\r\n", 1) // §7.1: the version is case-insensitive
	lower = strings.Replace(lower, "CSeq:", "Call-ID: lower@test\r\nCSeq:", 1)
	// A new request is a new transaction: its own branch (RFC 3261 §8.1.1.7). With the first
	// one's, it matched that request's server transaction now and then, and the answer went to
	// the first connection, closed by then.
	lower = strings.Replace(lower, "branch=z9hG4bK-nocallid", "branch=z9hG4bK-lowercase", 1)
	if got := exchange(t, e.Addr(), []byte(lower)); !strings.HasPrefix(got, "SIP/2.0 200 ") {
		t.Fatalf("OPTIONS with a lower-case version answered %q", got)
	}
}
