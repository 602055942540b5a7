package pacing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The scenario: 20 agents, a person answers 25% of calls, talk 120 s, wrap-up 15 s, 8 h.
func scenario(mode Mode, seed uint64) SimConfig {
	return SimConfig{Mode: mode, Agents: 20, AnswerRate: 0.25, AHT: 120 * time.Second, Wrap: 15 * time.Second, Hours: 8, Seed: seed}
}

// The same seed prints the same JSON; another seed gives another run.
func TestSimulateIsDeterministic(t *testing.T) {
	run := func(c SimConfig) string {
		r, err := Simulate(c)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		return string(b)
	}
	for _, mode := range []Mode{Predictive, Progressive} {
		a, b := run(scenario(mode, 7)), run(scenario(mode, 7))
		if a != b {
			t.Fatalf("%s: same seed, different results:\n%s\n%s", mode, a, b)
		}
		if c := run(scenario(mode, 8)); c == a {
			t.Fatalf("%s: seeds 7 and 8 gave the same run: %s", mode, a)
		}
	}
}

// Progressive pacing dials one call per free agent, so nobody who answers is left waiting.
func TestProgressiveNeverAbandons(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		r, err := Simulate(scenario(Progressive, seed))
		if err != nil {
			t.Fatal(err)
		}
		if r.Abandoned != 0 || r.AbandonRate != 0 || r.Answered == 0 || r.Connected != r.Answered {
			t.Fatalf("seed %d: %+v", seed, r)
		}
	}
}

// Predictive pacing keeps its abandon rate within 3% of person-answered calls over the run and
// gives agents more talk time than progressive pacing in the same scenario.
func TestPredictiveKeepsBudgetAndBeatsProgressive(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		pred, err := Simulate(scenario(Predictive, seed))
		if err != nil {
			t.Fatal(err)
		}
		prog, err := Simulate(scenario(Progressive, seed))
		if err != nil {
			t.Fatal(err)
		}
		if pred.AbandonRate > 0.03 || pred.Answered == 0 {
			t.Fatalf("seed %d: predictive abandon rate %.4f over 3%%: %+v", seed, pred.AbandonRate, pred)
		}
		if pred.TalkShare <= prog.TalkShare {
			t.Fatalf("seed %d: predictive talk share %.4f not above progressive %.4f", seed, pred.TalkShare, prog.TalkShare)
		}
		t.Logf("seed %d: predictive talk %.4f abandon %.4f worst hour %.4f; progressive talk %.4f", seed,
			pred.TalkShare, pred.AbandonRate, pred.WorstHourAbandonRate, prog.TalkShare)
	}
}

// A lower budget is kept too, at the price of talk time.
func TestPredictiveFollowsItsBudget(t *testing.T) {
	c := scenario(Predictive, 3)
	c.Pacing.AbandonBudget = 0.01
	tight, err := Simulate(c)
	if err != nil {
		t.Fatal(err)
	}
	loose, _ := Simulate(scenario(Predictive, 3))
	if tight.AbandonRate > 0.01 || tight.TalkShare >= loose.TalkShare {
		t.Fatalf("1%% budget: abandon %.4f talk %.4f; 3%%: talk %.4f", tight.AbandonRate, tight.TalkShare, loose.TalkShare)
	}
}

// Each setting out of range is named in the error.
func TestSimConfigErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		change func(*SimConfig)
		want   string
	}{
		{func(c *SimConfig) { c.Mode = "preview" }, "--mode"},
		{func(c *SimConfig) { c.Agents = 0 }, "--agents"},
		{func(c *SimConfig) { c.AnswerRate = 1.5 }, "--answer-rate"},
		{func(c *SimConfig) { c.AnswerRate = 0 }, "--answer-rate"},
		{func(c *SimConfig) { c.AHT = 0 }, "--aht"},
		{func(c *SimConfig) { c.Wrap = -time.Second }, "--wrapup"},
		{func(c *SimConfig) { c.Hours = 0 }, "--hours"},
	} {
		c := scenario(Predictive, 1)
		tc.change(&c)
		_, err := Simulate(c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error naming %s, got %v", tc.want, err)
		}
	}
}
