package portal

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A keep-alive connection that sends no next request is closed after the idle timeout: idle
// connections hold a file descriptor and a slot of the listener's caps (issue 13, defect 3).
func TestIdleKeepAliveConnectionIsClosed(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.IdleTimeout = 300 * time.Millisecond })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.app.Listener(ln) //nolint:errcheck // ends when the app shuts down
	t.Cleanup(func() { f.app.Shutdown() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: wismo.test\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request on a keep-alive connection: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	// Now say nothing: the server must hang up well before our own 10 s deadline.
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("an idle keep-alive connection stayed open: %v", err)
	}
}
