package main

import (
	"strings"
	"testing"
	"time"
)

func TestSIPLimitSettings(t *testing.T) {
	cfg, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.sipTCPLimits(); l.MaxConns != 0 || l.MaxConnsPerAddr != 32 || l.Idle != 3*time.Minute || cfg.sipAuthMaxWait() != 5*time.Minute {
		t.Fatalf("defaults: %+v, auth wait %v (auto is 0: telephony picks it from the file limit)", l, cfg.sipAuthMaxWait())
	}
	cfg, err = parse(t, "-sip-tcp-max-conns", "500", "-sip-tcp-max-conns-per-addr", "0", "-sip-tcp-idle", "90s", "-sip-auth-max-wait", "1m")
	if l := cfg.sipTCPLimits(); err != nil || l.MaxConns != 500 || l.MaxConnsPerAddr != 0 || l.Idle != 90*time.Second || cfg.sipAuthMaxWait() != time.Minute {
		t.Fatalf("set: %+v %v", l, err)
	}
	for _, tc := range []struct{ flag, value, field string }{
		{"-sip-tcp-max-conns", "0", "WISMO_SIP_TCP_MAX_CONNS"},
		{"-sip-tcp-max-conns", "lots", "WISMO_SIP_TCP_MAX_CONNS"},
		{"-sip-tcp-max-conns-per-addr", "-1", "WISMO_SIP_TCP_MAX_CONNS_PER_ADDR"},
		{"-sip-tcp-idle", "0", "WISMO_SIP_TCP_IDLE"},
		{"-sip-auth-max-wait", "forever", "WISMO_SIP_AUTH_MAX_WAIT"},
	} {
		if _, err := parse(t, tc.flag, tc.value); err == nil || !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("%s %s: %v, want an error naming %s", tc.flag, tc.value, err, tc.field)
		}
	}
}
