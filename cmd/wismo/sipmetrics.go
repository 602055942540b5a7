package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/telephony"
)

// registerSIPMetrics exports the SIP endpoint's counts on /metrics: registrations and the
// failed, throttled and replayed ones (issue 13, defects 5 and 6), and the TCP listener's
// connections and refusals (defect 3). The TCP counts start over when the listener is bound
// again after a failure (Prometheus reads that as a counter reset).
func registerSIPMetrics(reg *prometheus.Registry, eng *telephony.Endpoint) {
	counter := func(name, help string, read func(telephony.Stats) float64, labels prometheus.Labels) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return read(eng.Stats()) })
	}
	reg.MustRegister(
		counter("wismo_sip_registrations_total", "REGISTERs accepted.",
			func(s telephony.Stats) float64 { return float64(s.Register.Registered) }, nil),
		counter("wismo_sip_register_failures_total", "REGISTERs with a wrong secret or an unknown account, answering one of our challenges.",
			func(s telephony.Stats) float64 { return float64(s.Register.Failures) }, nil),
		counter("wismo_sip_register_throttled_total", "REGISTERs refused with 503 and Retry-After because their account or address must wait after failures.",
			func(s telephony.Stats) float64 { return float64(s.Register.Throttled) }, nil),
		counter("wismo_sip_register_replays_total", "REGISTERs refused because their nonce and nc were used before (a replayed Authorization).",
			func(s telephony.Stats) float64 { return float64(s.Register.Replays) }, nil),
		counter("wismo_sip_tcp_refused_total", "SIP TCP connections closed at accept because a cap was reached.",
			func(s telephony.Stats) float64 { return float64(s.TCP.RefusedTotal) }, prometheus.Labels{"cap": "total"}),
		counter("wismo_sip_tcp_refused_total", "SIP TCP connections closed at accept because a cap was reached.",
			func(s telephony.Stats) float64 { return float64(s.TCP.RefusedAddr) }, prometheus.Labels{"cap": "per_address"}),
		counter("wismo_sip_tcp_accept_retries_total", "SIP TCP accepts that failed (out of file descriptors...) and were retried.",
			func(s telephony.Stats) float64 { return float64(s.TCP.AcceptRetries) }, nil),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "wismo_sip_tcp_connections", Help: "SIP TCP connections open, trunk and registered phones not counted."},
			func() float64 { return float64(eng.Stats().TCP.Open) }),
	)
}
