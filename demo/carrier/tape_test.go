package carrier

import (
	"bytes"
	"testing"
	"time"
)

// TestTape: a tape says its lines after their pauses, loops, stops starting lines at its
// limit (finishing the one it is in), pads with silence to the limit, then says goodbye.
func TestTape(t *testing.T) {
	hello, reply, bye := clip('h', 3), clip('r', 2), clip('b', 1) // in 20 ms frames
	for _, tc := range []struct {
		name string
		tape tape
		want string // one letter a frame: . silence
	}{
		{"once, then silence", tape{lines: []line{{40 * time.Millisecond, hello}}, loop: -1, limit: 160 * time.Millisecond},
			"..hhh..."},
		{"loops from the second line", tape{lines: []line{{0, hello}, {20 * time.Millisecond, reply}}, loop: 1, limit: 240 * time.Millisecond, bye: bye},
			"hhh.rr.rr.rrb"},
		{"a line that started is finished", tape{lines: []line{{20 * time.Millisecond, hello}}, loop: 0, limit: 60 * time.Millisecond},
			".hhh"},
		{"a line that neither waits nor speaks ends the lines", tape{lines: []line{{0, nil}}, loop: 0, limit: 60 * time.Millisecond, bye: bye},
			"...b"},
	} {
		var got []byte
		for f := range tc.tape.frames() {
			if len(f) != frameBytes {
				t.Fatalf("%s: frame of %d bytes", tc.name, len(f))
			}
			switch {
			case f[0] == muLawSilence:
				got = append(got, '.')
			default:
				got = append(got, f[0])
			}
		}
		if string(got) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// A clip that does not fill its last frame is padded with silence.
	odd := tape{lines: []line{{0, bytes.Repeat([]byte{'x'}, 170)}}, loop: -1, limit: frameTime}
	var frames [][]byte
	for f := range odd.frames() {
		frames = append(frames, bytes.Clone(f))
	}
	if len(frames) != 2 || frames[1][9] != 'x' || frames[1][10] != muLawSilence {
		t.Errorf("odd clip: %d frames", len(frames))
	}
}

func clip(c byte, frames int) []byte { return bytes.Repeat([]byte{c}, frames*frameBytes) }
