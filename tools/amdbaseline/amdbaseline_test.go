package amdbaseline

import (
	"math"
	"testing"
)

// speech builds audio from segments: positive ms is a 300 Hz sine loud enough to be voice,
// negative ms is digital silence.
func speech(segs ...int) []int16 {
	var s []int16
	for _, ms := range segs {
		n := abs(ms) * 8
		for i := 0; i < n; i++ {
			v := 0.0
			if ms > 0 {
				v = 8000 * math.Sin(2*math.Pi*300*float64(i)/8000)
			}
			s = append(s, int16(v))
		}
	}
	return s
}

// clicks is n times 80 ms of voice and 700 ms of silence.
func clicks(n int) []int16 {
	var segs []int
	for range n {
		segs = append(segs, 80, -700)
	}
	return speech(segs...)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// The documented outcomes of amd.conf's defaults, one per rule.
func TestDocumentedRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		audio  []int16
		status Status
		cause  string
	}{
		{"silence past initial_silence", speech(-3000), Machine, "INITIALSILENCE"},
		{"a word, then after_greeting_silence", speech(-300, 500, -1000), Human, "HUMAN"},
		{"two words is maximum_number_of_words", speech(-300, 400, -200, 400, -2000), Machine, "MAXWORDS"},
		{"one word past greeting", speech(-300, 2500), Machine, "LONGGREETING"},
		// Clicks shorter than min_word_length keep breaking the silence: no rule ever holds.
		{"nothing decided in total_analysis_time", clicks(8), NotSure, "TOOLONG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(Defaults, tc.audio)
			if got.Status != tc.status || got.Cause != tc.cause {
				t.Fatalf("got %+v, want %s %s", got, tc.status, tc.cause)
			}
		})
	}
}
