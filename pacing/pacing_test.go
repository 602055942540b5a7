package pacing

import (
	"testing"
	"time"
)

func measured() Stats {
	st := Stats{Dials: 1000, PersonRate: 0.25, MachineRate: 0.04, NoAnswer: 25 * time.Second, Wrap: 15 * time.Second}
	for i := range 100 {
		st.AnswerTimes = append(st.AnswerTimes, 3*time.Second+time.Duration(i)*170*time.Millisecond)
		st.Handles = append(st.Handles, 40*time.Second+time.Duration(i)*1600*time.Millisecond)
	}
	return st
}

func agents(states ...AgentState) []Agent {
	var as []Agent
	for _, s := range states {
		as = append(as, Agent{State: s, InState: 5 * time.Second})
	}
	return as
}

func TestLaunch(t *testing.T) {
	busy := make([]AgentState, 10)
	for i := range busy {
		busy[i] = Talking
	}
	for _, tc := range []struct {
		name     string
		cfg      Config
		snap     Snapshot
		min, max int
	}{
		{"progressive: one per ready agent without a call", Config{Mode: Progressive},
			Snapshot{Agents: agents(Ready, Ready, Ready, Talking, WrapUp), Ringing: []time.Duration{time.Second}, Stats: measured()}, 2, 2},
		{"progressive: a waiting person takes a ready agent", Config{Mode: Progressive},
			Snapshot{Agents: agents(Ready, Talking), Waiting: 1, Stats: measured()}, 0, 0},
		{"predictive without measures dials progressively", Config{Mode: Predictive},
			Snapshot{Agents: agents(Ready, Ready, Talking), Stats: Stats{Dials: 5}}, 2, 2},
		{"predictive dials ahead of ready agents", Config{Mode: Predictive},
			Snapshot{Agents: agents(Ready, Ready, Ready, Ready), Stats: measured()}, 8, 16},
		{"predictive stays under the dial ratio", Config{Mode: Predictive, MaxDialRatio: 1},
			Snapshot{Agents: agents(Ready, Ready, Ready, Ready), Stats: measured()}, 4, 4},
		{"predictive waits when every agent just started talking", Config{Mode: Predictive},
			Snapshot{Agents: agents(busy...), Stats: measured()}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n := Launch(tc.cfg, tc.snap); n < tc.min || n > tc.max {
				t.Fatalf("launch %d, want %d..%d", n, tc.min, tc.max)
			}
		})
	}
}

// Over budget, predictive pacing launches fewer calls than well under it.
func TestLaunchBacksOffOverBudget(t *testing.T) {
	snap := Snapshot{Agents: agents(Ready, Ready, Ready, Ready, WrapUp, WrapUp, Talking, Talking), Stats: measured()}
	under := Launch(Config{Mode: Predictive}, snap)
	snap.Stats.AbandonRate, snap.Stats.RunRate, snap.Stats.Answers = 0.05, 0.04, 200
	over := Launch(Config{Mode: Predictive}, snap)
	if over >= under {
		t.Fatalf("over budget launches %d, under budget %d", over, under)
	}
}

// The meter measures rates over what it was told, and abandons over its window only.
func TestMeter(t *testing.T) {
	m := NewMeter(time.Hour)
	t0 := time.Unix(0, 0)
	for i := range 100 {
		switch {
		case i%4 == 0:
			m.Person(t0, 10*time.Second)
		case i%20 == 1:
			m.Machine(5 * time.Second)
		default:
			m.NoAnswer(25 * time.Second)
		}
	}
	m.Abandoned(t0)
	st := m.Stats(t0)
	if st.Dials != 100 || st.PersonRate != 0.25 || st.MachineRate != 0.05 || st.NoAnswer != 25*time.Second || st.AbandonRate != 0.04 {
		t.Fatalf("%+v", st)
	}
	m.Person(t0.Add(2*time.Hour), time.Second)
	st = m.Stats(t0.Add(2 * time.Hour))
	if st.Answers != 1 || st.AbandonRate != 0 || st.RunRate != 1.0/26 {
		t.Fatalf("after two hours: %+v", st)
	}
}
