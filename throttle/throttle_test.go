package throttle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *fakeClock               { return &fakeClock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)} }
func must(t *testing.T, ok bool, msg string) {
	t.Helper()
	if !ok {
		t.Fatal(msg)
	}
}

func TestRateCountsPerKeyInWindows(t *testing.T) {
	c := newClock()
	r := NewRate(Limit{Events: 2, Window: time.Minute}, 0, c.now)
	first, second := okOf(r.Allow("a")), okOf(r.Allow("a"))
	must(t, first && second, "the first two events of a key pass")
	ok, wait := r.Allow("a")
	must(t, !ok && wait == time.Minute, fmt.Sprintf("the third is refused for the rest of the window, got %v %v", ok, wait))
	must(t, okOf(r.Allow("b")), "another key has its own window")
	c.add(time.Minute)
	must(t, okOf(r.Allow("a")), "a new window starts after the old one ends")
}

func TestRateCheckCountsNothing(t *testing.T) {
	r := NewRate(Limit{Events: 1, Window: time.Minute}, 0, nil)
	for range 5 {
		must(t, okOf(r.Check("a")), "Check never uses up the limit")
	}
	r.Count("a")
	must(t, !okOf(r.Check("a")), "Count does")
}

// The table regression of the feedback form (issue 13, defect 8): a full table used to refuse
// every new key. Now the least recently used key is forgotten and new keys pass.
func TestRateFullTableNeverDeniesEveryone(t *testing.T) {
	r := NewRate(Limit{Events: 1, Window: time.Hour}, 100, nil)
	for i := range 1000 {
		must(t, okOf(r.Allow(fmt.Sprint("flood", i))), "a new key passes even when the table is full")
	}
	must(t, r.Len() == 100, fmt.Sprintf("the table holds its bound, got %d", r.Len()))
	r.Allow("busy")
	must(t, !okOf(r.Allow("busy")), "a key that is in the table is still limited")
}

func TestBackoffDoublesUpToMaxAndForgets(t *testing.T) {
	c := newClock()
	b := NewBackoff(Policy{Free: 3, Base: time.Second, Max: 8 * time.Second, Forget: time.Hour}, 0, c.now)
	for range 3 {
		must(t, b.Fail("u") == 0, "free failures cost nothing")
	}
	var waits []time.Duration
	for range 6 {
		waits = append(waits, b.Fail("u"))
	}
	want := []time.Duration{1, 2, 4, 8, 8, 8}
	for i := range want {
		must(t, waits[i] == want[i]*time.Second, fmt.Sprintf("wait %d: got %v, want %vs", i, waits[i], want[i]))
	}
	must(t, b.Wait("u") == 8*time.Second, "Wait says how long is left")
	c.add(8 * time.Second)
	must(t, b.Wait("u") == 0, "the wait ends: a key is slowed down, never locked out for good")
	c.add(time.Hour)
	must(t, b.Fail("u") == 0 && b.Failures("u") == 1, "after Forget the count starts over")
	b.Reset("u")
	must(t, b.Failures("u") == 0, "Reset forgets")
}

func TestGateBoundsWorkAndWaiters(t *testing.T) {
	g := NewGate(2, 1, time.Hour)
	ctx := context.Background()
	r1, err1 := g.Enter(ctx)
	r2, err2 := g.Enter(ctx)
	must(t, err1 == nil && err2 == nil, "two slots")
	entered := make(chan error, 1)
	go func() {
		r, err := g.Enter(ctx)
		if err == nil {
			r()
		}
		entered <- err
	}()
	for g.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	_, err := g.Enter(ctx)
	must(t, errors.Is(err, ErrBusy), fmt.Sprintf("a full queue answers ErrBusy at once, got %v", err))
	r1()
	must(t, <-entered == nil, "the waiter gets the freed slot")
	r2()
	must(t, g.InUse() == 0, "every slot is given back")
	short := NewGate(1, 5, time.Millisecond)
	rs, _ := short.Enter(ctx)
	_, err = short.Enter(ctx)
	must(t, errors.Is(err, ErrBusy), "a wait that runs out is ErrBusy")
	rs()
}

func okOf(ok bool, _ time.Duration) bool { return ok }

