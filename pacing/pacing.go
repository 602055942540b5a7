// Package pacing decides how many outbound calls a campaign launches now. It knows nothing of
// SIP or the database: the caller describes the agents, the calls ringing and the measured
// rates (a Meter keeps them), and Launch answers with a number of calls.
//
// Progressive mode launches one call per ready agent that has no call ringing for it, so a
// person who answers always finds an agent and nobody is abandoned. Predictive mode launches
// as many calls as the expected person answers over the next seconds can be matched with the
// agents free by then, keeping the expected share of answers left without an agent under an
// aim that follows the measured abandon rate against its budget (3% of person-answered calls).
// docs/pacing.md states the model.
package pacing

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"time"
)

// Mode is how a campaign paces its calls.
type Mode string

const (
	// Progressive dials one call per free agent.
	Progressive Mode = "progressive"
	// Predictive dials ahead of agents from the measured answer rate and handle times.
	Predictive Mode = "predictive"
)

// ParseMode reads "progressive" or "predictive".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Progressive, Predictive:
		return Mode(s), nil
	}
	return "", fmt.Errorf("mode must be predictive or progressive, not %q", s)
}

// Defaults of Config.
const (
	DefaultAbandonBudget = 0.03
	DefaultMaxDialRatio  = 3.0
	// DefaultGrace is how long a person who answered may wait for an agent before the call
	// counts as abandoned (FTC and Ofcom: two seconds after the greeting ends).
	DefaultGrace = 2 * time.Second
)

// Config is a campaign's pacing settings.
type Config struct {
	Mode Mode
	// AbandonBudget is the share of person-answered calls that may be abandoned (0.03).
	AbandonBudget float64
	// MaxDialRatio caps calls ringing at once per logged-in agent.
	MaxDialRatio float64
	// Grace is how long an answered person waits for an agent before being abandoned.
	Grace time.Duration
	// WarmUp is how many finished calls predictive pacing measures before it dials ahead
	// (MinDials when 0; short live runs and tests set fewer).
	WarmUp int
}

func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = Progressive
	}
	if c.AbandonBudget <= 0 {
		c.AbandonBudget = DefaultAbandonBudget
	}
	if c.MaxDialRatio <= 0 {
		c.MaxDialRatio = DefaultMaxDialRatio
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	return c
}

// AgentState is what a logged-in agent is doing.
type AgentState int

const (
	// Ready agents wait for a call.
	Ready AgentState = iota
	// Talking agents are connected to a customer.
	Talking
	// WrapUp agents finish the last call's notes.
	WrapUp
)

// Agent is one logged-in agent: its state and how long it has been in it.
type Agent struct {
	State   AgentState
	InState time.Duration
}

// Snapshot is the campaign at the moment of the decision.
type Snapshot struct {
	Agents []Agent
	// Ringing holds the age of every call launched and not yet answered or given up.
	Ringing []time.Duration
	// Waiting counts people who answered and wait (within the grace) for an agent.
	Waiting int
	Stats   Stats
}

// Stats are the measured rates Launch paces from; Meter.Stats produces them.
type Stats struct {
	// Dials is how many finished calls the rates are measured on; below MinDials predictive
	// pacing dials progressively.
	Dials int
	// PersonRate and MachineRate are the shares of finished calls answered by a person or by
	// a machine.
	PersonRate, MachineRate float64
	// AnswerTimes are recent times from launch to answer, sorted.
	AnswerTimes []time.Duration
	// NoAnswer is how long an unanswered call rings before it is given up.
	NoAnswer time.Duration
	// Handles are recent talk times, sorted; Wrap is the mean wrap-up.
	Handles []time.Duration
	Wrap    time.Duration
	// AbandonRate is abandoned over person-answered calls in the rolling window; RunRate the
	// same since the meter started. Answers is the person answers in the rolling window.
	AbandonRate, RunRate float64
	Answers              int
}

// MinDials is how many finished calls predictive pacing needs before it dials ahead.
const MinDials = 60

// Launch answers how many calls to launch now.
func Launch(cfg Config, s Snapshot) int {
	cfg = cfg.withDefaults()
	ready := 0
	for _, a := range s.Agents {
		if a.State == Ready {
			ready++
		}
	}
	progressive := max(0, ready-s.Waiting-len(s.Ringing))
	warm := cmp.Or(cfg.WarmUp, MinDials)
	if cfg.Mode == Progressive || s.Stats.Dials < warm || len(s.Stats.Handles) < min(10, warm) || s.Stats.PersonRate <= 0 {
		return progressive
	}
	capacity := int(math.Floor(cfg.MaxDialRatio*float64(len(s.Agents)))) - len(s.Ringing)
	if capacity <= 0 {
		return 0
	}
	aim := cfg.AbandonBudget * aimFactor(s.Stats, cfg.AbandonBudget)
	n := launchHorizon(cfg, s, capacity, aim)
	return max(n, progressive)
}

