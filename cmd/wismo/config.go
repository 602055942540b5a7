package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony/sipuser"
)

// Config is every setting of wismo, read once from flags and WISMO_* variables (a flag wins
// over its variable), validated, and passed down.
type Config struct {
	DataDir       string
	HTTPAddr      string
	DebugAddr     string
	SIPAddr       string
	DatabaseURL   string
	SearchURL     string
	SearchKey     string
	PublicURL     string
	Demo          bool
	DemoParcels   int
	SIPPublicAddr string
	RTPPorts      string
	ICEServers    string
	TLSCert       string
	TLSKey        string
	// Telephony (issue 3): the SIP trunk outbound calls to phone numbers go through.
	TrunkURI      string
	TrunkUser     string
	TrunkPassword string
	TrunkCallerID string
	SIPRealm      string
	SMPPAddr      string // communications (issue 5): SMSC, SMS HTTP provider, SMTP; see commsconfig.go
	SMPPSystemID  string
	SMPPPassword  string
	SMPPSource    string
	SMPPWindow    string
	SMSHTTPURL    string
	SMTPURL       string
	SMTPFrom      string
	LogLevel      string
	LogFormat     string
	// TrackCache is how long a node serves a rendered public tracking page at most ("10m";
	// "0" renders every view); a parcel's change drops its pages sooner.
	TrackCache string
	// The browser softphone: UDP ports for its media, how long a call waits for a reloaded
	// page, and how long an agent may stay in wrap-up.
	WebRTCPorts    string
	SoftphoneGrace string
	WrapUpLimit    string
	// RTPTimeout ends a call whose far end has sent no RTP for this long.
	RTPTimeout string
	// The HTTP listener and the web's trust (webconfig.go): reverse proxies whose
	// X-Forwarded-For is believed, connection caps, the keep-alive idle timeout, and the
	// token /metrics asks for.
	TrustedProxies      string
	HTTPMaxConns        string
	HTTPMaxConnsPerAddr string
	HTTPIdleTimeout     string
	MetricsToken        string
	// Jobs are the background jobs this node runs: "all", "none" or a comma-separated list
	// of jobNames (scale-out: API nodes with none, one worker node with the rest).
	Jobs string
	// SIP listener and registration limits (issue 13; sipconfig.go).
	SIPTCPMaxConns        string
	SIPTCPMaxConnsPerAddr string
	SIPTCPIdle            string
	SIPAuthMaxWait        string
	// OutboxMaxAttempts is how many failed attempts set an outbox message aside as a dead
	// letter (package outbox, docs/security.md "Poison messages").
	OutboxMaxAttempts string
	// The demo carrier (demo mode without a trunk; democarrier.go): where it listens and how
	// often its demo customers call the demo hotline.
	DemoCarrierAddr string
	DemoCalls       string
	// Customers writing back (inboundconfig.go): the HTTP SMS provider's secret and the
	// SMTP listener for customers' e-mail.
	SMSInboundSecret    string
	MailListenAddr      string
	MailDomain          string
	MailTLSCert         string
	MailTLSKey          string
	MailMaxBytes        string
	MailMaxConns        string
	MailMaxConnsPerAddr string
	MailTimeout         string
	MailTrustedRelays   string
	MailRate            string
	// The hotline's self-service throttle (hotlineconfig.go).
	HotlineLookupsPerNumber, HotlineLookups string
	// Compact storage of recordings (recordingstorage.go).
	Recordings RecordingsConfig
	// The speech engine that transcribes recordings (speechconfig.go).
	SpeechEngine      string
	SpeechURL         string
	SpeechKey         string
	SpeechModel       string
	SpeechTimeout     string
	SpeechMaxBytes    string
	SpeechConcurrency string
}

// setting binds one flag to its environment variable.
type setting struct {
	flag, env, def, help string
	dst                  *string
}

