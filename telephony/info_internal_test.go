package telephony

import "testing"

// TestInfoKey: the DTMF bodies phones send in SIP INFO (application/dtmf-relay as Cisco and
// Asterisk write it, application/dtmf) give their key; anything else is no key.
func TestInfoKey(t *testing.T) {
	for _, c := range []struct {
		ct, body string
		want     byte
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5'},
		{"application/dtmf-relay", "signal= #\nDuration=100", '#'},
		{"application/dtmf-relay", "Signal=11\r\nDuration=160\r\n", '#'},
		{"application/dtmf-relay", "Signal=10\r\n", '*'},
		{"application/dtmf-relay", "Signal=a\r\n", 'A'},
		{"application/dtmf", "7", '7'},
		{"application/dtmf", " *\r\n", '*'},
		{"application/dtmf-relay", "Duration=160\r\n", 0},
		{"application/dtmf-relay", "Signal=55\r\n", 0},
		{"application/dtmf", "x", 0},
	} {
		got, ok := infoKey(c.ct, c.body)
		if got != c.want || ok != (c.want != 0) {
			t.Errorf("%s %q: %q %v, want %q", c.ct, c.body, got, ok, c.want)
		}
	}
	if EventKey(0) != '0' || EventKey(11) != '#' || EventKey(15) != 'D' || EventKey(32) != 0 {
		t.Error("EventKey")
	}
}