func dial(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// served accepts on ln and reports each accepted connection; it echoes what it reads.
func served(t *testing.T, ln net.Listener) <-chan net.Conn {
	accepted := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
			go func() {
				buf := make([]byte, 64)
				for {
					n, err := c.Read(buf)
					if err != nil {
						c.Close()
						return
					}
					c.Write(buf[:n])
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return accepted
}

// closedByServer reports whether the server closed c (a read sees EOF or reset).
func closedByServer(c net.Conn, within time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(within))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func TestListenerCapsPerAddressAndInTotal(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(inner, ConnLimits{Total: 3, PerAddr: 2}, nil)
	accepted := served(t, ln)
	a, b := dial(t, ln), dial(t, ln)
	<-accepted
	<-accepted
	third := dial(t, ln)
	must(t, closedByServer(third, 2*time.Second), "a third connection from one address is closed")
	must(t, ln.Stats().RefusedAddr == 1, fmt.Sprintf("counted as refused per address: %+v", ln.Stats()))
	must(t, !closedByServer(a, 50*time.Millisecond), "the first two stay open")
	b.Close()
	for ln.Stats().Open != 1 {
		time.Sleep(time.Millisecond)
	}
	c := dial(t, ln)
	<-accepted
	c.Write([]byte("x"))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = c.Read(make([]byte, 1))
	must(t, err == nil, "a closed connection gives its slot back")
}

func TestListenerExemptAddressesPassTheCaps(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	trunk := netip.MustParseAddr("127.0.0.1")
	ln := Listener(inner, ConnLimits{Total: 1, PerAddr: 1, Exempt: func(a netip.Addr) bool { return a == trunk }}, nil)
	accepted := served(t, ln)
	for range 5 {
		dial(t, ln)
		<-accepted
	}
	must(t, ln.Stats().Open == 0 && ln.Stats().RefusedAddr == 0, fmt.Sprintf("exempt connections hold no slot: %+v", ln.Stats()))
}

func TestListenerClosesIdleConnectionsButNotActiveOnes(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(inner, ConnLimits{Idle: time.Second}, nil)
	accepted := served(t, ln)
	idle, active := dial(t, ln), dial(t, ln)
	<-accepted
	<-accepted
	// CRLF keep-alives every 100 ms keep a connection open (RFC 5626 §4.4.1) for 2.5 s, more
	// than twice the idle limit; a 900 ms pause of this goroutine still would not close it.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 25 {
			active.Write([]byte("\r\n"))
			time.Sleep(100 * time.Millisecond)
		}
	}()
	must(t, closedByServer(idle, 3*time.Second), "an idle connection is closed")
	wg.Wait()
	active.SetReadDeadline(time.Time{})
	active.Write([]byte("x"))
	buf := make([]byte, 64)
	active.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = active.Read(buf)
	must(t, err == nil, fmt.Sprintf("a connection with traffic stays open: %v", err))
}

// flaky fails its first accepts the way a process out of file descriptors does.
type flaky struct {
	net.Listener
	fails int
}

func (f *flaky) Accept() (net.Conn, error) {
	if f.fails > 0 {
		f.fails--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return f.Listener.Accept()
}

func TestListenerRetriesAcceptWhenOutOfFileDescriptors(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(&flaky{Listener: inner, fails: 3}, ConnLimits{}, nil)
	accepted := served(t, ln)
	dial(t, ln)
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("the listener gave up after EMFILE")
	}
	must(t, ln.Stats().AcceptRetries == 3, fmt.Sprintf("each failed accept was retried: %+v", ln.Stats()))
	ln.Close()
	_, err = ln.Accept()
	must(t, errors.Is(err, net.ErrClosed), "a closed listener still stops Accept")
}

// An address that became exempt after its connection was accepted (a phone that registered
// over it) keeps the connection through idle time; the others are closed.
func TestListenerKeepsIdleConnectionsOfExemptAddresses(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var registered sync.Map
	ln := Listener(inner, ConnLimits{Idle: 300 * time.Millisecond, Exempt: func(a netip.Addr) bool {
		_, ok := registered.Load(a)
		return ok
	}}, nil)
	accepted := served(t, ln)
	phone := dial(t, ln)
	<-accepted
	registered.Store(netip.MustParseAddr("127.0.0.1"), true)
	must(t, !closedByServer(phone, time.Second), "a connection whose address became exempt stays open when idle")
	registered.Delete(netip.MustParseAddr("127.0.0.1"))
	must(t, closedByServer(phone, 3*time.Second), "once its address is no longer exempt, idle time closes it")
}

func TestSetRemembersForAWhileWithinItsBound(t *testing.T) {
	c := newClock()
	s := NewSet(time.Hour, 2, c.now)
	s.Add("a")
	must(t, s.Has("a") && !s.Has("b"), "an added key is remembered, another is not")
	c.add(time.Hour)
	must(t, !s.Has("a"), "a key is forgotten after ttl")
	s.Add("a")
	s.Add("b")
	s.Add("c")
	must(t, !s.Has("a") && s.Has("b") && s.Has("c"), "a full set forgets its least recently used key")
}
