package main

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/wismo/wismo/inbound/mailin"
	"github.com/wismo/wismo/throttle"
)

// inboundSettings are the settings of customers writing back (package inbound): the HTTP SMS
// provider's shared secret and the SMTP listener (docs/security.md "Inbound mail").
func (c *Config) inboundSettings() []setting {
	return []setting{
		{"sms-inbound-secret", "WISMO_SMS_INBOUND_SECRET", "", "shared secret the HTTP SMS provider signs POST /api/v1/sms/inbound with (X-Wismo-Signature); empty = the route is off", &c.SMSInboundSecret},
		{"mail-listen-addr", "WISMO_MAIL_LISTEN_ADDR", "", "SMTP listener for customers' e-mail (host:port, e.g. 0.0.0.0:25 behind the MX); empty = off", &c.MailListenAddr},
		{"mail-domain", "WISMO_MAIL_DOMAIN", "localhost", "the host name the SMTP listener greets with", &c.MailDomain},
		{"mail-tls-cert", "WISMO_MAIL_TLS_CERT", "", "certificate file for STARTTLS on the SMTP listener; empty = no STARTTLS", &c.MailTLSCert},
		{"mail-tls-key", "WISMO_MAIL_TLS_KEY", "", "key file for STARTTLS on the SMTP listener", &c.MailTLSKey},
		{"mail-max-bytes", "WISMO_MAIL_MAX_BYTES", "26214400", "largest message the SMTP listener takes, in bytes (larger: 552 at DATA)", &c.MailMaxBytes},
		{"mail-max-conns", "WISMO_MAIL_MAX_CONNS", "100", "SMTP connections open at once", &c.MailMaxConns},
		{"mail-max-conns-per-addr", "WISMO_MAIL_MAX_CONNS_PER_ADDR", "10", "SMTP connections from one address at once (trusted relays exempt)", &c.MailMaxConnsPerAddr},
		{"mail-timeout", "WISMO_MAIL_TIMEOUT", "60s", "an SMTP connection silent for this long (a read or a write) is closed", &c.MailTimeout},
		{"mail-trusted-relays", "WISMO_MAIL_TRUSTED_RELAYS", "", "relays (IPs or CIDRs) whose Authentication-Results header is believed; empty = none", &c.MailTrustedRelays},
		{"mail-rate", "WISMO_MAIL_RATE", "20", "messages one sender address may send in an hour before the rest are refused (4xx)", &c.MailRate},
	}
}

// validateInbound checks the inbound settings, naming the field of each problem.
func (c *Config) validateInbound(bad func(field, format string, args ...any)) {
	if s := c.SMSInboundSecret; s != "" && len(s) < 16 {
		bad("WISMO_SMS_INBOUND_SECRET", "must be at least 16 characters (a guessable secret lets anyone write on cases)")
	}
	if c.MailListenAddr != "" {
		if _, port, err := net.SplitHostPort(c.MailListenAddr); err != nil || port == "" {
			bad("WISMO_MAIL_LISTEN_ADDR", "%q must be host:port, e.g. 127.0.0.1:2525", c.MailListenAddr)
		}
	}
	if (c.MailTLSCert == "") != (c.MailTLSKey == "") {
		bad("WISMO_MAIL_TLS_CERT/WISMO_MAIL_TLS_KEY", "are set together or not at all")
	}
	if v, err := strconv.ParseInt(c.MailMaxBytes, 10, 64); err != nil || v < 1<<10 || v > 200<<20 {
		bad("WISMO_MAIL_MAX_BYTES", "%q must be a number of bytes from 1024 to 209715200", c.MailMaxBytes)
	}
	for _, n := range []struct{ name, v string }{{"WISMO_MAIL_MAX_CONNS", c.MailMaxConns}, {"WISMO_MAIL_MAX_CONNS_PER_ADDR", c.MailMaxConnsPerAddr},
		{"WISMO_MAIL_RATE", c.MailRate}} {
		if v, err := strconv.Atoi(n.v); err != nil || v < 1 || v > 100_000 {
			bad(n.name, "%q must be a number from 1 to 100000", n.v)
		}
	}
	if d, err := time.ParseDuration(c.MailTimeout); err != nil || d < time.Second || d > 10*time.Minute {
		bad("WISMO_MAIL_TIMEOUT", "%q must be a duration between 1s and 10m, such as 60s", c.MailTimeout)
	}
	if _, err := parsePrefixes(c.MailTrustedRelays); err != nil {
		bad("WISMO_MAIL_TRUSTED_RELAYS", "%v", err)
	}
}

// parsePrefixes reads a comma-separated list of IPs and CIDR prefixes.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range splitList(s) {
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix such as 10.0.0.0/8", v)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// mailOptions are the SMTP listener's settings (validated at start).
func (c *Config) mailOptions() mailin.Options {
	maxBytes, _ := strconv.ParseInt(c.MailMaxBytes, 10, 64)
	total, _ := strconv.Atoi(c.MailMaxConns)
	perAddr, _ := strconv.Atoi(c.MailMaxConnsPerAddr)
	rate, _ := strconv.Atoi(c.MailRate)
	timeout, _ := time.ParseDuration(c.MailTimeout)
	relays, _ := parsePrefixes(c.MailTrustedRelays)
	return mailin.Options{Addr: c.MailListenAddr, Domain: c.MailDomain, TLSCert: c.MailTLSCert, TLSKey: c.MailTLSKey,
		MaxBytes: maxBytes, Timeout: timeout, RatePerHour: rate, TrustedRelays: relays,
		Limits: throttle.ConnLimits{Total: total, PerAddr: perAddr, Exempt: func(a netip.Addr) bool {
			for _, p := range relays {
				if p.Contains(a) {
					return true
				}
			}
			return false
		}}}
}
