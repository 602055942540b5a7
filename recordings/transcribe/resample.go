package transcribe

import "math"

// halfTaps is how many input samples on each side of an inserted sample weigh on it.
const halfTaps = 8

// halfBand are the weights of the samples around an inserted one: a sinc at the half-sample
// offsets (a low-pass at the input's Nyquist frequency), Blackman-windowed, summing to one.
var halfBand = func() [2 * halfTaps]float64 {
	var w [2 * halfTaps]float64
	sum := 0.0
	for i := range w {
		t := float64(i-halfTaps) + 0.5 // -7.5 ... 7.5
		x := math.Pi * t
		win := 0.42 + 0.5*math.Cos(math.Pi*t/halfTaps) + 0.08*math.Cos(2*math.Pi*t/halfTaps)
		w[i] = math.Sin(x) / x * win
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}()

// Upsample2 doubles pcm's sample rate (8 kHz telephone audio to the 16 kHz pocketsphinx's
// English model expects): every input sample is kept, and a sample between each two is
// interpolated by a windowed-sinc half-band filter, so no image of the 0-4 kHz band appears
// above 4 kHz (the band stays empty, as the telephone left it).
func Upsample2(pcm []int16) []int16 {
	out := make([]int16, 2*len(pcm))
	for n, s := range pcm {
		out[2*n] = s
		acc := 0.0
		for i, w := range halfBand {
			k := n + i - halfTaps + 1 // samples n-7 ... n+8 around the gap after n
			if k >= 0 && k < len(pcm) {
				acc += w * float64(pcm[k])
			}
		}
		out[2*n+1] = clamp16(acc)
	}
	return out
}

func clamp16(v float64) int16 {
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}
