package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/throttle"
)

// validateWeb checks the HTTP listener's limits, the trusted proxies and the metrics token,
// naming the field of each problem through bad.
func (c *Config) validateWeb(bad func(field, format string, args ...any)) {
	if _, err := c.trustedProxies(); err != nil {
		bad("WISMO_TRUSTED_PROXIES", "%v", err)
	}
	for _, n := range []struct{ name, v string }{{"WISMO_HTTP_MAX_CONNS", c.HTTPMaxConns}, {"WISMO_HTTP_MAX_CONNS_PER_ADDR", c.HTTPMaxConnsPerAddr}} {
		if v, err := strconv.Atoi(n.v); err != nil || v < 1 || v > 1_000_000 {
			bad(n.name, "%q must be a number from 1 to 1000000", n.v)
		}
	}
	if d, err := time.ParseDuration(c.HTTPIdleTimeout); err != nil || d < time.Second || d > time.Hour {
		bad("WISMO_HTTP_IDLE_TIMEOUT", "%q must be a duration between 1s and 1h, such as 60s", c.HTTPIdleTimeout)
	}
	if t := c.MetricsToken; t != "" && (len(t) < 16 || strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r > '~' })) {
		bad("WISMO_METRICS_TOKEN", "must be at least 16 printable ASCII characters without spaces (a guessable token guards nothing)")
	}
}

// trustedProxies is WISMO_TRUSTED_PROXIES: addresses (one host each) and CIDR prefixes.
func (c *Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(c.TrustedProxies) {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix such as 10.0.0.0/8", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// httpLimits are the HTTP listener's connection caps (validated at start). Trusted proxies
// are exempt: everything they forward arrives from their few addresses.
func (c *Config) httpLimits() throttle.ConnLimits {
	total, _ := strconv.Atoi(c.HTTPMaxConns)
	perAddr, _ := strconv.Atoi(c.HTTPMaxConnsPerAddr)
	proxies, _ := c.trustedProxies()
	return throttle.ConnLimits{Total: total, PerAddr: perAddr, Exempt: func(a netip.Addr) bool {
		for _, p := range proxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}}
}

// httpIdleTimeout is WISMO_HTTP_IDLE_TIMEOUT (validated at start).
func (c *Config) httpIdleTimeout() time.Duration {
	d, _ := time.ParseDuration(c.HTTPIdleTimeout)
	return d
}
