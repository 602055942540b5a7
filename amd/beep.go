package amd

import "github.com/wismo/wismo/media"

// tone finds a beep: frames whose energy sits almost all in one narrow band between
// BeepMinHz and BeepMaxHz, at the same pitch, for BeepMs in a row. Speech spreads its energy
// over many harmonics and moves its pitch; a voicemail's record tone does neither.
type tone struct {
	cfg     Config
	freqs   []float64 // candidate frequencies
	run     int       // ms of tonal frames in a row
	lastBin int
}

func newTone(cfg Config) tone {
	t := tone{cfg: cfg, lastBin: -10}
	for f := cfg.BeepMinHz; f <= cfg.BeepMaxHz; f += cfg.BeepStepHz {
		t.freqs = append(t.freqs, f)
	}
	return t
}

func (t *tone) reset() { t.run, t.lastBin = 0, -10 }

// feed reports whether the tone has now lasted BeepMs.
func (t *tone) feed(frame []int16, energy float64) bool {
	if energy == 0 {
		t.reset()
		return false
	}
	// The share of the frame's energy in one Goertzel bin: a pure tone at the bin's centre
	// scores 1.
	purity, bestBin := 0.0, -1
	for k, f := range t.freqs {
		if p := media.ToneShare(frame, SampleRate, f); p > purity {
			purity, bestBin = p, k
		}
	}
	if purity < t.cfg.BeepPurity {
		t.reset()
		return false
	}
	if t.run > 0 && abs(bestBin-t.lastBin) > 2 {
		t.run = 0
	}
	t.run += t.cfg.FrameMs
	t.lastBin = bestBin
	return t.run >= t.cfg.BeepMs
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
