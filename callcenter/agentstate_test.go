package callcenter

import (
	"errors"
	"testing"
)

func TestAgentStateMachine(t *testing.T) {
	for _, tc := range []struct {
		from, to AgentState
		ok       bool
	}{
		{Offline, Available, true},
		{Offline, Ringing, false},
		{Offline, OnCall, false},
		{Available, Ringing, true},
		{Available, OnCall, true}, // preview: the agent dials out himself
		{Available, WrapUp, false},
		{Ringing, OnCall, true},
		{Ringing, Available, true}, // not answered: back in the pool
		{OnCall, WrapUp, true},
		{OnCall, Available, false}, // a disposition first
		{OnCall, Offline, false},
		{WrapUp, Available, true},
		{WrapUp, Ringing, false},
		{Paused, Available, true},
		{Paused, Ringing, false},
		{Available, Available, true},
	} {
		t.Run(string(tc.from)+"->"+string(tc.to), func(t *testing.T) {
			got, err := Move(tc.from, tc.to)
			if tc.ok && (err != nil || got != tc.to) {
				t.Fatalf("Move = %s, %v; want %s", got, err, tc.to)
			}
			if !tc.ok && (!errors.Is(err, ErrBadTransition) || got != tc.from) {
				t.Fatalf("Move = %s, %v; want ErrBadTransition staying in %s", got, err, tc.from)
			}
		})
	}
	if _, err := ParseAgentState("lunch"); !errors.Is(err, ErrInvalid) {
		t.Fatal("unknown state accepted")
	}
	for s := range transitions {
		if _, err := ParseAgentState(string(s)); err != nil {
			t.Fatal(err)
		}
	}
}
