package scripts

import (
	"fmt"
	"testing"

	"github.com/wismo/wismo/tracking"
)

// BenchmarkRules times the rules planning one SMS per fresh sorting-centre scan.
func BenchmarkRules(b *testing.B) {
	e := newEnv(b)
	n := b.N
	for i := range n {
		e.parcel(tracking.MakeS10("RB", 20_000_000+i, "GB"), "")
	}
	var evs []tracking.EventInput
	for i := range n {
		evs = append(evs, ev(tracking.MakeS10("RB", 20_000_000+i, "GB"), "EDD", "2026-11-20T05:30:00Z"))
	}
	for s := 0; s < n; s += 1000 {
		e.events(evs[s:min(s+1000, n)]...)
	}
	b.ResetTimer()
	e.consume()
	b.StopTimer()
	if got := len(e.contacts(tracking.MakeS10("RB", 20_000_000, "GB"))); got != 1 {
		panic(fmt.Sprint("contacts ", got))
	}
}
