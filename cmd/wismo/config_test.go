package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func parse(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := bindConfig(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return cfg, cfg.validate()
}

func TestConfigDefaults(t *testing.T) {
	t.Setenv("WISMO_HTTP_ADDR", "")
	cfg, err := parse(t, "-http-addr", "127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "./data" || cfg.SIPAddr != "127.0.0.1:5060" || cfg.PublicURL != "http://127.0.0.1:8080" || cfg.RTPPorts != "20000-29999" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestConfigEnvAndFlags(t *testing.T) {
	t.Setenv("WISMO_HTTP_ADDR", "127.0.0.1:9000")
	t.Setenv("WISMO_DATABASE_URL", "postgres://u:secret@db:5432/wismo")
	t.Setenv("WISMO_TRUNK_URI", "sip:trunk.example:5060")
	t.Setenv("WISMO_TRUNK_USER", "acct")
	t.Setenv("WISMO_TRUNK_PASSWORD", "trunk-secret")
	cfg, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:9000" || cfg.PublicURL != "http://127.0.0.1:9000" {
		t.Errorf("env not read: %+v", cfg)
	}
	if cfg, _ = parse(t, "-http-addr", "127.0.0.1:9001"); cfg.HTTPAddr != "127.0.0.1:9001" {
		t.Errorf("a flag must win over its variable")
	}
	for _, a := range cfg.logAttrs() {
		if s, ok := a.(string); ok && strings.Contains(s, "secret") {
			t.Errorf("the start-up log shows a secret: %q", s)
		}
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	tests := []struct {
		args  []string
		field string
	}{
		{[]string{"-http-addr", "8080"}, "WISMO_HTTP_ADDR"},
		{[]string{"-database-url", "mysql://x"}, "WISMO_DATABASE_URL"},
		{[]string{"-search-key", "k"}, "WISMO_SEARCH_KEY"},
		{[]string{"-search-url", "meili:7700"}, "WISMO_SEARCH_URL"},
		{[]string{"-rtp-ports", "30000-20000"}, "WISMO_RTP_PORTS"},
		{[]string{"-rtp-ports", "80-90"}, "WISMO_RTP_PORTS"},
		{[]string{"-tls-cert", "/x.pem"}, "WISMO_TLS_CERT/WISMO_TLS_KEY"},
		{[]string{"-ice-servers", "http://stun.example"}, "WISMO_ICE_SERVERS"},
		{[]string{"-public-url", "wismo.example"}, "WISMO_PUBLIC_URL"},
		{[]string{"-log-level", "loud"}, "WISMO_LOG_LEVEL"},
		{[]string{"-trunk-uri", "http://trunk"}, "WISMO_TRUNK_URI"},
		{[]string{"-trunk-uri", "sip:trunk.example:5060", "-trunk-user", "u"}, "WISMO_TRUNK_USER/WISMO_TRUNK_PASSWORD"},
		{[]string{"-trunk-user", "u", "-trunk-password", "p"}, "WISMO_TRUNK_USER"},
		{[]string{"-trunk-caller-id", "+7\r\nP-Asserted-Identity: <sip:evil@x>"}, "WISMO_TRUNK_CALLER_ID"},
		{[]string{"-track-cache", "soon"}, "WISMO_TRACK_CACHE"},
		{[]string{"-webrtc-ports", "40000"}, "WISMO_WEBRTC_PORTS"},
		{[]string{"-softphone-grace", "0s"}, "WISMO_SOFTPHONE_GRACE"},
		{[]string{"-wrapup-limit", "forever"}, "WISMO_WRAPUP_LIMIT"},
		{[]string{"-rtp-timeout", "0"}, "WISMO_RTP_TIMEOUT"},
		{[]string{"-track-cache", "-5s"}, "WISMO_TRACK_CACHE"},
		{[]string{"-debug-addr", "0.0.0.0:6060"}, "WISMO_DEBUG_ADDR"},
		{[]string{"-jobs", "dialer,mailer"}, "WISMO_JOBS"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parse(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.field+":") {
				t.Fatalf("error %v does not name %s", err, tt.field)
			}
		})
	}
}

// TestJobsSetting: WISMO_JOBS picks the background jobs a node runs (scale-out: API nodes
// run none).
func TestJobsSetting(t *testing.T) {
	for _, tt := range []struct {
		jobs string
		want []string
	}{
		{"all", jobNames},
		{"none", nil},
		{" comms-rules , dialer", []string{"comms-rules", "dialer"}},
	} {
		c, err := parse(t, "-jobs", tt.jobs)
		if err != nil {
			t.Fatalf("-jobs %q: %v", tt.jobs, err)
		}
		set, _ := c.jobSet()
		if len(set) != len(tt.want) {
			t.Errorf("-jobs %q runs %v, want %v", tt.jobs, set, tt.want)
		}
		for _, n := range tt.want {
			if !set[n] {
				t.Errorf("-jobs %q does not run %s", tt.jobs, n)
			}
		}
	}
	_, err := parse(t, "-jobs", "dialer,mailer")
	if err == nil || !strings.Contains(err.Error(), `unknown job "mailer"`) || !strings.Contains(err.Error(), "comms-rules") {
		t.Errorf("an unknown job: %v, want it named with the known ones", err)
	}
}
