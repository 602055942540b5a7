package agentlog

import (
	"testing"
	"time"
)

// A call's wrap-up is the wrap_up span that began within 30 s of its end; one that began later
// belongs to another call, and a call with none has 0.
func TestWrapUpOfACall(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	m := func(min int) time.Time { return at.Add(time.Duration(min) * time.Minute) }
	spans := []Span{{"available", m(0), m(1)}, {"on_call", m(1), m(4)}, {"wrap_up", m(4).Add(2 * time.Second), m(5)},
		{"available", m(5), m(9)}, {"on_call", m(9), m(10)}, {"available", m(10), m(20)}}
	for _, tc := range []struct {
		end  time.Time
		want time.Duration
	}{
		{m(4), time.Minute - 2*time.Second}, // began 2 s after the call ended
		{m(10), 0},                          // no wrap-up after this call
		{m(3), 0},                           // the wrap-up began 62 s after: another call's
	} {
		if got := WrapUp(spans, tc.end); got != tc.want {
			t.Errorf("wrap-up after a call ending at %s: %s, want %s", tc.end.Format("15:04:05"), got, tc.want)
		}
	}
}
