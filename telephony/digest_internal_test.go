package telephony

import (
	"net/netip"
	"testing"
	"time"
)

// TestNonceTableIsBoundedAndFailsClosed: the table of used nonces never outgrows its bound,
// and a nonce whose entry was dropped to make room is stale (a new challenge), never good
// for a replay.
func TestNonceTableIsBoundedAndFailsClosed(t *testing.T) {
	n := newNonces()
	n.max = 3
	addr := netip.MustParseAddr("127.0.0.1")
	start := time.Unix(1_800_000_000, 0)
	var issued []string
	for i := range 5 {
		now := start.Add(time.Duration(i) * time.Second)
		nonce := n.issue(now, addr)
		state, at := n.check(nonce, addr, now)
		if state != nonceFresh || !n.use(nonce, at, 1, now) {
			t.Fatalf("nonce %d: state %v", i, state)
		}
		issued = append(issued, nonce)
	}
	if len(n.used) != 3 {
		t.Fatalf("table holds %d nonces, bound 3", len(n.used))
	}
	now := start.Add(5 * time.Second)
	for i, want := range []nonceState{nonceStale, nonceStale, nonceFresh, nonceFresh, nonceFresh} {
		if got, _ := n.check(issued[i], addr, now); got != want {
			t.Fatalf("nonce %d after eviction: %v, want %v", i, got, want)
		}
	}
	if _, at := n.check(issued[4], addr, now); n.use(issued[4], at, 1, now) {
		t.Fatal("a held nonce was accepted again with the same nc")
	}
	if got, _ := n.check(issued[4], netip.MustParseAddr("127.0.0.2"), now); got != nonceForeign {
		t.Fatalf("a nonce from another address: %v, want foreign", got)
	}
	// Expired entries make room before live ones are dropped.
	late := start.Add(nonceTTL + time.Hour)
	fresh := n.issue(late, addr)
	_, at := n.check(fresh, addr, late)
	n.use(fresh, at, 1, late)
	if len(n.used) != 1 {
		t.Fatalf("expired entries should have been purged: %d held", len(n.used))
	}
}
