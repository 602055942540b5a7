package callcenter

import "fmt"

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
