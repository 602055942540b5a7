package outbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// The consumer process TestKilledWhileHandlingIsSetAsideAfterThreeKills kills: this test
// binary, run again with -test.run=^TestHelperProcess$ and these variables.
const (
	helperDB  = "WISMO_OUTBOX_HELPER_DB"  // the database URL
	helperBad = "WISMO_OUTBOX_HELPER_BAD" // the item whose message hangs the handler
	reached   = "reached the bad message"
)

// TestHelperProcess is not a test on its own: it is the consumer process of
// TestKilledWhileHandlingIsSetAsideAfterThreeKills, and returns at once when not started by
// it. It runs outbox.Run (the loop wismo serve runs) until SIGTERM; its handler records what
// it handles, and on the bad message says so on stdout and hangs, as a handler does while it
// eats the memory that gets it killed.
func TestHelperProcess(t *testing.T) {
	url := os.Getenv(helperDB)
	if url == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, url, "", storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bad := os.Getenv(helperBad)
	Run(ctx, db, storetest.Logger(t), "rules", 10*time.Millisecond, 200, Policy{Backoff: 10 * time.Millisecond},
		func(ctx context.Context, tx store.Tx, msgs []Message) error {
			for _, m := range msgs {
				if m.ItemID == bad {
					fmt.Println(reached)
					time.Sleep(time.Hour)
				}
			}
			return recordHandled(ctx, db, tx, msgs)
		})
}

// A message whose handling kills the process (kill -9 while the handler runs, as the kernel's
// OOM killer does) is set aside after three kills: the fourth process sets it aside without
// handing it to the handler, and handles its 999 neighbours in the packed row and the later
// rows, each exactly once across the four processes. On the code before dead letters every
// restart handed the same batch to the handler again: a crash loop.
//
// It runs in both passes, unlike other tests that kill processes: the attempt is recorded in
// a different way on each dialect (a transaction of its own before the consumer's on SQLite;
// another connection while the cursor row is locked on PostgreSQL), and a kill is the only
// failure that only that record can report. Each process is this test binary, started in a
// few milliseconds.
func TestKilledWhileHandlingIsSetAsideAfterThreeKills(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url, "", storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, storetest.Logger(t)); err != nil {
		t.Fatal(err)
	}
	f := newPoisonFixture(t, db)
	const bad = "m500"
	kills := 0
	began := time.Now()
	for run := 1; ; run++ {
		if run > DefaultMaxAttempts+1 {
			t.Fatalf("process %d started: the bad message should have been set aside by process %d", run, DefaultMaxAttempts+1)
		}
		p := startHelper(t, url, bad)
		if p.waitReached(t, 60*time.Second, func() bool { return f.count(t) >= len(f.want)-1 && len(f.letters(t)) > 0 }) {
			p.kill(t)
			kills++
			t.Logf("process %d reached %s and was killed (kill -9) at %s", run, bad, time.Since(began).Round(time.Millisecond))
			continue
		}
		p.stop(t)
		t.Logf("process %d set %s aside and handled the rest by %s", run, bad, time.Since(began).Round(time.Millisecond))
		break
	}
	if kills != DefaultMaxAttempts {
		t.Errorf("%d kills before the message was set aside, want %d", kills, DefaultMaxAttempts)
	}
	f.checkHandled(t, bad)
	ls := f.letters(t)
	if len(ls) != 1 || ls[0].Message.ItemID != bad || ls[0].Attempts != DefaultMaxAttempts || !strings.Contains(ls[0].Error, "ended during the attempt") {
		t.Fatalf("dead letters %+v: want %s alone, %d attempts, the process ended during the attempt", ls, bad, DefaultMaxAttempts)
	}
}

// helper is a running TestHelperProcess.
type helper struct {
	cmd     *exec.Cmd
	reached chan struct{}
	logs    *bytes.Buffer
}

func startHelper(t *testing.T, url, bad string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperDB+"="+url, helperBad+"="+bad)
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, reached: make(chan struct{}), logs: logs}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == reached {
				close(h.reached)
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	return h
}

// waitReached reports true when the process reached the bad message, false when done says
// the work is over first.
func (h *helper) waitReached(t *testing.T, limit time.Duration, done func() bool) bool {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case <-h.reached:
			return true
		case <-deadline:
			h.kill(t)
			t.Fatalf("the consumer process neither reached the bad message nor finished in %s:\n%s", limit, h.logs)
		case <-time.After(20 * time.Millisecond):
			if done() {
				return false
			}
		}
	}
}

func (h *helper) kill(t *testing.T) {
	t.Helper()
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.cmd.Wait()
}

// stop ends the process as serve's shutdown does (SIGTERM) and checks it exited cleanly.
func (h *helper) stop(t *testing.T) {
	t.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	if err := h.cmd.Wait(); err != nil {
		t.Errorf("the consumer process did not stop cleanly: %v\n%s", err, h.logs)
	}
}