func (c *Config) settings() []setting {
	return append([]setting{
		{"data-dir", "WISMO_DATA_DIR", "./data", "SQLite file, recordings, announcements", &c.DataDir},
		{"http-addr", "WISMO_HTTP_ADDR", "127.0.0.1:8080", "portal and API listen address", &c.HTTPAddr},
		{"debug-addr", "WISMO_DEBUG_ADDR", "", "Go profiler (net/http/pprof) listen address, loopback only; empty = off", &c.DebugAddr},
		{"sip-addr", "WISMO_SIP_ADDR", "127.0.0.1:5060", "SIP listen address (UDP and TCP)", &c.SIPAddr},
		{"database-url", "WISMO_DATABASE_URL", "", "postgres://... for PostgreSQL; empty = SQLite in the data dir", &c.DatabaseURL},
		{"search-url", "WISMO_SEARCH_URL", "", "Meilisearch URL; empty = embedded search", &c.SearchURL},
		{"search-key", "WISMO_SEARCH_KEY", "", "Meilisearch API key", &c.SearchKey},
		{"public-url", "WISMO_PUBLIC_URL", "", "base of links in messages; default http://<http-addr>", &c.PublicURL},
		{"sip-public-addr", "WISMO_SIP_PUBLIC_ADDR", "", "host:port advertised in Contact and SDP behind NAT", &c.SIPPublicAddr},
		{"rtp-ports", "WISMO_RTP_PORTS", "20000-29999", "UDP port range for RTP", &c.RTPPorts},
		{"ice-servers", "WISMO_ICE_SERVERS", "", "comma-separated STUN/TURN URLs for agents' browsers", &c.ICEServers},
		{"track-cache", "WISMO_TRACK_CACHE", "10m", "how long a node serves a rendered tracking page at most (a change to the parcel drops it sooner); 0 = render every view", &c.TrackCache},
		{"rtp-timeout", "WISMO_RTP_TIMEOUT", "30s", "a call whose far end sends no RTP for this long is ended, unless it holds the call (a vanished phone)", &c.RTPTimeout},
		{"webrtc-ports", "WISMO_WEBRTC_PORTS", "", "UDP port range for the browser softphone's media (LOW-HIGH; empty = any)", &c.WebRTCPorts},
		{"softphone-grace", "WISMO_SOFTPHONE_GRACE", "20s", "how long a call waits for an agent's reloaded or reconnecting page", &c.SoftphoneGrace},
		{"wrapup-limit", "WISMO_WRAPUP_LIMIT", "2m", "how long an agent may stay in wrap-up before becoming available again", &c.WrapUpLimit},
		{"tls-cert", "WISMO_TLS_CERT", "", "TLS certificate file (HTTPS)", &c.TLSCert},
		{"tls-key", "WISMO_TLS_KEY", "", "TLS key file (HTTPS)", &c.TLSKey},
		{"trunk-uri", "WISMO_TRUNK_URI", "", "SIP trunk (proxy) for calls to phone numbers, e.g. sip:sip.example.net:5060; empty = none", &c.TrunkURI},
		{"trunk-user", "WISMO_TRUNK_USER", "", "digest username at the trunk", &c.TrunkUser},
		{"trunk-password", "WISMO_TRUNK_PASSWORD", "", "digest password at the trunk", &c.TrunkPassword},
		{"trunk-caller-id", "WISMO_TRUNK_CALLER_ID", "", "default caller id (From user) on the trunk; brands may set their own", &c.TrunkCallerID},
		{"sip-realm", "WISMO_SIP_REALM", "wismo", "digest realm agents' SIP phones register in", &c.SIPRealm},
		{"sip-tcp-max-conns", "WISMO_SIP_TCP_MAX_CONNS", "auto", "SIP TCP connections open at once, trunk and registered phones not counted; auto = a quarter of the file limit, at most 1024", &c.SIPTCPMaxConns},
		{"sip-tcp-max-conns-per-addr", "WISMO_SIP_TCP_MAX_CONNS_PER_ADDR", "32", "SIP TCP connections from one source address (trunk and registered phones exempt); 0 = no cap", &c.SIPTCPMaxConnsPerAddr},
		{"sip-tcp-idle", "WISMO_SIP_TCP_IDLE", "3m", "a SIP TCP connection that sends nothing (not even a CRLF keep-alive) for this long is closed", &c.SIPTCPIdle},
		{"sip-auth-max-wait", "WISMO_SIP_AUTH_MAX_WAIT", "5m", "cap of the wait failed REGISTERs earn an account and address", &c.SIPAuthMaxWait},
		{"smpp-addr", "WISMO_SMPP_ADDR", "", "SMSC host:port for SMS over SMPP 3.4; empty = log-only SMS", &c.SMPPAddr},
		{"smpp-system-id", "WISMO_SMPP_SYSTEM_ID", "", "SMPP system_id to bind with", &c.SMPPSystemID},
		{"smpp-password", "WISMO_SMPP_PASSWORD", "", "SMPP password", &c.SMPPPassword},
		{"smpp-source-addr", "WISMO_SMPP_SOURCE_ADDR", "WISMO", "SMS sender: short code, +E.164 or alphanumeric (up to 11)", &c.SMPPSource},
		{"smpp-window", "WISMO_SMPP_WINDOW", "10", "submit_sm awaiting their response at once (1-100)", &c.SMPPWindow},
		{"sms-http-url", "WISMO_SMS_HTTP_URL", "", "SMS provider URL to POST JSON to (instead of SMPP)", &c.SMSHTTPURL},
		{"smtp-url", "WISMO_SMTP_URL", "", "smtp://user:pass@host:port for email; empty = log-only email", &c.SMTPURL},
		{"smtp-from", "WISMO_SMTP_FROM", "", "From address of emails, e.g. Shop <noreply@shop.example>", &c.SMTPFrom},
		{"trusted-proxies", "WISMO_TRUSTED_PROXIES", "", "reverse proxies (comma-separated IPs or CIDRs) whose X-Forwarded-For names the client; empty = none", &c.TrustedProxies},
		{"http-max-conns", "WISMO_HTTP_MAX_CONNS", "4096", "open HTTP connections at most (trusted proxies not counted)", &c.HTTPMaxConns},
		{"http-max-conns-per-addr", "WISMO_HTTP_MAX_CONNS_PER_ADDR", "256", "open HTTP connections from one client address at most", &c.HTTPMaxConnsPerAddr},
		{"http-idle-timeout", "WISMO_HTTP_IDLE_TIMEOUT", "60s", "an idle keep-alive HTTP connection is closed after this long", &c.HTTPIdleTimeout},
		{"metrics-token", "WISMO_METRICS_TOKEN", "", "Bearer token /metrics asks for; empty = /metrics answers this machine (loopback) only", &c.MetricsToken},
		{"outbox-max-attempts", "WISMO_OUTBOX_MAX_ATTEMPTS", "3", "failed attempts (errors, panics, the process killed) after which an outbox message is set aside as a dead letter (1-100)", &c.OutboxMaxAttempts},
		{"demo-carrier-addr", "WISMO_DEMO_CARRIER_ADDR", "127.0.0.1:0", "demo mode without WISMO_TRUNK_URI: loopback host:port of the demo carrier the trunk points at (port 0 = a free one)", &c.DemoCarrierAddr},
		{"demo-calls", "WISMO_DEMO_CALLS", "2m", "demo mode without WISMO_TRUNK_URI: a demo customer calls the demo hotline this often while an agent is free; off = never", &c.DemoCalls},
		{"jobs", "WISMO_JOBS", "all", "background jobs this node runs: all, none, or a comma-separated list of " + strings.Join(jobNames, ", "), &c.Jobs},
		{"log-level", "WISMO_LOG_LEVEL", "info", "debug, info, warn or error", &c.LogLevel},
		{"log-format", "WISMO_LOG_FORMAT", "text", "text or json", &c.LogFormat},
	}, append(append(c.inboundSettings(), c.speechSettings()...), append(c.hotlineSettings(), c.recordingSettings()...)...)...)
}

