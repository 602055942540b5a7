package main

import (
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"unicode"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/store"
)

// validateComms checks the SMSC, SMS provider and SMTP settings, naming the field of each
// problem through bad.
func (c *Config) validateComms(bad func(field, format string, args ...any)) {
	if c.SMPPAddr != "" {
		if _, port, err := net.SplitHostPort(c.SMPPAddr); err != nil || port == "" {
			bad("WISMO_SMPP_ADDR", "%q must be host:port, e.g. smsc.example.net:2775", c.SMPPAddr)
		}
		// SMPP 3.4 §4.1.1: system_id is a C-octet string of up to 16 octets, password of up to 9.
		if c.SMPPSystemID == "" || len(c.SMPPSystemID) > 15 {
			bad("WISMO_SMPP_SYSTEM_ID", "must be 1 to 15 characters when WISMO_SMPP_ADDR is set")
		}
		if len(c.SMPPPassword) > 8 {
			bad("WISMO_SMPP_PASSWORD", "must be at most 8 characters (SMPP 3.4)")
		}
	} else if c.SMPPSystemID != "" || c.SMPPPassword != "" {
		bad("WISMO_SMPP_SYSTEM_ID/WISMO_SMPP_PASSWORD", "are set but WISMO_SMPP_ADDR is empty")
	}
	if !validSender(c.SMPPSource) {
		bad("WISMO_SMPP_SOURCE_ADDR", "%q must be a short code, +E.164, or up to 11 letters and digits", c.SMPPSource)
	}
	if w, err := strconv.Atoi(c.SMPPWindow); err != nil || w < 1 || w > 100 {
		bad("WISMO_SMPP_WINDOW", "%q must be a number from 1 to 100", c.SMPPWindow)
	}
	if c.SMSHTTPURL != "" {
		if u, err := url.Parse(c.SMSHTTPURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("WISMO_SMS_HTTP_URL", "%q must be an http(s) URL", store.MaskURL(c.SMSHTTPURL))
		}
		if c.SMPPAddr != "" {
			bad("WISMO_SMS_HTTP_URL", "and WISMO_SMPP_ADDR are both set: SMS goes through one of them")
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			bad("WISMO_SMTP_URL", "%q must be smtp://user:pass@host:port (or smtps://)", store.MaskURL(c.SMTPURL))
		}
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			bad("WISMO_SMTP_FROM", "%q must be an email address, e.g. Shop <noreply@shop.example>", c.SMTPFrom)
		}
	} else if c.SMTPFrom != "" {
		bad("WISMO_SMTP_FROM", "is set but WISMO_SMTP_URL is empty")
	}
}

// validSender accepts a numeric short code or long number (optionally +E.164) or an
// alphanumeric sender id of up to 11 characters (GSM 03.40 §9.1.2.5).
func validSender(s string) bool {
	if s == "" {
		return false
	}
	digits, alnum := true, true
	for i, r := range s {
		if !(unicode.IsDigit(r) || i == 0 && r == '+') {
			digits = false
		}
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' || r == '.') {
			alnum = false
		}
	}
	return digits && len(s) <= 21 || alnum && len(s) <= 11
}

// commsLogAttrs are the communications settings for the start-up log, secrets masked.
func (c *Config) commsLogAttrs() []any {
	pw := ""
	if c.SMPPPassword != "" {
		pw = "xxxxx"
	}
	return []any{"smpp_addr", c.SMPPAddr, "smpp_system_id", c.SMPPSystemID, "smpp_password", pw, "smpp_source_addr", c.SMPPSource,
		"smpp_window", c.SMPPWindow, "sms_http_url", store.MaskURL(c.SMSHTTPURL), "smtp_url", store.MaskURL(c.SMTPURL), "smtp_from", c.SMTPFrom}
}

// dialerOptions are the channels the settings choose: SMPP, else the HTTP provider, else
// the log channel for SMS; SMTP, else the log channel for email.
func (c *Config) dialerOptions() dialer.Options {
	o := dialer.Options{PublicURL: c.PublicURL, SMSHTTP: c.SMSHTTPURL, SMTPURL: c.SMTPURL, SMTPFrom: c.SMTPFrom}
	if c.SMPPAddr != "" {
		w, _ := strconv.Atoi(c.SMPPWindow)
		o.SMPP = &smpp.Config{Addr: c.SMPPAddr, SystemID: c.SMPPSystemID, Password: c.SMPPPassword, SourceAddr: c.SMPPSource, Window: w}
		o.SMSHTTP = ""
	}
	return o
}
