package outbox

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/store"
)

// Run consumes in a loop until ctx ends: at once while messages keep coming (and while a
// failed batch's messages are taken one at a time), every idle interval otherwise. After a
// failed attempt it pauses (p.Backoff, doubling with each failure in a row, up to a minute);
// a message that keeps failing is set aside (see Policy), so no message stops the consumer
// for good, and none takes the node down in a loop of restarts.
func Run(ctx context.Context, db *store.DB, log *slog.Logger, consumer string, idle time.Duration, limit int, p Policy, fn Handler) {
	p.Log = log.With("consumer", consumer)
	p = p.withDefaults()
	fails := 0
	var counted time.Time
	for {
		if time.Since(counted) > waitingEvery {
			p.Metrics.count(ctx, db, consumer)
			counted = time.Now()
		}
		o := p.turn(ctx, db, consumer, limit, fn)
		if ctx.Err() != nil {
			return
		}
		if o.setAside > 0 {
			p.Metrics.count(ctx, db, consumer)
		}
		var wait time.Duration
		switch {
		case o.err != nil:
			fails++
			wait = p.backoff(fails)
		case o.again || o.handled >= limit:
			fails = 0
		default:
			fails = 0
			wait = idle
		}
		if wait == 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// waitingEvery is how often Run counts the dead letters waiting for someone (the metric).
const waitingEvery = 30 * time.Second

// Metrics counts, per consumer, failed attempts and messages set aside by this process, and
// the dead letters waiting for an admin (read from the database, for every node's letters).
type Metrics struct {
	failures  *prometheus.CounterVec
	setAsides *prometheus.CounterVec
	waiting   *prometheus.GaugeVec

	mu    sync.Mutex
	known map[string]bool // consumers whose waiting gauge was set
}

// NewMetrics registers the outbox's metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_outbox_failed_attempts_total",
			Help: "Failed attempts to handle outbox messages, by consumer; counted=false when the failure was not the messages' fault (shutdown, transient errors)."},
			[]string{"consumer", "counted"}),
		setAsides: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_outbox_set_aside_total",
			Help: "Outbox messages this process set aside as dead letters after failing too often, by consumer."}, []string{"consumer"}),
		waiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "wismo_outbox_dead_letters",
			Help: "Dead letters waiting for an admin (dead or sent back for a retry), by consumer; refreshed every 30 s by each running consumer."},
			[]string{"consumer"}),
		known: map[string]bool{},
	}
	reg.MustRegister(m.failures, m.setAsides, m.waiting)
	return m
}

func (m *Metrics) failed(consumer string, counted bool) {
	if m != nil {
		m.failures.WithLabelValues(consumer, strconv.FormatBool(counted)).Inc()
	}
}

func (m *Metrics) setAside(consumer string) {
	if m != nil {
		m.setAsides.WithLabelValues(consumer).Inc()
	}
}

// count sets the waiting gauge of every consumer from the database (consumer, at least, is
// shown even at zero).
func (m *Metrics) count(ctx context.Context, db *store.DB, consumer string) {
	if m == nil {
		return
	}
	n, err := NewDeadLetters(db).Waiting(ctx)
	if err != nil {
		return // the next count will do; a consumer's own errors are logged where they happen
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.known[consumer] = true
	for c := range n {
		m.known[c] = true
	}
	for c := range m.known {
		m.waiting.WithLabelValues(c).Set(float64(n[c]))
	}
}
