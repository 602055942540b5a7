package main

import (
	"strings"
	"testing"
)

func TestCommsConfigErrorsNameTheField(t *testing.T) {
	tests := []struct {
		args  []string
		field string
	}{
		{[]string{"-smpp-addr", "smsc"}, "WISMO_SMPP_ADDR"},
		{[]string{"-smpp-addr", "127.0.0.1:2775"}, "WISMO_SMPP_SYSTEM_ID"},
		{[]string{"-smpp-addr", "127.0.0.1:2775", "-smpp-system-id", "w", "-smpp-password", "much-too-long"}, "WISMO_SMPP_PASSWORD"},
		{[]string{"-smpp-system-id", "w"}, "WISMO_SMPP_SYSTEM_ID/WISMO_SMPP_PASSWORD"},
		{[]string{"-smpp-source-addr", "A very long sender name"}, "WISMO_SMPP_SOURCE_ADDR"},
		{[]string{"-smpp-window", "0"}, "WISMO_SMPP_WINDOW"},
		{[]string{"-sms-http-url", "sms.example/send"}, "WISMO_SMS_HTTP_URL"},
		{[]string{"-sms-http-url", "https://sms.example/send", "-smpp-addr", "127.0.0.1:2775", "-smpp-system-id", "w"}, "WISMO_SMS_HTTP_URL"},
		{[]string{"-smtp-url", "mail.example:25", "-smtp-from", "a@b.example"}, "WISMO_SMTP_URL"},
		{[]string{"-smtp-url", "smtp://mail.example:25"}, "WISMO_SMTP_FROM"},
		{[]string{"-smtp-from", "a@b.example"}, "WISMO_SMTP_FROM"},
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

func TestCommsConfigMasksSecrets(t *testing.T) {
	cfg, err := parse(t, "-smpp-addr", "127.0.0.1:2775", "-smpp-system-id", "wismo", "-smpp-password", "s3cret",
		"-smtp-url", "smtp://mailer:m41l-s3cret@127.0.0.1:2525", "-smtp-from", "Shop <noreply@shop.example>",
		"-smpp-source-addr", "SHOP")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.logAttrs() {
		if s, ok := a.(string); ok && (strings.Contains(s, "s3cret") || strings.Contains(s, "m41l")) {
			t.Errorf("the start-up log shows a secret: %q", s)
		}
	}
	o := cfg.dialerOptions()
	if o.SMPP == nil || o.SMPP.Window != 10 || o.SMPP.SourceAddr != "SHOP" || o.SMTPURL == "" {
		t.Fatalf("dialer options %+v", o)
	}
}
