package telephony_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestDialFailures: each way an outbound call can fail comes back as the DialError call
// control maps to an outcome.
func TestDialFailures(t *testing.T) {
	busy := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{Status: 486})
	auth := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{User: "acct", Password: "trunk-pass"})
	ringing := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "+79131234567", Tone: 1000, Manual: true})
	// Nothing answers there: a UDP socket bound for the test's life and never read, so no
	// other process can take the port and answer.
	deadConn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deadConn.Close() })
	dead := deadConn.LocalAddr().String()
	tests := []struct {
		name  string
		trunk telephony.Trunk
		to    string
		check func(t *testing.T, leg *telephony.Leg, err error)
	}{
		{"busy 486", telephony.Trunk{URI: "sip:" + busy.Addr}, "+79131234567", func(t *testing.T, _ *telephony.Leg, err error) {
			var de *telephony.DialError
			if !errors.As(err, &de) || de.Status != 486 {
				t.Fatalf("got %v, want 486", err)
			}
		}},
		{"no answer, cancelled", telephony.Trunk{URI: "sip:127.0.0.1:" + itoa(ringing.SIPPort)}, "+79131234567", func(t *testing.T, _ *telephony.Leg, err error) {
			var de *telephony.DialError
			if !errors.As(err, &de) || !de.NoAnswer {
				t.Fatalf("got %v, want no answer", err)
			}
		}},
		{"unreachable trunk", telephony.Trunk{URI: "sip:" + dead}, "+79131234567", func(t *testing.T, _ *telephony.Leg, err error) {
			var de *telephony.DialError
			if !errors.As(err, &de) || !de.Unreachable {
				t.Fatalf("got %v, want unreachable", err)
			}
		}},
		{"trunk demands digest", telephony.Trunk{URI: "sip:" + auth.Addr, User: "acct", Password: "trunk-pass"}, "+79131234567", func(t *testing.T, leg *telephony.Leg, err error) {
			if err != nil {
				t.Fatalf("authenticated call failed: %v", err)
			}
			leg.Hangup(context.Background(), "")
			// The trunk counts its answer once our ACK reached it (sipgo's RespondSDP waits
			// for the ACK), which may be just after Dial returned.
			for deadline := time.Now().Add(2 * time.Second); auth.Answered.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if auth.Answered.Load() != 1 || auth.Invites.Load() != 2 {
				t.Fatalf("trunk saw %d INVITEs, answered %d; want a challenge then an answer", auth.Invites.Load(), auth.Answered.Load())
			}
		}},
		{"trunk refuses a wrong password", telephony.Trunk{URI: "sip:" + auth.Addr, User: "acct", Password: "wrong"}, "+79131234567", func(t *testing.T, _ *telephony.Leg, err error) {
			var de *telephony.DialError
			if !errors.As(err, &de) || de.Status != 407 {
				t.Fatalf("got %v, want 407 in the end", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := startEndpoint(t, telephony.Config{Trunk: tc.trunk}, nil, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			leg, err := e.Dial(ctx, telephony.DialRequest{To: tc.to, RingTimeout: 2 * time.Second, SetupTimeout: time.Second}, nil)
			tc.check(t, leg, err)
		})
	}
}

// TestDrain: while a call is up, Drain waits and new calls are refused; when the far end
// hangs up, Drain returns.
func TestDrain(t *testing.T) {
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "customer", Tone: 1000})
	e := startEndpoint(t, telephony.Config{}, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	leg, err := e.Dial(ctx, telephony.DialRequest{To: phone.URI()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	drained := make(chan error, 1)
	go func() { drained <- e.Drain(ctx) }()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-drained:
		t.Fatalf("Drain returned with a call up: %v", err)
	default:
	}
	if _, err := e.Dial(ctx, telephony.DialRequest{To: phone.URI()}, nil); err == nil {
		t.Fatal("a new call was placed while draining")
	}
	phone.Command("hangup", "")
	select {
	case err := <-drained:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Drain did not return after the call ended")
	}
	if leg.EndedBy() != telephony.EndedRemote {
		t.Fatalf("leg ended by %q, want remote", leg.EndedBy())
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
