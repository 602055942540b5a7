package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
)

// rank orders what the watcher may see: messages from before its start, probes, the rest.
func rank(id string) int {
	switch {
	case strings.HasPrefix(id, "before-"):
		return 0
	case strings.HasPrefix(id, "probe-"):
		return 1
	}
	return 2
}

// A node watching the outbox sees every message committed after it started, in order, once,
// and moves no consumer's cursor.
func TestTailSeesWhatCommitsAfterItStarts(t *testing.T) {
	db := storetest.Open(t)
	write(t, db, "before-1", "before-2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []string
	go Tail(ctx, db, slog.New(slog.DiscardHandler), 20*time.Millisecond, func(msgs []Message) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			seen = append(seen, m.ItemID)
		}
	})
	snapshot := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
	deadline := time.Now().Add(visibleWithin) // PostgreSQL: visible once older transactions end cluster-wide
	// The watcher reads the head when its goroutine runs: write probes until it sees one, so
	// the messages below are surely written after it started, however slow the start.
	probes := 0
	for len(snapshot()) == 0 || !strings.HasPrefix(snapshot()[len(snapshot())-1], "probe-") {
		if time.Now().After(deadline) {
			t.Fatalf("the watcher saw none of %d probes: %v", probes, snapshot())
		}
		probes++
		write(t, db, fmt.Sprintf("probe-%d", probes))
		time.Sleep(100 * time.Millisecond)
	}
	write(t, db, "after-1", "after-2")
	write(t, db, "after-3")
	for {
		got := snapshot()
		if n := len(got); n >= 3 && got[n-1] == "after-3" || time.Now().After(deadline) {
			// On PostgreSQL the head is what consumers may read: messages of transactions
			// that another session's snapshot still sees as running come after it, so the
			// two written before may come too (harmless for a watcher: it drops a page more).
			var after []string
			for _, id := range got {
				if strings.HasPrefix(id, "after-") {
					after = append(after, id)
				}
			}
			want := []string{"after-1", "after-2", "after-3"}
			if fmt.Sprint(after) != fmt.Sprint(want) || !slices.IsSortedFunc(got, func(a, b string) int { return rank(a) - rank(b) }) {
				t.Fatalf("the watcher saw %v, want before-*, probe-* then %v, each once", got, want)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A consumer still gets everything: watching moved no cursor.
	if got := collect(t, db, "after-tail", 100, 5+probes); len(got) != 5+probes {
		t.Fatalf("a consumer after the watcher got %v, want all %d messages", got, 5+probes)
	}
}
