package telephony_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wismo/wismo/telephony"
)

// A failed dial's final status says what became of the attempt (RFC 3261 §21), and the
// dial's own verdicts (ring timeout, our cancel, no response) override it.
func TestOutcomeOfStatus(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   telephony.Outcome
	}{
		{200, telephony.Answered},
		{202, telephony.Answered},
		{403, telephony.Rejected},
		{603, telephony.Rejected},
		{486, telephony.Busy},
		{600, telephony.Busy},
		{408, telephony.NoAnswer},
		{480, telephony.NoAnswer},
		{487, telephony.NoAnswer},
		{502, telephony.Unreachable},
		{503, telephony.Unreachable},
		{504, telephony.Unreachable},
		{401, telephony.Failed}, // the trunk refused our credentials
		{407, telephony.Failed},
		{404, telephony.Failed},
		{484, telephony.Failed},
		{488, telephony.Failed},
		{500, telephony.Failed},
		{604, telephony.Failed},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			got, status := telephony.OutcomeOf(&telephony.DialError{Status: tc.status, Reason: "x"})
			if got != tc.want || status != tc.status {
				t.Fatalf("OutcomeOf(%d) = %s %d, want %s %d", tc.status, got, status, tc.want, tc.status)
			}
		})
	}
}

func TestOutcomeOfDialVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		want   telephony.Outcome
		status int
	}{
		{"ring timeout, we cancelled", &telephony.DialError{NoAnswer: true, Status: 487}, telephony.NoAnswer, 487},
		{"our caller gave up", &telephony.DialError{Cancelled: true}, telephony.Cancelled, 0},
		{"no response at all", &telephony.DialError{Unreachable: true}, telephony.Unreachable, 0},
		{"unreachable wins over a status", &telephony.DialError{Unreachable: true, Status: 503}, telephony.Unreachable, 0},
		{"no status, no verdict", &telephony.DialError{Err: errors.New("no trunk configured")}, telephony.Failed, 0},
		{"wrapped", fmt.Errorf("agent leg: %w", &telephony.DialError{Status: 486}), telephony.Busy, 486},
		{"not a dial error", errors.New("boom"), telephony.Failed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, status := telephony.OutcomeOf(tc.err)
			if got != tc.want || status != tc.status {
				t.Fatalf("OutcomeOf(%v) = %s %d, want %s %d", tc.err, got, status, tc.want, tc.status)
			}
		})
	}
}

// A leg that is not SIP refuses a call with the status a SIP phone answers, and reading it
// back gives the outcome it meant.
func TestRefusedAnswersLikeAPhone(t *testing.T) {
	for _, tc := range []struct {
		outcome telephony.Outcome
		status  int
		reason  string
	}{
		{telephony.Busy, 486, "Busy Here"},
		{telephony.Rejected, 603, "Decline"},
		{telephony.NoAnswer, 480, "Temporarily Unavailable"},
		{telephony.Unreachable, 503, "Service Unavailable"},
		{telephony.Failed, 500, "Server Internal Error"},
	} {
		t.Run(string(tc.outcome), func(t *testing.T) {
			de := telephony.Refused(tc.outcome)
			if de.Status != tc.status || de.Reason != tc.reason {
				t.Fatalf("Refused(%s) = %d %s, want %d %s", tc.outcome, de.Status, de.Reason, tc.status, tc.reason)
			}
			if got, status := telephony.OutcomeOf(de); got != tc.outcome || status != tc.status {
				t.Fatalf("OutcomeOf(Refused(%s)) = %s %d", tc.outcome, got, status)
			}
		})
	}
	// No refusal means an answer: anything else refuses as a failure.
	for _, o := range []telephony.Outcome{telephony.Answered, telephony.Abandoned, telephony.Cancelled, "made_up"} {
		if de := telephony.Refused(o); de.Status != 500 {
			t.Errorf("Refused(%s) = %d, want 500", o, de.Status)
		}
	}
}
