package telephony_test

import (
	"context"
	"fmt"
	"math"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// announcer answers every inbound call and plays a looping announcement to it until the leg
// ends, as a queued hotline call hears music: the call that sent 387 KB of RTP to an address
// its SDP named. Answered legs go to legs.
type announcer struct {
	e    atomic.Pointer[telephony.Endpoint] // set once the endpoint exists
	legs chan *telephony.Leg
}

func (a *announcer) HandleInbound(context.Context, *telephony.InboundCall) telephony.Decision {
	return telephony.Accept(func(ctx context.Context, leg *telephony.Leg, err error) {
		if err != nil {
			return
		}
		a.legs <- leg
		tone := make([]int16, 8000)
		for i := range tone {
			tone[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
		}
		go a.e.Load().Play(context.WithoutCancel(ctx), leg, tone, true)
	})
}

func startAnnouncer(t *testing.T, cfg telephony.Config) (*telephony.Endpoint, *announcer) {
	a := &announcer{legs: make(chan *telephony.Leg, 4)}
	e := startEndpoint(t, cfg, nil, a)
	a.e.Store(e)
	return e, a
}

// call has caller call the announcer with an SDP naming media and returns wismo's leg.
func (a *announcer) call(t *testing.T, ctx context.Context, caller *telephonytest.Caller, media *net.UDPAddr) *telephony.Leg {
	t.Helper()
	if err := caller.Call(ctx, "sip:hotline@"+a.e.Load().Addr(), media, "sendrecv"); err != nil {
		t.Fatal(err)
	}
	return <-a.legs
}

// endedByMedia waits (at most 15 s, many RTP timeouts) for wismo to hang up on caller, and
// checks leg says why: no RTP.
func endedByMedia(t *testing.T, caller *telephonytest.Caller, leg *telephony.Leg, what string) {
	t.Helper()
	select {
	case <-caller.Ended():
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: the call was still up 15 s later (the RTP timeout is 2 s)", what)
	}
	<-leg.Done()
	if leg.EndedBy() != telephony.EndedMedia {
		t.Fatalf("leg ended by %q, want %q", leg.EndedBy(), telephony.EndedMedia)
	}
}

// udpCounter counts the datagrams and bytes that reach a socket.
type udpCounter struct {
	conn           *net.UDPConn
	packets, bytes atomic.Int64
}

func listenCounter(t *testing.T, ip string) *udpCounter {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatalf("listen on %s (Linux routes all of 127.0.0.0/8 to lo): %v", ip, err)
	}
	c := &udpCounter{conn: conn}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := conn.ReadFromUDP(buf)
			if err != nil {
				return
			}
			c.packets.Add(1)
			c.bytes.Add(int64(n))
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return c
}

// TestMediaNotAimedAtAThirdParty: a caller whose SIP comes from 127.0.0.1 names 127.0.0.2 in
// its SDP. The listener there never took part in the call and receives nothing, however long
// the announcement plays; once RTP arrives from the caller's real media socket, wismo sends
// there (symmetric RTP, RFC 4961) and still not to the SDP's address.
func TestMediaNotAimedAtAThirdParty(t *testing.T) {
	storetest.OnePass(t)
	victim := listenCounter(t, "127.0.0.2")
	caller := telephonytest.StartCaller(t, "127.0.0.1")
	_, a := startAnnouncer(t, telephony.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	leg := a.call(t, ctx, caller, victim.conn.LocalAddr().(*net.UDPAddr))
	defer leg.Hangup(context.WithoutCancel(ctx), "")
	time.Sleep(time.Second) // the announcement plays: 50 packets would have gone by now
	if n := victim.packets.Load(); n != 0 {
		t.Fatalf("the third party at %s received %d RTP packets (%d bytes) before the caller sent any RTP",
			victim.conn.LocalAddr(), n, victim.bytes.Load())
	}
	if caller.Received() != 0 {
		t.Fatalf("the caller's media socket got %d packets before it sent any", caller.Received())
	}
	caller.SendRTP(10) // the caller shows where it is
	deadline := time.Now().Add(5 * time.Second)
	for caller.Received() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if caller.Received() == 0 {
		t.Fatal("after the caller sent RTP from its media socket, no announcement reached it")
	}
	if n := victim.packets.Load(); n != 0 {
		t.Fatalf("the third party received %d RTP packets after the latch", n)
	}
}

// TestNoRTPEndsTheCall: a caller that sends no RTP at all (an INVITE and an ACK, then
// nothing) is hung up after the RTP timeout, though nothing bridges the call: the
// announcement alone would play forever.
func TestNoRTPEndsTheCall(t *testing.T) {
	storetest.OnePass(t)
	caller := telephonytest.StartCaller(t, "127.0.0.1")
	e, a := startAnnouncer(t, telephony.Config{NoRTPTimeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	leg := a.call(t, ctx, caller, caller.MediaAddr())
	endedByMedia(t, caller, leg, "no RTP from the caller since the call began")
	if e.Active() != 0 {
		t.Fatalf("%d legs still up", e.Active())
	}
}

// TestHeldCallIsNotEnded: a customer bridged to a phone puts the call on hold (a re-INVITE
// with a=sendonly, RFC 3264 §8.4) and stops sending RTP: wismo answers recvonly and keeps
// the call for longer than the RTP timeout. Taken off hold (sendrecv) and still silent, the
// call is ended after the timeout.
func TestHeldCallIsNotEnded(t *testing.T) {
	storetest.OnePass(t)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "agent", Tone: 600})
	caller := telephonytest.StartCaller(t, "127.0.0.1")
	e, a := startAnnouncer(t, telephony.Config{NoRTPTimeout: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	customer := a.call(t, ctx, caller, caller.MediaAddr())
	caller.SendRTP(10)
	agent, err := e.Dial(ctx, telephony.DialRequest{To: phone.URI(), RingTimeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatalf("dial the phone: %v\n%s", err, phone.Output())
	}
	defer agent.Hangup(context.WithoutCancel(ctx), "")
	dir, err := caller.Reinvite(ctx, caller.MediaAddr(), "sendonly")
	if err != nil {
		t.Fatalf("hold re-INVITE: %v", err)
	}
	bctx, stop := context.WithTimeout(ctx, 6*time.Second) // three RTP timeouts on hold
	first := e.Bridge(bctx, customer, agent, nil)
	stop()
	if first != nil {
		t.Fatalf("the bridge ended: leg %s ended by %q while the caller had the call on hold", first.CallID, first.EndedBy())
	}
	if by := customer.EndedBy(); by != "" {
		t.Fatalf("the held call was ended by %q", by)
	}
	if dir != "recvonly" {
		t.Errorf("hold re-INVITE answered %q, want recvonly (RFC 3264 §6.1)", dir)
	}
	if dir, err := caller.Reinvite(ctx, caller.MediaAddr(), "sendrecv"); err != nil || dir != "sendrecv" {
		t.Fatalf("resume re-INVITE: answer %q, %v; want sendrecv", dir, err)
	}
	endedByMedia(t, caller, customer, "taken off hold and silent")
}

// TestForgedReInviteCannotMoveMedia: someone on another host who learnt a call's Call-ID (but
// not its dialog's tags) sends a re-INVITE naming their own address: it is refused with 481
// (RFC 3261 §12.2.2) and the call's audio does not follow it.
func TestForgedReInviteCannotMoveMedia(t *testing.T) {
	storetest.OnePass(t)
	eavesdropper := listenCounter(t, "127.0.0.2")
	caller := telephonytest.StartCaller(t, "127.0.0.1")
	e, a := startAnnouncer(t, telephony.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	leg := a.call(t, ctx, caller, caller.MediaAddr())
	defer leg.Hangup(context.WithoutCancel(ctx), "")
	caller.SendRTP(5)
	sig, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer sig.Close()
	me, media := sig.LocalAddr().String(), eavesdropper.conn.LocalAddr().(*net.UDPAddr)
	body := fmt.Sprintf("v=0\r\no=x 1 2 IN IP4 127.0.0.2\r\ns=x\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\na=sendrecv\r\n", media.Port)
	forged := fmt.Sprintf("INVITE sip:wismo@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-forged1\r\nMax-Forwards: 70\r\n"+
		"From: <sip:x@127.0.0.2>;tag=guessed\r\nTo: <sip:hotline@%s>;tag=guessed-too\r\nCall-ID: %s\r\nCSeq: 99 INVITE\r\n"+
		"Contact: <sip:x@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		e.Addr(), me, e.Addr(), caller.CallID(), me, len(body), body)
	dst, _ := net.ResolveUDPAddr("udp4", e.Addr())
	if _, err := sig.WriteToUDP([]byte(forged), dst); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	status := ""
	for status == "" || strings.HasPrefix(status, "SIP/2.0 1") { // skip 100 Trying
		sig.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, _, err := sig.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("no final answer to the forged re-INVITE: %v", err)
		}
		status, _, _ = strings.Cut(string(buf[:n]), "\r\n")
	}
	time.Sleep(500 * time.Millisecond) // 25 packets of the announcement
	if n := eavesdropper.packets.Load(); n != 0 || status != "SIP/2.0 481 Call/Transaction Does Not Exist" {
		t.Fatalf("forged re-INVITE answered %q; the eavesdropper's socket received %d RTP packets", status, n)
	}
}
