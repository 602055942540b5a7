package outbox

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
)

// A node watching the outbox sees every message committed after it started, in order, once,
// and moves no consumer's cursor.
func TestTailSeesWhatCommitsAfterItStarts(t *testing.T) {
	db := storetest.Open(t)
	write(t, db, "before-1", "before-2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seen []string
	started := make(chan struct{})
	go func() {
		// Head is read before Tail's loop; give it a moment to settle, then write.
		close(started)
		Tail(ctx, db, slog.New(slog.DiscardHandler), 20*time.Millisecond, func(msgs []Message) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				seen = append(seen, m.ItemID)
			}
		})
	}()
	<-started
	time.Sleep(200 * time.Millisecond)
	write(t, db, "after-1", "after-2")
	write(t, db, "after-3")
	deadline := time.Now().Add(15 * time.Second) // PostgreSQL: visible once older transactions end cluster-wide
	for {
		mu.Lock()
		n := len(seen)
		got := append([]string(nil), seen...)
		mu.Unlock()
		if n >= 3 && got[n-1] == "after-3" || time.Now().After(deadline) {
			// On PostgreSQL the head is what consumers may read: messages of transactions
			// that another session's snapshot still sees as running come after it, so the
			// two written before may come too (harmless for a watcher: it drops a page more).
			if len(got) == 5 && got[0] == "before-1" && got[1] == "before-2" {
				got = got[2:]
			}
			want := []string{"after-1", "after-2", "after-3"}
			if len(got) != len(want) {
				t.Fatalf("the watcher saw %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("the watcher saw %v, want %v", got, want)
				}
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A consumer still gets everything: watching moved no cursor.
	if got := collect(t, db, "after-tail", 10, 5); len(got) != 5 {
		t.Fatalf("a consumer after the watcher got %v, want all 5 messages", got)
	}
}
