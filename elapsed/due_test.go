package elapsed

import (
	"testing"
	"time"

	"github.com/wismo/wismo/scripts"
)

// dueOf is each trigger's definition (docs/elapsed.md).
func TestDueOfEachTrigger(t *testing.T) {
	ts := func(s string) *time.Time {
		v, _ := time.Parse(time.RFC3339, s)
		return &v
	}
	created := *ts("2026-11-01T00:00:00Z")
	last := ts("2026-11-10T08:00:00Z")
	st := state{id: "X", phase: "in_transit", lastEvent: last, phaseAt: last, created: created, promised: "2026-11-12",
		zone: "Asia/Novosibirsk", attempts: 2}
	rule := func(kind string, n int, codes ...string) scripts.Rule {
		return scripts.Rule{Enabled: true, Trigger: kind, N: n, Codes: codes}
	}
	for _, tc := range []struct {
		name string
		r    scripts.Rule
		st   func(state) state
		want string // "" : does not apply
	}{
		{"no scan for 7 days", rule("no_scan", 7), nil, "2026-11-17T08:00:00Z"},
		{"no scan, phase filter matches", rule("no_scan", 2, "in_transit"), nil, "2026-11-12T08:00:00Z"},
		{"no scan, other phase", rule("no_scan", 2, "customs"), nil, ""},
		{"no scan, registered with no scan: from registration", rule("no_scan", 3), func(s state) state { s.lastEvent, s.phase = nil, "registered"; return s }, "2026-11-04T00:00:00Z"},
		{"no scan, delivered", rule("no_scan", 1), func(s state) state { s.phase = "delivered"; return s }, ""},
		{"customs held 3 days", rule("customs_held", 3), func(s state) state { s.phase = "customs"; return s }, "2026-11-13T08:00:00Z"},
		{"customs rule, not at customs", rule("customs_held", 3), nil, ""},
		// Promised 12 Nov: the day after ends the promise; 10:00 in Novosibirsk is 03:00 UTC.
		{"past the promised date", rule("past_promised", 0), nil, "2026-11-13T03:00:00Z"},
		{"2 days past the promised date", rule("past_promised", 2), nil, "2026-11-15T03:00:00Z"},
		{"past promised, no promise", rule("past_promised", 0), func(s state) state { s.promised = ""; return s }, ""},
		{"past promised, returning", rule("past_promised", 0), func(s state) state { s.phase = "returning"; return s }, ""},
		{"pick-up deadline in 2 days", rule("pickup_deadline", 2), func(s state) state { s.phase, s.deadline = "ready_for_pickup", "2026-11-20"; return s }, "2026-11-18T03:00:00Z"},
		{"pick-up, no deadline", rule("pickup_deadline", 2), func(s state) state { s.phase = "ready_for_pickup"; return s }, ""},
		{"pick-up, not at the point", rule("pickup_deadline", 2), func(s state) state { s.deadline = "2026-11-20"; return s }, ""},
		{"2 failed attempts: due at once", rule("failed_attempts", 2), nil, "2026-11-10T08:00:00Z"},
		{"3 failed attempts, 2 made", rule("failed_attempts", 3), nil, ""},
		{"disabled", scripts.Rule{Trigger: "no_scan", N: 7}, nil, ""},
	} {
		s := st
		if tc.st != nil {
			s = tc.st(st)
		}
		due, anchor, ok := dueOf(tc.r, s)
		switch {
		case tc.want == "" && ok:
			t.Errorf("%s: due %s, want none", tc.name, due)
		case tc.want != "" && (!ok || !due.Equal(*ts(tc.want))):
			t.Errorf("%s: due %s (%v), want %s", tc.name, due, ok, tc.want)
		case ok && anchor == "":
			t.Errorf("%s: no anchor", tc.name)
		}
	}
}
