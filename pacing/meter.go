package pacing

import (
	"slices"
	"time"
)

// Meter keeps the measures predictive pacing needs from a campaign's calls as they happen:
// the last finished dials' outcomes, answer, talk and wrap-up times, and abandons over a
// rolling window and since it started. It is not safe for concurrent use.
type Meter struct {
	window   time.Duration
	outcomes ring[outcome]
	answers  ring[time.Duration]
	handles  ring[time.Duration]
	wraps    ring[time.Duration]
	noAnswer time.Duration
	// counts holds how many of outcomes are of each kind.
	counts [3]int

	// buckets count person answers and abandons per minute over the window.
	buckets                  []bucket
	runAnswers, runAbandoned int

	dirty                bool
	sortedAns, sortedHdl []time.Duration
}

type outcome uint8

const (
	noAnswer outcome = iota
	person
	machine
)

type bucket struct {
	minute             int64
	answers, abandoned int
}

// NewMeter keeps abandons over window (an hour when zero) and the last few hundred of
// everything else.
func NewMeter(window time.Duration) *Meter {
	if window <= 0 {
		window = time.Hour
	}
	return &Meter{window: window, outcomes: newRing[outcome](1000), answers: newRing[time.Duration](300),
		handles: newRing[time.Duration](300), wraps: newRing[time.Duration](300)}
}

// Person records a call answered by a person ringFor after launch.
func (m *Meter) Person(now time.Time, ringFor time.Duration) {
	m.outcome(person)
	m.answers.add(ringFor)
	m.dirty = true
	m.bucket(now).answers++
	m.runAnswers++
}

// Machine records a call answered by a machine ringFor after launch.
func (m *Meter) Machine(ringFor time.Duration) {
	m.outcome(machine)
	m.answers.add(ringFor)
	m.dirty = true
}

// NoAnswer records a call given up after ringing ringFor.
func (m *Meter) NoAnswer(ringFor time.Duration) {
	m.outcome(noAnswer)
	m.noAnswer = max(m.noAnswer, ringFor)
}

// Abandoned records a person-answered call (already counted by Person) that found no agent.
func (m *Meter) Abandoned(now time.Time) {
	m.bucket(now).abandoned++
	m.runAbandoned++
}

// Talked records a finished conversation's talk time.
func (m *Meter) Talked(d time.Duration) {
	m.handles.add(d)
	m.dirty = true
}

// Wrapped records a finished wrap-up.
func (m *Meter) Wrapped(d time.Duration) { m.wraps.add(d) }

func (m *Meter) outcome(o outcome) {
	if old, ok := m.outcomes.add(o); ok {
		m.counts[old]--
	}
	m.counts[o]++
}

func (m *Meter) bucket(now time.Time) *bucket {
	minute := now.Unix() / 60
	if n := len(m.buckets); n > 0 && m.buckets[n-1].minute == minute {
		return &m.buckets[n-1]
	}
	m.buckets = append(m.buckets, bucket{minute: minute})
	return &m.buckets[len(m.buckets)-1]
}

// Stats are the measures at now.
func (m *Meter) Stats(now time.Time) Stats {
	if m.dirty {
		m.sortedAns = append(m.sortedAns[:0], m.answers.items...)
		slices.Sort(m.sortedAns)
		m.sortedHdl = append(m.sortedHdl[:0], m.handles.items...)
		slices.Sort(m.sortedHdl)
		m.dirty = false
	}
	st := Stats{Dials: len(m.outcomes.items), AnswerTimes: m.sortedAns, Handles: m.sortedHdl, NoAnswer: m.noAnswer}
	if st.Dials > 0 {
		st.PersonRate = float64(m.counts[person]) / float64(st.Dials)
		st.MachineRate = float64(m.counts[machine]) / float64(st.Dials)
	}
	if len(m.wraps.items) > 0 {
		st.Wrap = meanDuration(m.wraps.items)
	}
	from := now.Add(-m.window).Unix() / 60
	drop := 0
	for drop < len(m.buckets) && m.buckets[drop].minute < from {
		drop++
	}
	m.buckets = m.buckets[drop:]
	abandoned := 0
	for _, b := range m.buckets {
		st.Answers += b.answers
		abandoned += b.abandoned
	}
	if st.Answers > 0 {
		st.AbandonRate = float64(abandoned) / float64(st.Answers)
	}
	if m.runAnswers > 0 {
		st.RunRate = float64(m.runAbandoned) / float64(m.runAnswers)
	}
	return st
}

// ring keeps the last cap items (in no particular order once full).
type ring[T any] struct {
	items []T
	next  int
}

func newRing[T any](capacity int) ring[T] { return ring[T]{items: make([]T, 0, capacity)} }

// add keeps x and returns the item it pushed out, if any.
func (r *ring[T]) add(x T) (old T, evicted bool) {
	if len(r.items) < cap(r.items) {
		r.items = append(r.items, x)
		return old, false
	}
	old = r.items[r.next]
	r.items[r.next] = x
	r.next = (r.next + 1) % len(r.items)
	return old, true
}
