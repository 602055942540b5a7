package pacing

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// SimConfig is a simulated campaign. docs/pacing.md states the model.
type SimConfig struct {
	Mode   Mode
	Agents int
	// AnswerRate is the chance that a call is answered by a person.
	AnswerRate float64
	// MachineShare is the share of all answers that are answering machines (0.15 when zero;
	// negative for none). Machines are detected after MachineAnalysis and dropped.
	MachineShare    float64
	MachineAnalysis time.Duration
	// AHT is the mean talk time (log-normal, sigma 0.6); Wrap the wrap-up after each call.
	AHT, Wrap time.Duration
	// Hours measured after the 15-minute warm-up.
	Hours float64
	Seed  uint64
	// Pacing overrides the pacing settings other than the mode (zero: the defaults).
	Pacing Config
}

// Simulation's fixed model figures.
const (
	WarmUp         = 15 * time.Minute
	MinAnswerTime  = 3 * time.Second
	MaxAnswerTime  = 20 * time.Second
	NoAnswerAfter  = 25 * time.Second
	HandleSigma    = 0.6
	DefaultMachine = 0.15
	// DefaultAnalysis is how long answering-machine detection listens before dropping a machine.
	DefaultAnalysis = 3 * time.Second
)

// Result is what a simulated run measured after the warm-up.
type Result struct {
	Mode       Mode    `json:"mode"`
	Agents     int     `json:"agents"`
	AnswerRate float64 `json:"answer_rate"`
	AHTSeconds float64 `json:"aht_s"`
	WrapSecs   float64 `json:"wrapup_s"`
	Hours      float64 `json:"hours"`
	Seed       uint64  `json:"seed"`
	// TalkShare is talk time over logged-in agent time.
	TalkShare float64 `json:"talk_share"`
	// AbandonRate is abandoned over person-answered calls; WorstHour the highest of it in one
	// clock hour of the run.
	AbandonRate          float64 `json:"abandon_rate"`
	WorstHourAbandonRate float64 `json:"worst_hour_abandon_rate"`
	Calls                int     `json:"calls"`
	Answered             int     `json:"answered"`
	Machines             int     `json:"machines"`
	Abandoned            int     `json:"abandoned"`
	Connected            int     `json:"connected"`
	// MaxWait is the longest stretch an agent stood ready between calls; MeanWait the mean
	// of those stretches.
	MaxWaitSeconds  float64 `json:"max_wait_s"`
	MeanWaitSeconds float64 `json:"mean_wait_s"`
	// DialsPerAgentHour is calls launched per agent per hour.
	DialsPerAgentHour float64 `json:"dials_per_agent_hour"`
}

// Validate says which setting is out of range, naming it as the command line does.
func (c SimConfig) Validate() error {
	var errs []error
	if _, err := ParseMode(string(c.Mode)); err != nil {
		errs = append(errs, fmt.Errorf("--mode: %w", err))
	}
	if c.Agents < 1 || c.Agents > 10000 {
		errs = append(errs, fmt.Errorf("--agents must be between 1 and 10000, not %d", c.Agents))
	}
	if !(c.AnswerRate > 0 && c.AnswerRate <= 1) {
		errs = append(errs, fmt.Errorf("--answer-rate must be above 0 and at most 1, not %g", c.AnswerRate))
	}
	if c.MachineShare >= 1 {
		errs = append(errs, fmt.Errorf("machine share must be under 1, not %g", c.MachineShare))
	}
	if c.AHT < time.Second || c.AHT > 4*time.Hour {
		errs = append(errs, fmt.Errorf("--aht must be between 1s and 4h, not %s", c.AHT))
	}
	if c.Wrap < 0 || c.Wrap > time.Hour {
		errs = append(errs, fmt.Errorf("--wrapup must be between 0s and 1h, not %s", c.Wrap))
	}
	if !(c.Hours > 0 && c.Hours <= 24*31) {
		errs = append(errs, fmt.Errorf("--hours must be above 0 and at most 744, not %g", c.Hours))
	}
	return errors.Join(errs...)
}

// Simulate runs the campaign; the same configuration gives the same result.
func Simulate(c SimConfig) (Result, error) {
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	s := newSim(c)
	s.run()
	return s.result(), nil
}

type eventKind uint8

const (
	evTick eventKind = iota
	evAnswer
	evNoAnswer
	evMachineDone
	evGraceOver
	evTalkDone
	evWrapDone
)

type event struct {
	at   float64
	seq  uint64
	kind eventKind
	id   int // call or agent
}

type events []event

