package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/throttle"
)

// listenHTTP opens the portal's listener: connections beyond the caps (in total and per
// client address, WISMO_HTTP_MAX_CONNS*) are closed as soon as they are accepted, before any
// TLS handshake, and accept errors such as running out of file descriptors are retried
// instead of stopping the server (issue 13, defect 3). Idle and slow connections are closed
// by the HTTP server's own timeouts (portal.New). The caps are counted in reg.
func listenHTTP(cfg *Config, log *slog.Logger, reg prometheus.Registerer) (net.Listener, error) {
	inner, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (WISMO_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	ln := throttle.Listener(inner, cfg.httpLimits(), log.With("listener", "http"))
	if reg != nil {
		reg.MustRegister(listenerCollector{ln: ln, name: "http"})
	}
	if cfg.TLSCert == "" {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("WISMO_TLS_CERT/WISMO_TLS_KEY: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

// listenerCollector exports a limited listener's counts.
type listenerCollector struct {
	ln   *throttle.LimitedListener
	name string
}

var (
	connsOpenDesc    = prometheus.NewDesc("wismo_listener_connections_open", "Open connections counted against a listener's caps.", []string{"listener"}, nil)
	connsRefusedDesc = prometheus.NewDesc("wismo_listener_connections_refused_total", "Connections closed at accept because a cap was reached (total or per_addr).", []string{"listener", "cap"}, nil)
	acceptRetryDesc  = prometheus.NewDesc("wismo_listener_accept_retries_total", "Accepts that failed (out of file descriptors...) and were retried.", []string{"listener"}, nil)
)

func (c listenerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- connsOpenDesc
	ch <- connsRefusedDesc
	ch <- acceptRetryDesc
}

func (c listenerCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.ln.Stats()
	ch <- prometheus.MustNewConstMetric(connsOpenDesc, prometheus.GaugeValue, float64(s.Open), c.name)
	ch <- prometheus.MustNewConstMetric(connsRefusedDesc, prometheus.CounterValue, float64(s.RefusedTotal), c.name, "total")
	ch <- prometheus.MustNewConstMetric(connsRefusedDesc, prometheus.CounterValue, float64(s.RefusedAddr), c.name, "per_addr")
	ch <- prometheus.MustNewConstMetric(acceptRetryDesc, prometheus.CounterValue, float64(s.AcceptRetries), c.name)
}
