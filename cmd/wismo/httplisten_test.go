package main

import (
	"bufio"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/throttle"
)

// serveLimited runs a small app on the listener of the settings args, as serve does.
func serveLimited(t *testing.T, args ...string) (*throttle.LimitedListener, string) {
	t.Helper()
	cfg, err := parse(t, append([]string{"-http-addr", "127.0.0.1:0"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listenHTTP(cfg, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	go app.Listener(ln) //nolint:errcheck // ends at Shutdown
	t.Cleanup(func() { app.Shutdown() })
	return ln.(*throttle.LimitedListener), ln.Addr().String()
}

// dialFrom opens a TCP connection to addr from a loopback source address.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends one request on c and reads the status line.
func get(c net.Conn) (string, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: wismo.test\r\n\r\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line), err
}

func waitOpen(t *testing.T, ln *throttle.LimitedListener, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ln.Stats().Open != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want %d", ln.Stats().Open, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// One address holding its cap of idle connections gets no more; others still get in, and
// trusted proxies are not capped (issue 13, defect 3: nothing capped the HTTP listener).
func TestHTTPListenerCapsConnectionsPerAddress(t *testing.T) {
	ln, addr := serveLimited(t, "-http-max-conns-per-addr", "3", "-trusted-proxies", "127.0.0.3")
	held := []net.Conn{dialFrom(t, "127.0.0.1", addr), dialFrom(t, "127.0.0.1", addr), dialFrom(t, "127.0.0.1", addr)}
	waitOpen(t, ln, 3)
	over := dialFrom(t, "127.0.0.1", addr)
	if _, err := get(over); err == nil {
		t.Fatal("a fourth connection from one address was served")
	}
	if ln.Stats().RefusedAddr != 1 {
		t.Errorf("refusals per address: %+v", ln.Stats())
	}
	if line, err := get(dialFrom(t, "127.0.0.2", addr)); err != nil || line != "HTTP/1.1 200 OK" {
		t.Errorf("another address: %q %v", line, err)
	}
	if line, err := get(held[0]); err != nil || line != "HTTP/1.1 200 OK" {
		t.Errorf("a held connection: %q %v", line, err)
	}
	for i := range 5 {
		if line, err := get(dialFrom(t, "127.0.0.3", addr)); err != nil || line != "HTTP/1.1 200 OK" {
			t.Errorf("trusted proxy connection %d: %q %v", i+1, line, err)
		}
	}
}

func TestHTTPListenerCapsConnectionsInTotal(t *testing.T) {
	ln, addr := serveLimited(t, "-http-max-conns", "2")
	dialFrom(t, "127.0.0.1", addr)
	dialFrom(t, "127.0.0.2", addr)
	waitOpen(t, ln, 2)
	if _, err := get(dialFrom(t, "127.0.0.4", addr)); err == nil {
		t.Fatalf("a third connection was served over a total cap of 2: %v", err)
	}
	if ln.Stats().RefusedTotal != 1 {
		t.Errorf("refusals in total: %+v", ln.Stats())
	}
}

func TestWebSettingsNameTheField(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"-trusted-proxies", "10.0.0.0/8,proxy.example"}},
		{[]string{"-http-max-conns", "0"}},
		{[]string{"-http-max-conns-per-addr", "many"}},
		{[]string{"-http-idle-timeout", "forever"}},
		{[]string{"-metrics-token", "short"}},
	} {
		_, err := parse(t, tc.args...)
		field := "WISMO_" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(tc.args[0], "-"), "-", "_"))
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, field)
		}
	}
	cfg, err := parse(t, "-trusted-proxies", "10.0.0.0/8, 192.0.2.7, ::ffff:198.51.100.1, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := cfg.trustedProxies()
	if len(got) != 4 || got[2].String() != "198.51.100.1/32" {
		t.Errorf("trusted proxies: %v", got)
	}
}
