// Package callcenter runs wismo's contact center: agents and their states, hotline queues,
// call control (preview and progressive outbound calls, inbound hotline calls bridged to
// agents) and the call log of every attempt. The SIP and media work is done by the telephony
// engine; callcenter decides who talks to whom and writes down what happened.
package callcenter

import (
	"errors"
	"fmt"
)

// Sentinel errors, mapped to statuses at the edges.
var (
	ErrBadTransition = errors.New("agent state change not allowed")
	ErrNoAgent       = errors.New("no agent available")
	ErrNotFound      = errors.New("not found")
	ErrInvalid       = errors.New("invalid")
)

// FieldError is invalid input in one named field of a request (it is an ErrInvalid); the API
// answers it as 422 naming the field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes a FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// AgentState is where an agent is in the call flow.
type AgentState string

// The agent states.
const (
	Offline   AgentState = "offline"
	Available AgentState = "available"
	Ringing   AgentState = "ringing"
	OnCall    AgentState = "on_call"
	WrapUp    AgentState = "wrap_up"
	Paused    AgentState = "paused"
)

// transitions lists, for each state, the states an agent may move to next. Calls are offered
// only to available agents; a ring that is not answered puts the agent back to available, an
// answered one leads through on_call to wrap_up (the disposition) and back.
var transitions = map[AgentState][]AgentState{
	Offline:   {Available, Paused},
	Available: {Ringing, OnCall, Paused, Offline},
	Ringing:   {OnCall, Available, Paused, Offline},
	OnCall:    {WrapUp},
	WrapUp:    {Available, Paused, Offline},
	Paused:    {Available, Offline},
}

// ParseAgentState validates a state name.
func ParseAgentState(s string) (AgentState, error) {
	if _, ok := transitions[AgentState(s)]; ok {
		return AgentState(s), nil
	}
	return "", fmt.Errorf("%w: agent state %q (want offline, available, ringing, on_call, wrap_up or paused)", ErrInvalid, s)
}

// CanMove reports whether an agent in state from may move to state to. Staying in the same
// state is always allowed (idempotent updates from a reconnecting phone).
func CanMove(from, to AgentState) bool {
	if from == to {
		return true
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Move returns to when the transition is allowed, else ErrBadTransition naming both states.
func Move(from, to AgentState) (AgentState, error) {
	if !CanMove(from, to) {
		return from, fmt.Errorf("%w: %s -> %s", ErrBadTransition, from, to)
	}
	return to, nil
}

// Idle reports whether an agent in s waits for calls (counts towards "longest idle").
func (s AgentState) Idle() bool { return s == Available }
