package main

import (
	"strconv"
	"time"

	"github.com/wismo/wismo/telephony"
)

// validateSIPLimits checks the SIP listener and registration limits, naming the field of
// each problem through bad.
func (c *Config) validateSIPLimits(bad func(field, format string, args ...any)) {
	if c.SIPTCPMaxConns != "auto" {
		if n, err := strconv.Atoi(c.SIPTCPMaxConns); err != nil || n < 1 || n > 1_000_000 {
			bad("WISMO_SIP_TCP_MAX_CONNS", "%q must be auto or a number from 1 to 1000000", c.SIPTCPMaxConns)
		}
	}
	if n, err := strconv.Atoi(c.SIPTCPMaxConnsPerAddr); err != nil || n < 0 || n > 1_000_000 {
		bad("WISMO_SIP_TCP_MAX_CONNS_PER_ADDR", "%q must be a number from 0 (no cap) to 1000000", c.SIPTCPMaxConnsPerAddr)
	}
	if d, err := time.ParseDuration(c.SIPTCPIdle); err != nil || d < time.Second || d > 24*time.Hour {
		bad("WISMO_SIP_TCP_IDLE", "%q must be a duration between 1s and 24h, such as 3m", c.SIPTCPIdle)
	}
	if d, err := time.ParseDuration(c.SIPAuthMaxWait); err != nil || d < time.Second || d > 24*time.Hour {
		bad("WISMO_SIP_AUTH_MAX_WAIT", "%q must be a duration between 1s and 24h, such as 5m", c.SIPAuthMaxWait)
	}
}

// sipTCPLimits are the SIP TCP listener's limits (validated at start; auto is 0, which
// telephony turns into telephony.DefaultMaxConns).
func (c *Config) sipTCPLimits() telephony.TCPLimits {
	var l telephony.TCPLimits
	l.MaxConns, _ = strconv.Atoi(c.SIPTCPMaxConns)
	l.MaxConnsPerAddr, _ = strconv.Atoi(c.SIPTCPMaxConnsPerAddr)
	l.Idle, _ = time.ParseDuration(c.SIPTCPIdle)
	return l
}

// sipAuthMaxWait is WISMO_SIP_AUTH_MAX_WAIT (validated at start).
func (c *Config) sipAuthMaxWait() time.Duration {
	d, _ := time.ParseDuration(c.SIPAuthMaxWait)
	return d
}