func (e events) Len() int { return len(e) }
func (e events) Less(i, j int) bool {
	if e[i].at != e[j].at {
		return e[i].at < e[j].at
	}
	return e[i].seq < e[j].seq
}
func (e events) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)   { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

type simAgent struct {
	state AgentState
	since float64
}

type simCall struct {
	launched float64
}

type sim struct {
	c        SimConfig
	pacing   Config
	rng      *rand.Rand
	q        events
	seq      uint64
	now, end float64
	agents   []simAgent
	calls    []simCall
	ringing  []int // calls ringing, in launch order (a slice keeps runs deterministic)
	waiting  []int // answered calls waiting for an agent, oldest first
	meter    *Meter
	base     time.Time
	mu       float64 // log-normal location for talk times
	machineP float64

	// Measured after the warm-up.
	r                    Result
	talk                 float64
	waits                int
	waitSum              float64
	hourAns, hourAbandon []int
	snap                 Snapshot
}

func newSim(c SimConfig) *sim {
	share := c.MachineShare
	switch {
	case share == 0:
		share = DefaultMachine
	case share < 0:
		share = 0
	}
	if c.MachineAnalysis <= 0 {
		c.MachineAnalysis = DefaultAnalysis
	}
	pc := c.Pacing
	pc.Mode = c.Mode
	s := &sim{
		c: c, pacing: pc.withDefaults(), rng: rand.New(rand.NewPCG(c.Seed, 0x9e3779b97f4a7c15)),
		end:    WarmUp.Seconds() + c.Hours*3600,
		agents: make([]simAgent, c.Agents),
		meter:  NewMeter(time.Hour),
		base:   time.Unix(0, 0).UTC(),
		mu:     math.Log(c.AHT.Seconds()) - HandleSigma*HandleSigma/2,
		// Of all answers a share are machines: machine = person * share / (1 - share).
		machineP: c.AnswerRate * share / (1 - share),
	}
	if s.c.AnswerRate+s.machineP > 1 {
		s.machineP = 1 - s.c.AnswerRate
	}
	hours := int(math.Ceil(c.Hours))
	s.hourAns, s.hourAbandon = make([]int, hours), make([]int, hours)
	s.r = Result{Mode: c.Mode, Agents: c.Agents, AnswerRate: c.AnswerRate, AHTSeconds: c.AHT.Seconds(),
		WrapSecs: c.Wrap.Seconds(), Hours: c.Hours, Seed: c.Seed}
	return s
}

func (s *sim) at(d float64, kind eventKind, id int) {
	s.seq++
	heap.Push(&s.q, event{at: s.now + d, seq: s.seq, kind: kind, id: id})
}

func (s *sim) measured() bool { return s.now >= WarmUp.Seconds() }

func (s *sim) hour() int {
	h := int((s.now - WarmUp.Seconds()) / 3600)
	return min(h, len(s.hourAns)-1)
}

func (s *sim) run() {
	s.at(0, evTick, 0)
	for s.q.Len() > 0 {
		e := heap.Pop(&s.q).(event)
		if e.at > s.end {
			break
		}
		s.now = e.at
		switch e.kind {
		case evTick:
			s.at(1, evTick, 0)
		case evAnswer:
			s.answer(e.id)
		case evNoAnswer:
			s.unring(e.id)
			s.meter.NoAnswer(secs(s.now - s.calls[e.id].launched))
		case evMachineDone:
			// The line is freed; no agent was involved.
		case evGraceOver:
			s.graceOver(e.id)
		case evTalkDone:
			s.talkDone(e.id)
		case evWrapDone:
			s.meter.Wrapped(secs(s.now - s.agents[e.id].since))
			s.ready(e.id)
		}
		s.dial()
	}
	s.now = s.end
	for i := range s.agents {
		s.leave(i)
	}
}

// dial asks the pacer how many calls to launch and launches them.
func (s *sim) dial() {
	s.snap.Agents = s.snap.Agents[:0]
	for _, a := range s.agents {
		s.snap.Agents = append(s.snap.Agents, Agent{State: a.state, InState: secs(s.now - a.since)})
	}
	s.snap.Ringing = s.snap.Ringing[:0]
	for _, id := range s.ringing {
		s.snap.Ringing = append(s.snap.Ringing, secs(s.now-s.calls[id].launched))
	}
	s.snap.Waiting = len(s.waiting)
	s.snap.Stats = s.meter.Stats(s.base.Add(secs(s.now)))
	for range Launch(s.pacing, s.snap) {
		s.launch()
	}
}

func (s *sim) unring(id int) {
	for i, r := range s.ringing {
		if r == id {
			s.ringing = append(s.ringing[:i], s.ringing[i+1:]...)
			return
		}
	}
}

func (s *sim) launch() {
	id := len(s.calls)
	s.calls = append(s.calls, simCall{launched: s.now})
	s.ringing = append(s.ringing, id)
	if s.measured() {
		s.r.Calls++
	}
	u := s.rng.Float64()
	t := MinAnswerTime.Seconds() + s.rng.Float64()*(MaxAnswerTime-MinAnswerTime).Seconds()
	switch {
	case u < s.c.AnswerRate:
		s.at(t, evAnswer, id)
	case u < s.c.AnswerRate+s.machineP:
		s.at(t, evAnswer, -id-1)
	default:
		s.at(NoAnswerAfter.Seconds(), evNoAnswer, id)
	}
}

// answer handles an answer: id < 0 is a machine (call -id-1).
func (s *sim) answer(id int) {
	if id < 0 {
		id = -id - 1
		s.unring(id)
		s.meter.Machine(secs(s.now - s.calls[id].launched))
		if s.measured() {
			s.r.Machines++
		}
		s.at(s.c.MachineAnalysis.Seconds(), evMachineDone, id)
		return
	}
	s.unring(id)
	s.meter.Person(s.base.Add(secs(s.now)), secs(s.now-s.calls[id].launched))
	if s.measured() {
		s.r.Answered++
		s.hourAns[s.hour()]++
	}
	if a := s.freeAgent(); a >= 0 {
		s.connect(a)
		return
	}
	s.waiting = append(s.waiting, id)
	s.at(s.pacing.Grace.Seconds(), evGraceOver, id)
}

func (s *sim) graceOver(id int) {
	for i, w := range s.waiting {
		if w == id {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			s.meter.Abandoned(s.base.Add(secs(s.now)))
			// Counted in the hour the person answered, as answers are.
			if s.now-s.pacing.Grace.Seconds() >= WarmUp.Seconds() {
				s.r.Abandoned++
				h := min(int((s.now-s.pacing.Grace.Seconds()-WarmUp.Seconds())/3600), len(s.hourAbandon)-1)
				s.hourAbandon[h]++
			}
			return
		}
	}
}

// freeAgent is the agent ready the longest, or -1.
func (s *sim) freeAgent() int {
	best := -1
	for i, a := range s.agents {
		if a.state == Ready && (best < 0 || a.since < s.agents[best].since) {
			best = i
		}
	}
	return best
}

func (s *sim) connect(a int) {
	s.leave(a)
	if s.measured() {
		s.r.Connected++
	}
	s.agents[a] = simAgent{state: Talking, since: s.now}
	talk := math.Exp(s.mu + HandleSigma*s.rng.NormFloat64())
	s.at(talk, evTalkDone, a)
}

func (s *sim) talkDone(a int) {
	s.meter.Talked(secs(s.now - s.agents[a].since))
	s.leave(a)
	s.agents[a] = simAgent{state: WrapUp, since: s.now}
	s.at(s.c.Wrap.Seconds(), evWrapDone, a)
}

func (s *sim) ready(a int) {
	s.agents[a] = simAgent{state: Ready, since: s.now}
	if len(s.waiting) > 0 {
		// The oldest waiting person is connected; its grace event then finds it gone.
		s.waiting = s.waiting[1:]
		s.connect(a)
	}
}

// leave accounts for the time agent a spent in its state (the part after the warm-up).
func (s *sim) leave(a int) {
	ag := s.agents[a]
	from := max(ag.since, WarmUp.Seconds())
	d := s.now - from
	if d <= 0 {
		return
	}
	switch ag.state {
	case Talking:
		s.talk += d
	case Ready:
		s.waits++
		s.waitSum += d
		s.r.MaxWaitSeconds = max(s.r.MaxWaitSeconds, d)
	}
}

func (s *sim) result() Result {
	r := s.r
	agentTime := float64(s.c.Agents) * s.c.Hours * 3600
	r.TalkShare = s.talk / agentTime
	if r.Answered > 0 {
		r.AbandonRate = float64(r.Abandoned) / float64(r.Answered)
	}
	for h := range s.hourAns {
		if s.hourAns[h] > 0 {
			r.WorstHourAbandonRate = max(r.WorstHourAbandonRate, float64(s.hourAbandon[h])/float64(s.hourAns[h]))
		}
	}
	if s.waits > 0 {
		r.MeanWaitSeconds = s.waitSum / float64(s.waits)
	}
	r.DialsPerAgentHour = float64(r.Calls) / agentTime * 3600
	r.TalkShare, r.AbandonRate, r.WorstHourAbandonRate = round(r.TalkShare, 4), round(r.AbandonRate, 4), round(r.WorstHourAbandonRate, 4)
	r.MaxWaitSeconds, r.MeanWaitSeconds, r.DialsPerAgentHour = round(r.MaxWaitSeconds, 1), round(r.MeanWaitSeconds, 1), round(r.DialsPerAgentHour, 1)
	return r
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func secs(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
