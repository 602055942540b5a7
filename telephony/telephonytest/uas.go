package telephonytest

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Trunk is a SIP trunk of the test's own (a sipgo UAS): it answers every INVITE with a
// fixed status, or, with a password set, demands digest authentication first (RFC 3261
// §22.3: 407 Proxy-Authenticate) and answers authenticated INVITEs with 200 and an SDP.
type Trunk struct {
	Addr     string
	Invites  atomic.Int32 // INVITEs seen, challenged ones included
	Answered atomic.Int32

	mu  sync.Mutex
	raw []string // every INVITE datagram as it arrived, before any parsing
}

// RawInvites returns the INVITEs the trunk received, byte for byte as they came off the
// wire (so a test sees a header a broken value injected even where sipgo's parser would
// have refused the message).
func (tr *Trunk) RawInvites() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.raw...)
}

// recordingConn is the trunk's UDP socket, keeping a copy of every INVITE read from it.
type recordingConn struct {
	net.PacketConn
	tr *Trunk
}

func (c recordingConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(b)
	if n > 0 && bytes.HasPrefix(b[:n], []byte("INVITE ")) {
		c.tr.mu.Lock()
		c.tr.raw = append(c.tr.raw, string(b[:n]))
		c.tr.mu.Unlock()
	}
	return n, addr, err
}

// TrunkOptions configure a Trunk.
type TrunkOptions struct {
	Status   int    // final status for every INVITE (486 busy, 403...); 0 = answer 200
	User     string // digest credentials demanded when Password is set
	Password string
}

// StartTrunk runs a trunk on a random loopback UDP port until the test ends.
func StartTrunk(t testing.TB, o TrunkOptions) *Trunk {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-trunk"), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua, sipgo.WithServerLogger(slog.New(slog.DiscardHandler)))
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	tr := &Trunk{Addr: conn.LocalAddr().String()}
	rtp, err := net.ListenPacket("udp4", "127.0.0.1:0") // media goes here and is dropped
	if err != nil {
		t.Fatal(err)
	}
	dialogs := sipgo.NewDialogServerCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "trunk", Host: "127.0.0.1", Port: port}})
	chal := &digest.Challenge{Realm: "trunk.test", Nonce: "n0nce-" + fmt.Sprint(port), Algorithm: "MD5"}
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		tr.Invites.Add(1)
		if o.Password != "" && !authorized(req, chal, o) {
			res := sip.NewResponseFromRequest(req, 407, "Proxy Authentication Required", nil)
			res.AppendHeader(sip.NewHeader("Proxy-Authenticate", chal.String()))
			tx.Respond(res)
			return
		}
		if o.Status != 0 {
			tx.Respond(sip.NewResponseFromRequest(req, o.Status, "Test Status", nil))
			return
		}
		d, err := dialogs.ReadInvite(req, tx)
		if err != nil {
			tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
			return
		}
		rp := rtp.LocalAddr().(*net.UDPAddr).Port
		sdp := fmt.Sprintf("v=0\r\no=trunk 1 1 IN IP4 127.0.0.1\r\ns=trunk\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n", rp)
		d.RespondSDP([]byte(sdp))
		tr.Answered.Add(1)
		<-d.Context().Done()
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { dialogs.ReadBye(req, tx) })
	go srv.ServeUDP(recordingConn{conn, tr})
	t.Cleanup(func() { srv.Close(); ua.Close(); conn.Close(); rtp.Close() })
	return tr
}

func authorized(req *sip.Request, chal *digest.Challenge, o TrunkOptions) bool {
	h := req.GetHeader("Proxy-Authorization")
	if h == nil {
		return false
	}
	got, err := digest.ParseCredentials(h.Value())
	if err != nil || got.Username != o.User || got.Nonce != chal.Nonce {
		return false
	}
	want, err := digest.Digest(chal, digest.Options{Method: "INVITE", URI: got.URI, Username: o.User, Password: o.Password,
		Cnonce: got.Cnonce, Count: got.Nc})
	return err == nil && want.Response == got.Response
}
