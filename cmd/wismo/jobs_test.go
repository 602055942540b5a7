package main

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/store/storetest"
)

// supervised is a supervisor whose restart pauses end when the test says (pause), with the
// portal that reports it on /readyz.
type supervised struct {
	sup    *supervisor
	web    *fiber.App
	pauses chan time.Duration
	resume chan time.Time
}

func newSupervised(t *testing.T) *supervised {
	t.Helper()
	db := storetest.Open(t)
	reg := prometheus.NewRegistry()
	s := &supervised{sup: newSupervisor(storetest.Logger(t), reg), pauses: make(chan time.Duration, 10), resume: make(chan time.Time)}
	s.sup.after = func(d time.Duration) <-chan time.Time {
		s.pauses <- d
		return s.resume
	}
	s.web = portal.New(portal.Deps{Log: storetest.Logger(t), DB: db, Access: access.NewService(db), Registry: reg, Jobs: s.sup})
	return s
}

// readyz is GET /readyz: its status and body.
func readyz(t *testing.T, web *fiber.App) (int, string) {
	t.Helper()
	resp, err := web.Test(httptest.NewRequest("GET", "/readyz", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitPause waits until the supervisor pauses before a restart, and returns the pause.
func (s *supervised) waitPause(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-s.pauses:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("the supervisor did not pause to restart the job")
		return 0
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// A job that returns while the node runs (the SIP endpoint whose accept loop gave up) is
// down: /readyz answers 503 naming it until the supervisor has restarted it, then 200; the
// pause before each restart doubles. On the code before the supervisor the job stayed
// stopped and /readyz said "ready".
func TestStoppedJobIsRestartedAndReadyzNamesItWhileDown(t *testing.T) {
	s := newSupervised(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var starts atomic.Int32
	stop := make(chan struct{}, 3)
	s.sup.start(ctx, job{name: "sip", run: func(ctx context.Context) {
		starts.Add(1)
		select {
		case <-stop: // returns early, as Endpoint.Serve does when accept fails for good
		case <-ctx.Done():
		}
	}})
	s.sup.start(ctx, job{name: "dialer", run: func(ctx context.Context) { <-ctx.Done() }})
	waitFor(t, "the job started", func() bool { return starts.Load() == 1 })
	if code, body := readyz(t, s.web); code != 200 {
		t.Fatalf("with every job up /readyz = %d %q, want 200", code, body)
	}
	var pauses []time.Duration
	for i := 1; i <= 2; i++ {
		stop <- struct{}{}
		pauses = append(pauses, s.waitPause(t))
		if code, body := readyz(t, s.web); code != 503 || body != "background jobs down: sip" {
			t.Fatalf("with sip stopped /readyz = %d %q, want 503 naming sip", code, body)
		}
		s.resume <- time.Now()
		waitFor(t, "the job was restarted", func() bool { return starts.Load() == int32(i+1) })
		waitFor(t, "/readyz is 200 again", func() bool { code, _ := readyz(t, s.web); return code == 200 })
	}
	if pauses[0] != restartMin || pauses[1] != 2*restartMin {
		t.Errorf("restart pauses %v, want %v then %v", pauses, restartMin, 2*restartMin)
	}
	if got := s.sup.Down(); len(got) != 0 {
		t.Errorf("down after the restarts: %v", got)
	}
	cancel()
	s.sup.wait()
	select {
	case d := <-s.pauses:
		t.Fatalf("jobs that end with the node were treated as stopped (a restart pause of %v)", d)
	default:
	}
}

// A job that panics is recovered (the node keeps running) and restarted.
func TestPanickingJobIsRecoveredAndRestarted(t *testing.T) {
	s := newSupervised(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var starts atomic.Int32
	s.sup.start(ctx, job{name: "comms-rules", run: func(ctx context.Context) {
		if starts.Add(1) == 1 {
			panic("a bug in the job") // recovered by the supervisor, as a runtime panic would be
		}
		<-ctx.Done()
	}})
	s.waitPause(t)
	if code, body := readyz(t, s.web); code != 503 || !strings.Contains(body, "comms-rules") {
		t.Fatalf("after the panic /readyz = %d %q, want 503 naming comms-rules", code, body)
	}
	s.resume <- time.Now()
	waitFor(t, "the job was restarted", func() bool { return starts.Load() == 2 })
	waitFor(t, "/readyz is 200 again", func() bool { code, _ := readyz(t, s.web); return code == 200 })
}

func TestRestartPauseIsCapped(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 6: 32 * time.Second, 7: time.Minute, 100: time.Minute} {
		if got := restartPause(n); got != want {
			t.Errorf("pause after %d stops in a row: %v, want %v", n, got, want)
		}
	}
}
