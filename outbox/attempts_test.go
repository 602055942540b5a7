package outbox

import (
	"testing"
	"time"
)

// How the attempt state narrows a failure down to one message, and when it sets one aside.
func TestAttemptStateSteps(t *testing.T) {
	now := time.Now()
	var s state
	attempt := func(n int) { s.inFlight("me", n, 0) }
	check := func(step string, suspect, failures int, due bool) {
		t.Helper()
		if s.suspect != suspect || s.failures != failures || s.due(3) != due || s.token != "" {
			t.Fatalf("%s: suspect %d, failures %d, due %v, token %q; want %d, %d, %v, none in flight",
				step, s.suspect, s.failures, s.due(3), s.token, suspect, failures, due)
		}
	}
	if n, whole := s.batchSize(200); n != 200 || !whole {
		t.Fatalf("a clean state takes %d (whole %v), want 200 whole rows", n, whole)
	}
	attempt(1000)
	s.failed("boom", now)
	check("a batch of 1000 failed", 1000, 1, false)
	if n, whole := s.batchSize(200); n != 1 || whole {
		t.Fatalf("after a failed batch the next attempt takes %d (whole %v), want 1", n, whole)
	}
	attempt(1)
	s.passed(1)
	check("its first message passed alone", 999, 1, false)
	attempt(1)
	s.failed("boom", now)
	check("the next failed alone", 999, 2, false)
	attempt(1)
	s.failed("boom", now)
	check("and again", 999, 3, true)

	s = state{}
	attempt(1)
	s.failed("boom", now)
	check("a batch of one failed", 1, 1, false)
	if !s.due(1) {
		t.Fatal("with MaxAttempts 1 a message that failed alone once is due")
	}
	attempt(1)
	s.passed(1)
	check("it passed on the second try", 0, 0, false)
	if s.lastErr != "" || !s.since.IsZero() {
		t.Fatalf("a passed range leaves %q since %v", s.lastErr, s.since)
	}
	attempt(5)
	s.ended()
	check("an attempt that did not count", 0, 0, false)
}
