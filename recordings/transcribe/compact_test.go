package transcribe

import (
	"fmt"
	"math"
	"testing"
)

// TestCompactKeepsTalkAndMapsTimesBack: two bursts of "talk" 10 s apart become one short
// audio with 300 ms around each, and times in it map back to the channel's.
func TestCompactKeepsTalkAndMapsTimesBack(t *testing.T) {
	const rate = 8000
	pcm := make([]int16, 15*rate)
	for _, b := range [][2]int{{1000, 2000}, {12000, 13000}} { // ms
		for i := b[0] * rate / 1000; i < b[1]*rate/1000; i++ {
			pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/rate))
		}
	}
	out, pieces := compact(pcm, rate)
	if len(pieces) != 2 || len(out) != 2*(1600*rate/1000) {
		t.Fatalf("pieces %+v, %d samples; want 2 pieces of 1.6 s", pieces, len(out))
	}
	for _, tc := range [][2]int64{{300, 1000}, {1300, 2000}, {1600, 11700}, {1900, 12000}} {
		if got := original(tc[0], pieces, rate); got != tc[1] {
			t.Errorf("original(%d) = %d, want %d", tc[0], got, tc[1])
		}
	}
	if out, pieces := compact(make([]int16, rate), rate); len(out) != 0 || len(pieces) != 0 {
		t.Errorf("a silent side kept %d samples", len(out))
	}
}

// TestChunksBoundTheTalkOfOneRun: pieces are grouped in order, a group holding at most the
// limit of talk unless one piece alone is longer.
func TestChunksBoundTheTalkOfOneRun(t *testing.T) {
	ps := []piece{{0, 10, 0}, {20, 30, 10}, {40, 70, 20}, {80, 85, 50}, {90, 200, 55}} // 10, 10, 30, 5, 110 samples
	got := chunks(ps, 30)
	want := [][]piece{ps[0:2], ps[2:3], ps[3:4], ps[4:5]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("runs %v, want %v", got, want)
	}
}