// bindConfig registers the config's flags on fs with defaults taken from the environment.
func bindConfig(fs *flag.FlagSet) *Config {
	c := &Config{}
	for _, s := range c.settings() {
		def := s.def
		if v, ok := os.LookupEnv(s.env); ok {
			def = v
		}
		fs.StringVar(s.dst, s.flag, def, s.help+" ($"+s.env+")")
	}
	demo := envBool("WISMO_DEMO")
	fs.BoolVar(&c.Demo, "demo", demo, "load demo data into an empty database ($WISMO_DEMO)")
	parcels := 2000
	if v, err := strconv.Atoi(os.Getenv("WISMO_DEMO_PARCELS")); err == nil {
		parcels = v
	}
	fs.IntVar(&c.DemoParcels, "demo-parcels", parcels, "how many demo parcels --demo loads ($WISMO_DEMO_PARCELS)")
	return c
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

// validate checks every setting and the contradictions between them, naming the field.
func (c *Config) validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	c.validateNetwork(bad)
	c.validateTelephony(bad)
	c.validateJobs(bad)
	c.validateComms(bad)
	c.validateSIPLimits(bad)
	c.validateDemoCarrier(bad)
	c.validateWeb(bad)
	c.validateInbound(bad)
	c.validateHotline(bad)
	c.validateRecordings(bad)
	c.validateSpeech(bad)
	if _, err := parseLevel(c.LogLevel); err != nil {
		bad("WISMO_LOG_LEVEL", "%v", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("WISMO_LOG_FORMAT", "must be text or json")
	}
	if c.DemoParcels < 0 || c.DemoParcels > 5_000_000 {
		bad("WISMO_DEMO_PARCELS", "must be between 0 and 5000000")
	}
	if c.PublicURL == "" {
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		c.PublicURL = scheme + "://" + c.HTTPAddr
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	return errors.Join(errs...)
}

// validateNetwork checks where wismo listens, what it connects to and its TLS files.
func (c *Config) validateNetwork(bad func(field, format string, args ...any)) {
	if c.DataDir == "" {
		bad("WISMO_DATA_DIR", "must not be empty")
	}
	for _, a := range []struct{ name, v string }{{"WISMO_HTTP_ADDR", c.HTTPAddr}, {"WISMO_SIP_ADDR", c.SIPAddr}} {
		if _, port, err := net.SplitHostPort(a.v); err != nil || port == "" {
			bad(a.name, "%q must be host:port, e.g. 127.0.0.1:8080", a.v)
		}
	}
	if c.DebugAddr != "" {
		if host, _, err := net.SplitHostPort(c.DebugAddr); err != nil || !net.ParseIP(host).IsLoopback() {
			bad("WISMO_DEBUG_ADDR", "%q must be a loopback host:port, e.g. 127.0.0.1:6060: the profiler must not be reachable from the network", c.DebugAddr)
		}
	}
	if c.SIPPublicAddr != "" {
		if _, _, err := net.SplitHostPort(c.SIPPublicAddr); err != nil {
			bad("WISMO_SIP_PUBLIC_ADDR", "%q must be host:port", c.SIPPublicAddr)
		}
	}
	if u := c.DatabaseURL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") &&
		!strings.HasPrefix(u, "sqlite:") && !strings.HasPrefix(u, "file:") {
		bad("WISMO_DATABASE_URL", "must start with postgres://, postgresql:// or sqlite:")
	}
	if c.SearchURL != "" {
		if u, err := url.Parse(c.SearchURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("WISMO_SEARCH_URL", "%q must be an http(s) URL", c.SearchURL)
		}
	}
	if c.SearchKey != "" && c.SearchURL == "" {
		bad("WISMO_SEARCH_KEY", "is set but WISMO_SEARCH_URL is empty")
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("WISMO_PUBLIC_URL", "%q must be an http(s) URL", c.PublicURL)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("WISMO_TLS_CERT/WISMO_TLS_KEY", "give both or neither")
	}
	for _, f := range []struct{ name, v string }{{"WISMO_TLS_CERT", c.TLSCert}, {"WISMO_TLS_KEY", c.TLSKey}} {
		if f.v != "" {
			if _, err := os.Stat(f.v); err != nil {
				bad(f.name, "cannot read %s: %v", f.v, err)
			}
		}
	}
}

// validateTelephony checks the SIP, RTP and softphone settings.
func (c *Config) validateTelephony(bad func(field, format string, args ...any)) {
	if lo, hi, err := parsePortRange(c.RTPPorts); err != nil {
		bad("WISMO_RTP_PORTS", "%v", err)
	} else if hi-lo < 1 {
		bad("WISMO_RTP_PORTS", "range %q holds no RTP/RTCP pair", c.RTPPorts)
	}
	for _, s := range splitList(c.ICEServers) {
		if !strings.HasPrefix(s, "stun:") && !strings.HasPrefix(s, "turn:") && !strings.HasPrefix(s, "turns:") {
			bad("WISMO_ICE_SERVERS", "%q must be a stun:, turn: or turns: URL", s)
		}
	}
	if c.TrunkURI != "" {
		if u, err := url.Parse(c.TrunkURI); err != nil || (u.Scheme != "sip" && u.Scheme != "sips") || u.Opaque == "" {
			bad("WISMO_TRUNK_URI", "%q must be a SIP URI such as sip:sip.example.net:5060", c.TrunkURI)
		}
	}
	if (c.TrunkUser == "") != (c.TrunkPassword == "") {
		bad("WISMO_TRUNK_USER/WISMO_TRUNK_PASSWORD", "give both or neither")
	}
	if c.TrunkUser != "" && c.TrunkURI == "" {
		bad("WISMO_TRUNK_USER", "is set but WISMO_TRUNK_URI is empty")
	}
	if c.TrunkCallerID != "" {
		if err := sipuser.CheckCallerID(c.TrunkCallerID); err != nil {
			bad("WISMO_TRUNK_CALLER_ID", "%v", err)
		}
	}
	if c.SIPRealm == "" || strings.ContainsAny(c.SIPRealm, "\"\\") {
		bad("WISMO_SIP_REALM", "must be a non-empty token without quotes")
	}
	if c.WebRTCPorts != "" {
		if _, _, err := parsePortRange(c.WebRTCPorts); err != nil {
			bad("WISMO_WEBRTC_PORTS", "%v", err)
		}
	}
	for _, d := range []struct{ name, v string }{{"WISMO_SOFTPHONE_GRACE", c.SoftphoneGrace}, {"WISMO_WRAPUP_LIMIT", c.WrapUpLimit}, {"WISMO_RTP_TIMEOUT", c.RTPTimeout}} {
		if v, err := time.ParseDuration(d.v); err != nil || v < time.Second || v > time.Hour {
			bad(d.name, "%q must be a duration between 1s and 1h, such as 20s or 2m", d.v)
		}
	}
}

// validateJobs checks which background jobs run and how they treat failures.
func (c *Config) validateJobs(bad func(field, format string, args ...any)) {
	if _, err := c.jobSet(); err != nil {
		bad("WISMO_JOBS", "%v", err)
	}
	if _, err := c.outboxMaxAttempts(); err != nil {
		bad("WISMO_OUTBOX_MAX_ATTEMPTS", "%v", err)
	}
	if _, err := c.trackPageAge(); err != nil {
		bad("WISMO_TRACK_CACHE", "%v", err)
	}
}

func parsePortRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || lo > hi {
		return 0, 0, fmt.Errorf("%q must be LOW-HIGH within 1024-65535", s)
	}
	return lo, hi, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// logValue lists the settings for the start-up log, with secrets masked.
func (c *Config) logAttrs() []any {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "xxxxx"
	}
	return append([]any{"data_dir", c.DataDir, "http_addr", c.HTTPAddr, "sip_addr", c.SIPAddr,
		"database", store.MaskURL(c.DatabaseURL), "search_url", store.MaskURL(c.SearchURL), "search_key", mask(c.SearchKey),
		"public_url", c.PublicURL, "rtp_ports", c.RTPPorts, "ice_servers", c.ICEServers, "tls", c.TLSCert != "", "demo", c.Demo,
		"trunk_uri", c.TrunkURI, "trunk_user", c.TrunkUser, "trunk_password", mask(c.TrunkPassword), "sip_realm", c.SIPRealm,
		"trusted_proxies", c.TrustedProxies, "metrics_token", mask(c.MetricsToken)}, c.commsLogAttrs()...)
}

func (c *Config) newLogger() *slog.Logger {
	lvl, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// jobNames are the background jobs of wismo serve, for WISMO_JOBS.
var jobNames = []string{"sip", "case-sla-sweep", "case-escalation-webhooks", "search-meilisearch-feed",
	"comms-rules", "dialer", "tracking-page-cache", "mail-listener", "eta-refresh", "parcel-updates", "elapsed-rules", "talk-analytics",
	"review-sampling", "recording-compact", "recording-retention", "transcripts"}

// jobSet is WISMO_JOBS as the set of jobs to run.
func (c *Config) jobSet() (map[string]bool, error) {
	set := map[string]bool{}
	switch v := strings.TrimSpace(c.Jobs); v {
	case "all", "":
		for _, n := range jobNames {
			set[n] = true
		}
		return set, nil
	case "none":
		return set, nil
	default:
		for _, n := range strings.Split(v, ",") {
			n = strings.TrimSpace(n)
			if !slices.Contains(jobNames, n) {
				return nil, fmt.Errorf("unknown job %q: want all, none, or some of %s", n, strings.Join(jobNames, ", "))
			}
			set[n] = true
		}
		return set, nil
	}
}

// outboxMaxAttempts is WISMO_OUTBOX_MAX_ATTEMPTS.
func (c *Config) outboxMaxAttempts() (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(c.OutboxMaxAttempts))
	if err != nil || n < 1 || n > 100 {
		return 0, fmt.Errorf("%q must be a whole number from 1 to 100", c.OutboxMaxAttempts)
	}
	return n, nil
}

// trackPageAge is WISMO_TRACK_CACHE: 0 turns the page cache off.
func (c *Config) trackPageAge() (time.Duration, error) {
	if c.TrackCache == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.TrackCache)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q must be a duration such as 10m, or 0 to render every view", c.TrackCache)
	case d < 0 || d > time.Hour:
		return 0, fmt.Errorf("%q must be between 0 and 1h", c.TrackCache)
	}
	return d, nil
}

// softphone is the browser softphone's part of the settings (validated at start).
func (c *Config) softphone() callcenter.SoftphoneConfig {
	sc := callcenter.SoftphoneConfig{ICEServers: splitList(c.ICEServers)}
	sc.ReconnectGrace, _ = time.ParseDuration(c.SoftphoneGrace)
	sc.WrapUpLimit, _ = time.ParseDuration(c.WrapUpLimit)
	if lo, hi, err := parsePortRange(c.WebRTCPorts); c.WebRTCPorts != "" && err == nil {
		sc.PortMin, sc.PortMax = uint16(lo), uint16(hi)
	}
	return sc
}
