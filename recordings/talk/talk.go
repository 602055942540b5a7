// Package talk computes talk analytics of a stereo call recording (customer left, agent
// right): talk segments per side, talk time, dead air, overtalk, interruptions, the longest
// monologue and the time to the agent's first word. Definitions: docs/talk-analytics.md.
package talk

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/wismo/wismo/media"
)

// The definitions of docs/talk-analytics.md.
const (
	FrameMS          = 20
	BridgeMS         = 300   // pauses shorter than this inside a side's talk are bridged
	MinSegmentMS     = 100   // segments shorter than this are dropped
	InterruptAfterMS = 500   // the interrupted side has talked at least this long
	YieldWithinMS    = 2000  // and stops within this after the interruption starts
	DeadAirFlagMS    = 20000 // longest dead air over this flags the call
	AgentShareFlag   = 0.80  // agent talk share over this flags the call

	floorPercentile = 0.10
	floorCapDB      = -40.0
	aboveFloorDB    = 12.0
	minActiveDB     = -55.0
	silenceDB       = -100.0
)

// Side names.
const (
	Customer = "customer"
	Agent    = "agent"
)

// Flag names.
const (
	FlagDeadAir    = "dead_air"
	FlagAgentShare = "agent_talk_share"
)

// ErrNotStereo reports a recording without the two channels the analysis needs.
var ErrNotStereo = errors.New("recording is not a stereo WAV")

// Segment is one talk segment, [StartMS, EndMS) from the start of the recording.
type Segment struct {
	StartMS int64 `json:"start_ms"`
	EndMS   int64 `json:"end_ms"`
}

// Len is the segment's duration.
func (s Segment) Len() int64 { return s.EndMS - s.StartMS }

// Segments are the talk segments of both sides.
type Segments struct {
	Customer []Segment `json:"customer"`
	Agent    []Segment `json:"agent"`
}

// Metrics are a call's talk analytics.
type Metrics struct {
	DurationMS            int64    `json:"duration_ms"`
	CustomerTalkMS        int64    `json:"customer_talk_ms"`
	AgentTalkMS           int64    `json:"agent_talk_ms"`
	AgentShare            float64  `json:"agent_talk_share"`
	OvertalkMS            int64    `json:"overtalk_ms"`
	SilenceMS             int64    `json:"silence_ms"`
	LongestSilenceMS      int64    `json:"longest_silence_ms"`
	CustomerInterruptions int      `json:"customer_interruptions"`
	AgentInterruptions    int      `json:"agent_interruptions"`
	LongestMonologueMS    int64    `json:"longest_monologue_ms"`
	MonologueSide         string   `json:"monologue_side,omitempty"`
	AgentFirstWordMS      int64    `json:"agent_first_word_ms"` // -1: the agent never talked
	Flags                 []string `json:"flags"`
}

// AnalyzeFile reads a stereo WAV recording and analyses it.
func AnalyzeFile(path string) (Metrics, Segments, error) {
	rate, chans, err := media.ReadWAV(path)
	if err != nil {
		return Metrics{}, Segments{}, err
	}
	if len(chans) != 2 {
		return Metrics{}, Segments{}, fmt.Errorf("%s: %d channels: %w", path, len(chans), ErrNotStereo)
	}
	m, s := Analyze(rate, chans[0], chans[1])
	return m, s, nil
}

// Analyze computes the metrics of a call from its customer and agent channels at rate.
func Analyze(rate int, customer, agent []int16) (Metrics, Segments) {
	n := rate / (1000 / FrameMS)
	if n <= 0 {
		return Metrics{AgentFirstWordMS: -1, Flags: []string{}}, Segments{}
	}
	frames := min(len(customer), len(agent)) / n
	segs := Segments{
		Customer: segmentsOf(levels(customer[:frames*n], n)),
		Agent:    segmentsOf(levels(agent[:frames*n], n)),
	}
	return measure(int64(frames)*FrameMS, segs), segs
}

// levels returns the dBFS level of each frame of n samples.
func levels(samples []int16, n int) []float64 {
	out := make([]float64, len(samples)/n)
	for i := range out {
		var sum float64
		for _, s := range samples[i*n : (i+1)*n] {
			v := float64(s)
			sum += v * v
		}
		rms := math.Sqrt(sum / float64(n))
		if rms < 1e-5*32768 {
			out[i] = silenceDB
			continue
		}
		out[i] = 20 * math.Log10(rms/32768)
	}
	return out
}

