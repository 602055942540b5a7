package telephony_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// inviteHeaders splits a raw INVITE's header section into (lower-case name, value) lines.
func inviteHeaders(raw string) [][2]string {
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	var out [][2]string
	for _, line := range strings.Split(head, "\r\n")[1:] {
		name, value, _ := strings.Cut(line, ":")
		out = append(out, [2]string{strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)})
	}
	return out
}

// TestDialBuildsHeadersThroughTypes: whatever a caller id or a number holds, the INVITE on the
// wire has only the headers wismo meant. A caller id with a line break is passed over for the
// trunk's (with a warning), a number with one is refused before anything is sent, and the
// trunk, reading the datagrams as they arrived, finds no header of the caller's choosing.
func TestDialBuildsHeadersThroughTypes(t *testing.T) {
	trunk := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{Status: 486})
	e := startEndpoint(t, telephony.Config{Trunk: telephony.Trunk{URI: "sip:" + trunk.Addr, CallerID: "+74950000000"}}, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const evil = "\r\nP-Asserted-Identity: <sip:evil@x>\r\nX-Injected: yes"
	dial := func(to, callerID string) error {
		_, err := e.Dial(ctx, telephony.DialRequest{To: to, CallerID: callerID, RingTimeout: 2 * time.Second, SetupTimeout: time.Second}, nil)
		return err
	}
	errCaller := dial("+79131234567", "+7999"+evil)
	errNumber := dial("+7913"+evil, "")
	invites := trunk.RawInvites()
	for _, inv := range invites {
		for _, h := range inviteHeaders(inv) {
			switch h[0] {
			case "p-asserted-identity", "x-injected":
				t.Errorf("an injected header reached the trunk: %s: %s\n%s", h[0], h[1], inv)
			case "from":
				if !strings.HasPrefix(h[1], "<sip:+74950000000@") {
					t.Errorf("From %q, want the trunk's caller id in place of the broken one", h[1])
				}
			}
		}
	}
	var de *telephony.DialError
	if !errors.As(errCaller, &de) || de.Status != 486 {
		t.Errorf("the call with a broken caller id: %v, want the trunk's 486", errCaller)
	}
	if errNumber == nil || !errors.As(errNumber, &de) || de.Status != 0 {
		t.Errorf("a number with a line break: %v, want refused before sending", errNumber)
	}
	if len(invites) != 1 {
		t.Errorf("the trunk received %d INVITEs, want 1 (the broken number is never sent)", len(invites))
	}
}
