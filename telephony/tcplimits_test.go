package telephony_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// dialFrom opens a TCP connection to addr from the loopback address local.
func dialFrom(t *testing.T, local, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 2 * time.Second}
	c, err := d.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// optionsOn sends OPTIONS on c and reports whether 200 came back on it.
func optionsOn(t *testing.T, c net.Conn) bool {
	t.Helper()
	line, err := telephonytest.OptionsOn(c)
	return err == nil && strings.HasPrefix(line, "SIP/2.0 200 ")
}

// closedByServer reports whether the endpoint closed c (a read ends without a timeout).
func closedByServer(c net.Conn, within time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(within))
	defer c.SetReadDeadline(time.Time{})
	_, err := c.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return err != nil
}

// TestTCPPerAddressCap (issue 13, defect 3): one address cannot hold more than its share of
// SIP TCP connections; the ones over the cap are closed at once, and other addresses and UDP
// are answered as before.
func TestTCPPerAddressCap(t *testing.T) {
	e := startEndpoint(t, telephony.Config{TCP: telephony.TCPLimits{MaxConnsPerAddr: 4}}, nil, rejectAll{})
	var held []net.Conn
	for range 4 {
		held = append(held, dialFrom(t, "127.0.0.1", e.Addr()))
	}
	for i := range 6 {
		if c := dialFrom(t, "127.0.0.1", e.Addr()); !closedByServer(c, 3*time.Second) {
			t.Fatalf("connection %d from one address was kept open over the cap of 4", 5+i)
		}
	}
	if !optionsOn(t, held[0]) {
		t.Fatal("a connection within the cap is not answered")
	}
	if !optionsOn(t, dialFrom(t, "127.0.0.2", e.Addr())) {
		t.Fatal("another address is not answered over TCP")
	}
	if !probe(t, e.Addr()) {
		t.Fatal("UDP is not answered")
	}
	if st := e.Stats().TCP; st.RefusedAddr != 6 {
		t.Fatalf("refused per address: %+v, want 6", st)
	}
}

// TestTCPCapsSpareTrunkAndPhones: the trunk's address and the addresses phones are
// registered from are held to neither cap.
func TestTCPCapsSpareTrunkAndPhones(t *testing.T) {
	e := startEndpoint(t, telephony.Config{Realm: "wismo", Trunk: telephony.Trunk{URI: "sip:127.0.0.4:5060"},
		TCP: telephony.TCPLimits{MaxConns: 2, MaxConnsPerAddr: 1}}, creds{"agent7": telephony.HA1("agent7", "wismo", "right-secret")}, nil)
	phone := newSIPPhone(t, "127.0.0.3", e.Addr())
	nonce := challenge(t, phone.register("agent7", 5070, "")).Nonce
	if res := phone.register("agent7", 5070, authorization(e.Addr(), "agent7", "right-secret", nonce, 1)); res.StatusCode != 200 {
		t.Fatalf("register: %d", res.StatusCode)
	}
	dialFrom(t, "127.0.0.5", e.Addr()) // a stranger fills the caps: 1 of 1 for its address...
	dialFrom(t, "127.0.0.6", e.Addr()) // ...and 2 of 2 in total
	if c := dialFrom(t, "127.0.0.7", e.Addr()); !closedByServer(c, 3*time.Second) {
		t.Fatal("a third stranger was kept open over the total cap of 2")
	}
	for _, exempt := range []string{"127.0.0.3", "127.0.0.4"} { // the phone, the trunk
		var conns []net.Conn
		for range 5 {
			conns = append(conns, dialFrom(t, exempt, e.Addr()))
		}
		for i, c := range conns {
			if !optionsOn(t, c) {
				t.Fatalf("%s: connection %d over the caps not answered", exempt, i+1)
			}
		}
	}
}

// TestTCPIdleConnectionsClose: a connection that sends nothing is closed after the idle
// timeout; one that sends CRLF keep-alives (RFC 5626 §4.4.1) stays open, and sipgo answers
// its double-CRLF pings with a CRLF pong (§3.5.1).
func TestTCPIdleConnectionsClose(t *testing.T) {
	e := startEndpoint(t, telephony.Config{TCP: telephony.TCPLimits{Idle: 2 * time.Second}}, nil, rejectAll{})
	idle, alive := dialFrom(t, "127.0.0.1", e.Addr()), dialFrom(t, "127.0.0.1", e.Addr())
	stop := time.Now().Add(5 * time.Second)
	for time.Now().Before(stop) {
		alive.SetDeadline(time.Now().Add(3 * time.Second))
		if _, err := alive.Write([]byte("\r\n\r\n")); err != nil {
			t.Fatalf("keep-alive write: %v", err)
		}
		pong := make([]byte, 2)
		if _, err := alive.Read(pong); err != nil || string(pong) != "\r\n" {
			t.Fatalf("no pong to a keep-alive ping: %q %v", pong, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	alive.SetDeadline(time.Time{})
	if !closedByServer(idle, 5*time.Second) {
		t.Fatal("an idle connection was not closed")
	}
	if !optionsOn(t, alive) {
		t.Fatal("a connection kept alive with CRLF is not answered")
	}
}

// TestServeAgainAfterSocketDies: when a SIP socket dies Serve returns an error that says so
// (it used to return nil: the SIP job stopped with nothing in the log), and serving again
// binds new sockets on the same address, so a supervisor that restarts it brings SIP back.
func TestServeAgainAfterSocketDies(t *testing.T) {
	e, err := telephony.New(context.Background(), telephony.Config{ListenAddr: "127.0.0.1:0"}, testLogger(t), nil, rejectAll{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); e.Close() })
	serve := func() <-chan error {
		errc := make(chan error, 1)
		go func() { errc <- e.Serve(ctx) }()
		return errc
	}
	errc := serve()
	if !probe(t, e.Addr()) {
		t.Fatal("not answering at start")
	}
	telephony.BreakUDP(e)
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "SIP udp stopped serving") {
			t.Fatalf("Serve returned %v, want an error naming the UDP transport", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve went on with a dead UDP socket")
	}
	errc = serve()
	// The new socket is bound in Serve's goroutine: until then the port refuses.
	for deadline := time.Now().Add(10 * time.Second); !probe(t, e.Addr()); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("UDP not answering after serving again")
		}
	}
	if !optionsOn(t, dialFrom(t, "127.0.0.1", e.Addr())) {
		t.Fatal("TCP not answering after serving again")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Serve after its context ended: %v, want nil", err)
	}
}
