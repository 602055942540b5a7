// Package callmetrics holds the call center's Prometheus series (package callcenter counts
// into them).
package callmetrics

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the call center's Prometheus series.
type Metrics struct {
	Attempts *prometheus.CounterVec // by direction and outcome
	Active   prometheus.Gauge
}

// New returns the series, registered with reg when it is not nil.
func New(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		Attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_call_attempts_total",
			Help: "Call attempts by direction and outcome."}, []string{"direction", "outcome"}),
		Active: prometheus.NewGauge(prometheus.GaugeOpts{Name: "wismo_calls_active", Help: "Calls in progress."}),
	}
	if reg != nil {
		reg.MustRegister(m.Attempts, m.Active)
	}
	return m
}
