package smpptest

import (
	"context"
	"os"
	"testing"
	"time"
)

// Start launches the peer for a test and stops it at cleanup. Without perl and Net::SMPP the
// test fails under CI=true (saying what to install) and is skipped, loudly, elsewhere.
func Start(t testing.TB, args ...string) *Peer {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the SMPP peer cannot run: %v", err)
		}
		t.Skipf("SKIPPED: the SMPP peer cannot run: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p, err := Launch(ctx, args...)
	if err != nil {
		cancel()
		t.Fatalf("SMPP peer: %v", err)
	}
	t.Cleanup(func() { p.Stop(); cancel() })
	return p
}

// WaitFor polls until cond holds for the peer's events, failing the test after timeout.
func (p *Peer) WaitFor(t testing.TB, timeout time.Duration, what string, cond func([]Event) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond(p.Events()) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SMPP peer: gave up waiting %s for %s; events: %+v", timeout, what, p.Events())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Must sends a command, failing the test if the peer is gone.
func (p *Peer) Must(t testing.TB, line string) {
	t.Helper()
	if err := p.Command(line); err != nil {
		t.Fatalf("SMPP peer command %q: %v", line, err)
	}
}
