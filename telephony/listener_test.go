package telephony_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
)

// rejectAll refuses every inbound call, as an unknown hotline number would be.
type rejectAll struct{}

func (rejectAll) HandleInbound(context.Context, *telephony.InboundCall) telephony.Decision {
	return telephony.Reject(telephony.NoSuchNumber)
}

// probe sends OPTIONS over UDP and reports whether the endpoint answered 200 (RFC 3261
// §11: the keep-alive question every SIP element must answer).
func probe(t testing.TB, addr string) bool {
	t.Helper()
	c, err := net.Dial("udp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := fmt.Sprintf("OPTIONS sip:wismo@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-probe%d;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=p1\r\nTo: <sip:wismo@%s>\r\nCall-ID: probe-%d@test\r\n"+
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", addr, local, time.Now().UnixNano(), local, addr, time.Now().UnixNano())
	buf := make([]byte, 4096)
	for range 3 { // UDP may drop; retry a little
		c.Write([]byte(msg))
		c.SetReadDeadline(time.Now().Add(time.Second))
		n, err := c.Read(buf)
		if err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 200")) {
			return true
		}
	}
	return false
}

// send writes raw bytes to the endpoint over network and drains any answer briefly.
func send(t testing.TB, network, addr string, msg []byte) {
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		t.Fatalf("%s %s: %v", network, addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Millisecond))
	c.Write(msg)
	buf := make([]byte, 4096)
	c.Read(buf)
}

// TestTortureMessages sends the RFC 4475 torture messages to a live endpoint over UDP and
// TCP; whatever it makes of them, it must keep running and answering.
func TestTortureMessages(t *testing.T) {
	files, err := filepath.Glob("testdata/torture/*.dat")
	if err != nil || len(files) < 40 {
		t.Fatalf("torture messages missing: %d files, %v", len(files), err)
	}
	e := startEndpoint(t, telephony.Config{}, nil, rejectAll{})
	if !probe(t, e.Addr()) {
		t.Fatal("endpoint does not answer OPTIONS")
	}
	for _, f := range files {
		msg, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".dat")
		send(t, "udp4", e.Addr(), msg)
		send(t, "tcp4", e.Addr(), msg)
		if !probe(t, e.Addr()) {
			t.Fatalf("endpoint stopped answering after %s", name)
		}
	}
}

// FuzzListener sends arbitrary datagrams to a live endpoint; it must keep answering. The
// seed corpus is testdata/fuzz/FuzzListener (TestTortureMessages covers RFC 4475).
func FuzzListener(f *testing.F) {
	f.Add([]byte("INVITE sip:x SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n"))
	e := startEndpoint(f, telephony.Config{}, nil, rejectAll{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		send(t, "udp4", e.Addr(), msg)
		if !probe(t, e.Addr()) {
			t.Fatalf("endpoint stopped answering after %q", msg)
		}
	})
}
