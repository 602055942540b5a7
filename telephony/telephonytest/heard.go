package telephonytest

import "github.com/wismo/wismo/media"

// Tone labels audio of one frequency in tests: a recorded prompt made of a tone, or what a
// party says.
type Tone struct {
	Label string
	Hz    float64
}

// HeardInOrder reads 8 kHz audio (what a phone heard) in 100 ms windows as the labels of
// tones (the window mostly that tone) or "speech" (other sound), runs of at least 300 ms, in
// order.
func HeardInOrder(samples []int16, tones ...Tone) []string {
	var out []string
	last, run := "", 0
	for off := 0; off+800 <= len(samples); off += 800 {
		win, label := samples[off:off+800], ""
		for _, t := range tones {
			if media.ToneShare(win, 8000, t.Hz) > 0.6 {
				label = t.Label
				break
			}
		}
		if label == "" && media.RMS(win) > 300 {
			label = "speech"
		}
		if label == last {
			run++
		} else {
			last, run = label, 1
		}
		if run == 3 && label != "" && (len(out) == 0 || out[len(out)-1] != label) {
			out = append(out, label)
		}
	}
	return out
}

// InOrder says whether want appears in got in this order (other labels between).
func InOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