// launchHorizon is the largest n <= capacity for which the expected person answers of the
// calls ringing and n new ones, less the agents expected free within the mean answer time plus
// the grace, leave an expected overflow (answers without an agent) within aim of the answers.
func launchHorizon(cfg Config, s Snapshot, capacity int, aim float64) int {
	horizon := meanDuration(s.Stats.AnswerTimes) + cfg.Grace
	freeMean, freeVar := agentsFree(s, horizon)
	freeMean -= float64(s.Waiting)
	ansMean, ansVar := 0.0, 0.0
	for _, age := range s.Ringing {
		p := personLater(s.Stats, age)
		ansMean += p
		ansVar += p * (1 - p)
	}
	p := s.Stats.PersonRate
	n := 0
	for n < capacity {
		m := ansMean + float64(n+1)*p
		v := ansVar + float64(n+1)*p*(1-p) + freeVar
		if overflow(m-freeMean, v) > aim*m {
			break
		}
		n++
	}
	return n
}

// aimFactor scales the abandon aim of one decision by how the measured abandon rate stands
// against the budget: press (up to 2x) when well under it, back off (down to 0.05x) as it
// nears or passes it. The worse of the rolling window and the run so far counts.
func aimFactor(st Stats, budget float64) float64 {
	r := st.RunRate
	if st.Answers >= 30 {
		r = max(r, st.AbandonRate)
	}
	return min(aimMax, max(0.05, 1+aimGain*(aimTarget-r/budget)))
}

// agentsFree is the mean and variance of the number of agents free within horizon: ready
// agents, agents whose wrap-up ends by then, and talking agents whose call (from the measured
// talk times, given how long it has lasted) and wrap-up end by then.
func agentsFree(s Snapshot, horizon time.Duration) (mean, variance float64) {
	for _, a := range s.Agents {
		var q float64
		switch a.State {
		case Ready:
			q = 1
		case WrapUp:
			if s.Stats.Wrap-a.InState <= horizon {
				q = 1
			}
		case Talking:
			q = endsWithin(s.Stats.Handles, a.InState, horizon-s.Stats.Wrap)
		}
		mean += q
		variance += q * (1 - q)
	}
	return mean, variance
}

// endsWithin is P(T <= elapsed+d | T > elapsed) over the sorted sample of talk times.
func endsWithin(sample []time.Duration, elapsed, d time.Duration) float64 {
	if d <= 0 || len(sample) == 0 {
		return 0
	}
	above := len(sample) - countAtMost(sample, elapsed)
	if above == 0 {
		// Longer than every call measured: it ends soon, but not surely within d.
		return 0.5
	}
	by := countAtMost(sample, elapsed+d) - countAtMost(sample, elapsed)
	return float64(by) / float64(above)
}

// personLater is the chance that a call ringing for age is still answered by a person:
// p(1-G(a)) / (1-(p+m)G(a)), G being the measured distribution of answer times.
func personLater(st Stats, age time.Duration) float64 {
	if age >= st.NoAnswer && st.NoAnswer > 0 {
		return 0
	}
	g := 0.0
	if n := len(st.AnswerTimes); n > 0 {
		g = float64(countAtMost(st.AnswerTimes, age)) / float64(n)
	}
	den := 1 - (st.PersonRate+st.MachineRate)*g
	if den <= 0 {
		return 0
	}
	return st.PersonRate * (1 - g) / den
}

// overflow is E[max(D, 0)] for D normal with mean mu and variance v: the expected number of
// answers left without an agent.
func overflow(mu, v float64) float64 {
	if v <= 0 {
		return max(mu, 0)
	}
	sd := math.Sqrt(v)
	z := mu / sd
	pdf := math.Exp(-z*z/2) / math.Sqrt(2*math.Pi)
	cdf := 0.5 * math.Erfc(-z/math.Sqrt2)
	return sd*pdf + mu*cdf
}

func countAtMost(sorted []time.Duration, d time.Duration) int {
	return sort.Search(len(sorted), func(i int) bool { return sorted[i] > d })
}

func meanDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// The abandon controller: aim for aimTarget of the budget, press up to aimMax times the budget
// when under it, with gain aimGain per budget of difference (tuned in the simulator, see
// docs/pacing.md).
var aimMax, aimGain, aimTarget = 2.0, 4.0, 0.75
