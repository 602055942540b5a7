package amd

import "math"

// tone finds a beep: frames whose energy sits almost all in one narrow band between
// BeepMinHz and BeepMaxHz, at the same pitch, for BeepMs in a row. Speech spreads its energy
// over many harmonics and moves its pitch; a voicemail's record tone does neither.
type tone struct {
	cfg     Config
	coeffs  []float64 // Goertzel 2cos(2πf/fs) per candidate frequency
	run     int       // ms of tonal frames in a row
	lastBin int
}

func newTone(cfg Config, n int) tone {
	t := tone{cfg: cfg, lastBin: -10}
	for f := cfg.BeepMinHz; f <= cfg.BeepMaxHz; f += cfg.BeepStepHz {
		t.coeffs = append(t.coeffs, 2*math.Cos(2*math.Pi*f/SampleRate))
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
	best, bestBin := 0.0, -1
	for k, c := range t.coeffs {
		var s1, s2 float64
		for _, x := range frame {
			s0 := float64(x) + c*s1 - s2
			s2, s1 = s1, s0
		}
		p := s1*s1 + s2*s2 - c*s1*s2 // |X(f)|²
		if p > best {
			best, bestBin = p, k
		}
	}
	// A sine of amplitude A over N samples gives |X|² = (AN/2)² and energy A²N/2, so a pure
	// tone at a bin's centre has purity 1.
	purity := best * 2 / (float64(len(frame)) * energy)
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
