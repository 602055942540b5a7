package main

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestInboundConfigErrorsNameTheField(t *testing.T) {
	tests := []struct {
		args  []string
		field string
	}{
		{[]string{"-sms-inbound-secret", "short"}, "WISMO_SMS_INBOUND_SECRET"},
		{[]string{"-mail-listen-addr", "mx.example"}, "WISMO_MAIL_LISTEN_ADDR"},
		{[]string{"-mail-tls-cert", "cert.pem"}, "WISMO_MAIL_TLS_CERT/WISMO_MAIL_TLS_KEY"},
		{[]string{"-mail-max-bytes", "50MB"}, "WISMO_MAIL_MAX_BYTES"},
		{[]string{"-mail-max-bytes", "500000000"}, "WISMO_MAIL_MAX_BYTES"},
		{[]string{"-mail-max-conns", "0"}, "WISMO_MAIL_MAX_CONNS"},
		{[]string{"-mail-max-conns-per-addr", "x"}, "WISMO_MAIL_MAX_CONNS_PER_ADDR"},
		{[]string{"-mail-rate", "-1"}, "WISMO_MAIL_RATE"},
		{[]string{"-mail-timeout", "1h"}, "WISMO_MAIL_TIMEOUT"},
		{[]string{"-mail-trusted-relays", "mx.relay.example"}, "WISMO_MAIL_TRUSTED_RELAYS"},
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

func TestInboundConfigOptions(t *testing.T) {
	cfg, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MailListenAddr != "" || cfg.SMSInboundSecret != "" {
		t.Errorf("inbound is on by default: %q %q", cfg.MailListenAddr, cfg.SMSInboundSecret)
	}
	cfg, err = parse(t, "-mail-listen-addr", "127.0.0.1:2525", "-mail-max-bytes", "1048576", "-mail-trusted-relays", "10.0.0.0/8, 192.0.2.7",
		"-mail-max-conns-per-addr", "3", "-mail-rate", "5", "-mail-timeout", "30s", "-sms-inbound-secret", "0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.mailOptions()
	if o.Addr != "127.0.0.1:2525" || o.MaxBytes != 1<<20 || o.Timeout != 30*time.Second || o.RatePerHour != 5 ||
		o.Limits.PerAddr != 3 || o.Limits.Total != 100 || len(o.TrustedRelays) != 2 {
		t.Fatalf("mail options %+v", o)
	}
	if !o.Limits.Exempt(netip.MustParseAddr("10.1.2.3")) || o.Limits.Exempt(netip.MustParseAddr("192.0.2.8")) {
		t.Error("trusted relays are not exempt from the per-address cap, or others are")
	}
}
