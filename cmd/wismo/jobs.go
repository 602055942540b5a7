package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// job is a background loop of a domain (outbox consumers, schedulers, sweeps, the SIP
// endpoint): it runs until its context ends, which happens after the HTTP server has drained.
// A job that returns while its context is alive has stopped unexpectedly: the supervisor
// restarts it, so run must be able to start again after it returned.
type job struct {
	name string
	run  func(ctx context.Context)
}

// Restart pauses of a job that stopped: the first is restartMin, each stop in a row doubles
// it, up to restartMax; a job that ran restartStable before stopping starts over at
// restartMin.
const (
	restartMin    = time.Second
	restartMax    = time.Minute
	restartStable = 5 * time.Minute
)

// supervisor runs serve's background jobs and restarts one that stops while the node is up —
// it returned, or panicked — with a pause that grows with each stop, logging each time. It
// knows which jobs are down, for /readyz (portal.JobStates) and the metrics.
type supervisor struct {
	log *slog.Logger
	// after is time.After; tests replace it to decide when a pause ends.
	after func(time.Duration) <-chan time.Time

	mu   sync.Mutex
	down map[string]string // job -> why it is down
	wg   sync.WaitGroup

	up       *prometheus.GaugeVec
	restarts *prometheus.CounterVec
}

func newSupervisor(log *slog.Logger, reg prometheus.Registerer) *supervisor {
	s := &supervisor{log: log, after: time.After, down: map[string]string{},
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "wismo_job_up",
			Help: "1 while a background job of this node runs, 0 while it is down waiting to be restarted."}, []string{"job"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_job_restarts_total",
			Help: "Background jobs restarted after they stopped unexpectedly (returned or panicked)."}, []string{"job"})}
	if reg != nil {
		reg.MustRegister(s.up, s.restarts)
	}
	return s
}

// start runs j until ctx ends, restarting it when it stops before.
func (s *supervisor) start(ctx context.Context, j job) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.supervise(ctx, j)
	}()
}

func (s *supervisor) supervise(ctx context.Context, j job) {
	log := s.log.With("job", j.name)
	stops := 0
	for {
		s.mark(j.name, "")
		began := time.Now()
		why := runJob(ctx, j)
		if ctx.Err() != nil {
			log.Info("job stopped")
			return
		}
		if time.Since(began) >= restartStable {
			stops = 0
		}
		stops++
		wait := restartPause(stops)
		s.mark(j.name, why)
		log.Error("job stopped unexpectedly; restarting it", "reason", why, "ran", time.Since(began).Round(time.Millisecond),
			"stops_in_a_row", stops, "restart_in", wait)
		select {
		case <-ctx.Done():
			log.Info("job stopped")
			return
		case <-s.after(wait):
		}
		s.restarts.WithLabelValues(j.name).Inc()
	}
}

// runJob runs j once and says why it ended early: it returned, or it panicked (recovered
// here, with the stack logged by the caller's reason).
func runJob(ctx context.Context, j job) (why string) {
	defer func() {
		if p := recover(); p != nil {
			why = fmt.Sprintf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	j.run(ctx)
	return "it returned while the node was running"
}

// restartPause is the pause before the restart that follows the n-th stop in a row.
func restartPause(n int) time.Duration {
	d := restartMin
	for i := 1; i < n && d < restartMax; i++ {
		d *= 2
	}
	return min(d, restartMax)
}

// mark records a job up (why "") or down.
func (s *supervisor) mark(name, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if why == "" {
		delete(s.down, name)
		s.up.WithLabelValues(name).Set(1)
		return
	}
	s.down[name] = why
	s.up.WithLabelValues(name).Set(0)
}

// Down names the jobs that are down, sorted: /readyz answers 503 while there are any.
func (s *supervisor) Down() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.down))
	for n := range s.down {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// wait returns when every job has stopped (after their context ended).
func (s *supervisor) wait() { s.wg.Wait() }
