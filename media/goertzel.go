package media

import "math"

// ToneShare measures how much of the energy of samples lies at freq Hz, from 0 (none) to
// about 1 (a pure tone), with the Goertzel algorithm (one DFT bin; G. Goertzel, "An
// Algorithm for the Evaluation of Finite Trigonometric Series", 1958). Tests use it to tell
// which side of a call a recorded channel carries.
func ToneShare(samples []int16, rate int, freq float64) float64 {
	n := len(samples)
	if n == 0 {
		return 0
	}
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2, energy float64
	for _, x := range samples {
		v := float64(x)
		energy += v * v
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	if energy == 0 {
		return 0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	// A pure sinusoid of N samples puts N/2 * energy into its bin.
	return power / (energy * float64(n) / 2)
}

// RMS returns the root mean square of samples (0 for silence).
func RMS(samples []int16) float64 {
	if len(samples) == 0 {
		return 0
	}
	var sum float64
	for _, x := range samples {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum / float64(len(samples)))
}

// Ringback is one cadence of the ringing tone a caller hears while the far end rings: 425 Hz,
// 1 s on, 4 s off (ITU-T E.180 / the European ringing tone), 8 kHz.
func Ringback() []int16 {
	s := make([]int16, 5*8000)
	for i := range 8000 {
		s[i] = int16(6000 * math.Sin(2*math.Pi*425*float64(i)/8000))
	}
	return s
}
