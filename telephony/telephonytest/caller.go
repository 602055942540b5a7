package telephonytest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

// Caller is a SIP phone of the test's own: a sipgo UAC on a loopback UDP socket whose SDP says
// whatever the test wants (another host's address, sendonly, inactive) and which sends RTP
// only when told to. It is the far end for tests of what wismo does with the media an INVITE
// asks for: where it sends, when it stops, what hold means.
type Caller struct {
	t       testing.TB
	ua      *sipgo.UserAgent
	dialogs *sipgo.DialogClientCache
	sess    *sipgo.DialogClientSession
	rtp     *net.UDPConn // the caller's own media socket
	remote  *net.UDPAddr // wismo's RTP address, from its answer
	seq     uint16
	got     atomic.Int64 // RTP packets wismo sent to the caller's media socket
}

// StartCaller opens the caller's SIP and RTP sockets on ip (a loopback address such as
// 127.0.0.1) until the test ends.
func StartCaller(t testing.TB, ip string) *Caller {
	t.Helper()
	sipConn, err := net.ListenPacket("udp4", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	rtpConn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	laddr := sipConn.LocalAddr().(*net.UDPAddr)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-caller"), sipgo.WithUserAgentHostname(ip))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua, sipgo.WithServerLogger(slog.New(slog.DiscardHandler)))
	// Requests leave from the listening socket, so the signalling source is ip:port.
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname(ip), sipgo.WithClientConnectionAddr(laddr.String()),
		sipgo.WithClientLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	c := &Caller{t: t, ua: ua, rtp: rtpConn}
	c.dialogs = sipgo.NewDialogClientCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "caller", Host: ip, Port: laddr.Port}})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { c.dialogs.ReadBye(req, tx) })
	go srv.ServeUDP(sipConn)
	// Calls may leave only once the listener is in sipgo's pool (else sipgo binds the same
	// address a second time and fails).
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if conn, _ := ua.TransportLayer().GetConnection("udp", laddr.String()); conn != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the caller's SIP socket did not start serving")
		}
	}
	go c.count()
	t.Cleanup(func() { srv.Close(); ua.Close(); sipConn.Close(); rtpConn.Close() })
	return c
}

// MediaAddr is where the caller's own RTP socket listens (and sends from).
func (c *Caller) MediaAddr() *net.UDPAddr { return c.rtp.LocalAddr().(*net.UDPAddr) }

// Received is how many RTP packets wismo has sent to the caller's own media socket.
func (c *Caller) Received() int64 { return c.got.Load() }

// count reads the caller's media socket until it closes.
func (c *Caller) count() {
	buf := make([]byte, 1500)
	for {
		n, _, err := c.rtp.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if n >= 12 && buf[0]>>6 == 2 {
			c.got.Add(1)
		}
	}
}

// offer is the caller's SDP: PCMU at media with direction dir (RFC 4566, RFC 3264 §5.1).
func offer(media *net.UDPAddr, dir string) []byte {
	return fmt.Appendf(nil, "v=0\r\no=caller 1 %d IN IP4 %s\r\ns=test\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n",
		time.Now().UnixNano(), media.IP, media.IP, media.Port, dir)
}

// Call sends an INVITE to uri whose SDP names media (any address: the caller's own media
// socket is MediaAddr) with direction dir, waits for the answer, ACKs it and notes where
// wismo receives RTP.
func (c *Caller) Call(ctx context.Context, uri string, media *net.UDPAddr, dir string) error {
	var to sip.Uri
	if err := sip.ParseUri(uri, &to); err != nil {
		return err
	}
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := c.dialogs.Invite(ctx, to, offer(media, dir), &ct)
	if err != nil {
		return err
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		return err
	}
	if err := sess.Ack(ctx); err != nil {
		return err
	}
	c.sess = sess
	c.remote, _, err = answerOf(sess.InviteResponse.Body())
	return err
}

// Reinvite sends a re-INVITE in the call (RFC 3264 §8: a new offer, e.g. a=sendonly to put
// the call on hold, §8.4) and returns the direction wismo answers with.
func (c *Caller) Reinvite(ctx context.Context, media *net.UDPAddr, dir string) (string, error) {
	req := sip.NewRequest(sip.INVITE, c.sess.InviteResponse.Contact().Address)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer(media, dir))
	res, err := c.sess.Do(ctx, req)
	if err != nil {
		return "", err
	}
	if res.StatusCode != 200 {
		return "", fmt.Errorf("re-INVITE answered %d %s", res.StatusCode, res.Reason)
	}
	ack := sip.NewRequest(sip.ACK, req.Recipient)
	if err := c.sess.WriteRequest(ack); err != nil {
		return "", err
	}
	_, answer, err := answerOf(res.Body())
	return answer, err
}

// answerOf reads where an SDP answer receives RTP and its direction attribute.
func answerOf(body []byte) (*net.UDPAddr, string, error) {
	var s sdp.SessionDescription
	if err := s.Unmarshal(body); err != nil || len(s.MediaDescriptions) == 0 || s.ConnectionInformation == nil {
		return nil, "", fmt.Errorf("answer SDP %q: %v", body, err)
	}
	md := s.MediaDescriptions[0]
	dir := "sendrecv"
	for _, a := range append(s.Attributes, md.Attributes...) {
		switch a.Key {
		case "sendrecv", "sendonly", "recvonly", "inactive":
			dir = a.Key
		}
	}
	ip := net.ParseIP(s.ConnectionInformation.Address.Address)
	return &net.UDPAddr{IP: ip, Port: md.MediaName.Port.Value}, dir, nil
}

// SendRTP sends n PCMU packets of silence from the caller's media socket to wismo, 20 ms
// apart (RFC 3551 §4.5).
func (c *Caller) SendRTP(n int) {
	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = 0xff // mu-law silence
	}
	for range n {
		c.seq++
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: c.seq, Timestamp: uint32(c.seq) * 160, SSRC: 0x5eed}, Payload: payload}
		raw, _ := p.Marshal()
		c.rtp.WriteToUDP(raw, c.remote)
		time.Sleep(20 * time.Millisecond)
	}
}

// CallID is the call's SIP Call-ID (what an eavesdropper may learn; the tags it may not).
func (c *Caller) CallID() string { return c.sess.InviteRequest.CallID().Value() }

// Ended is closed when wismo has hung up the call (its BYE arrived).
func (c *Caller) Ended() <-chan struct{} { return c.sess.Context().Done() }

// Hangup sends BYE.
func (c *Caller) Hangup(ctx context.Context) error { return c.sess.Bye(ctx) }