// threshold is the level from which a frame is active: the noise floor + 12 dB.
func threshold(lv []float64) float64 {
	if len(lv) == 0 {
		return 0
	}
	sorted := slices.Clone(lv)
	slices.Sort(sorted)
	floor := min(sorted[int(float64(len(sorted)-1)*floorPercentile)], floorCapDB)
	return max(floor+aboveFloorDB, minActiveDB)
}

// segmentsOf turns frame levels into talk segments: active runs, short pauses bridged, short
// segments dropped.
func segmentsOf(lv []float64) []Segment {
	th := threshold(lv)
	var runs []Segment
	for i := 0; i < len(lv); {
		if lv[i] < th {
			i++
			continue
		}
		j := i
		for j < len(lv) && lv[j] >= th {
			j++
		}
		runs = append(runs, Segment{int64(i) * FrameMS, int64(j) * FrameMS})
		i = j
	}
	var bridged []Segment
	for _, r := range runs {
		if k := len(bridged) - 1; k >= 0 && r.StartMS-bridged[k].EndMS < BridgeMS {
			bridged[k].EndMS = r.EndMS
			continue
		}
		bridged = append(bridged, r)
	}
	out := bridged[:0]
	for _, s := range bridged {
		if s.Len() >= MinSegmentMS {
			out = append(out, s)
		}
	}
	return out
}

// measure computes the metrics of segments over a recording of duration.
func measure(duration int64, s Segments) Metrics {
	m := Metrics{DurationMS: duration, AgentFirstWordMS: -1, Flags: []string{}}
	for _, c := range s.Customer {
		m.CustomerTalkMS += c.Len()
	}
	for _, a := range s.Agent {
		m.AgentTalkMS += a.Len()
	}
	if total := m.CustomerTalkMS + m.AgentTalkMS; total > 0 {
		m.AgentShare = float64(m.AgentTalkMS) / float64(total)
	}
	if len(s.Agent) > 0 {
		m.AgentFirstWordMS = s.Agent[0].StartMS
	}
	// Overtalk: intersections of the two sorted lists.
	for i, j := 0, 0; i < len(s.Customer) && j < len(s.Agent); {
		c, a := s.Customer[i], s.Agent[j]
		if lo, hi := max(c.StartMS, a.StartMS), min(c.EndMS, a.EndMS); hi > lo {
			m.OvertalkMS += hi - lo
		}
		if c.EndMS < a.EndMS {
			i++
		} else {
			j++
		}
	}
	// Dead air: gaps in the union of both sides' segments, from 0 to duration.
	all := append(slices.Clone(s.Customer), s.Agent...)
	slices.SortFunc(all, func(x, y Segment) int { return int(x.StartMS - y.StartMS) })
	at := int64(0)
	gap := func(to int64) {
		if d := to - at; d > 0 {
			m.SilenceMS += d
			m.LongestSilenceMS = max(m.LongestSilenceMS, d)
		}
	}
	for _, g := range all {
		gap(g.StartMS)
		at = max(at, g.EndMS)
	}
	gap(duration)
	m.CustomerInterruptions = interruptions(s.Customer, s.Agent)
	m.AgentInterruptions = interruptions(s.Agent, s.Customer)
	for _, c := range s.Customer {
		if c.Len() > m.LongestMonologueMS {
			m.LongestMonologueMS, m.MonologueSide = c.Len(), Customer
		}
	}
	for _, a := range s.Agent {
		if a.Len() > m.LongestMonologueMS {
			m.LongestMonologueMS, m.MonologueSide = a.Len(), Agent
		}
	}
	if m.LongestSilenceMS > DeadAirFlagMS {
		m.Flags = append(m.Flags, FlagDeadAir)
	}
	if m.AgentShare > AgentShareFlag {
		m.Flags = append(m.Flags, FlagAgentShare)
	}
	return m
}

// interruptions counts the segments of by that start inside a segment of other which began
// at least InterruptAfterMS earlier and ends within YieldWithinMS of that start.
func interruptions(by, other []Segment) int {
	n := 0
	for _, b := range by {
		for _, o := range other {
			if o.StartMS > b.StartMS {
				break
			}
			if b.StartMS < o.EndMS && b.StartMS-o.StartMS >= InterruptAfterMS && o.EndMS-b.StartMS <= YieldWithinMS {
				n++
				break
			}
		}
	}
	return n
}
