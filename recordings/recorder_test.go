package recordings

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/wismo/wismo/media"
)

func tone(n int, freq float64, phase int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(9000 * math.Sin(2*math.Pi*freq*float64(i+phase)/Rate))
	}
	return out
}

func TestRecorderAlignsByTimestamp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	w, err := media.CreateWAV(path, Rate, 2)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := NewRecorder(w, start)
	// Customer: 3 s of 1 kHz in 20 ms packets from ts 1000, with packets 10-14 lost and
	// 20/21 swapped. Agent: 600 Hz, starting 0.5 s later, timestamps near the uint32 wrap.
	const pkt = 160
	for i := range 150 {
		if i >= 10 && i < 15 {
			continue
		}
		j := i
		if i == 20 {
			j = 21
		} else if i == 21 {
			j = 20
		}
		r.Write(Left, uint32(1000+j*pkt), start.Add(time.Duration(j)*20*time.Millisecond), tone(pkt, 1000, j*pkt))
		if i >= 25 {
			k := i - 25
			r.Write(Right, uint32(math.MaxUint32-800+k*pkt), start.Add(500*time.Millisecond+time.Duration(k)*20*time.Millisecond), tone(pkt, 600, k*pkt))
		}
	}
	frames, err := r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if frames != 150*pkt {
		t.Fatalf("frames = %d, want %d", frames, 150*pkt)
	}
	_, ch, err := media.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	left, right := ch[0], ch[1]
	if s := media.ToneShare(left[2400:], Rate, 1000); s < 0.9 {
		t.Errorf("left 1 kHz share %.2f", s)
	}
	if s := media.ToneShare(right[4000:], Rate, 600); s < 0.9 {
		t.Errorf("right 600 Hz share %.2f (wrap of the RTP timestamp)", s)
	}
	if media.RMS(left[10*pkt:15*pkt]) != 0 {
		t.Error("the lost packets' gap is not silent")
	}
	if media.RMS(right[:3900]) != 0 {
		t.Error("the agent's channel has audio before the agent spoke")
	}
	if s := media.ToneShare(left[20*pkt:22*pkt], Rate, 1000); s < 0.9 {
		t.Errorf("swapped packets not put back in order: share %.2f", s)
	}
}

// TestRecorderStaleBurst: three seconds of one side queued up unread arrive at once when
// the bridge starts; they must not push the other side's live audio out of the window.
func TestRecorderStaleBurst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "burst.wav")
	w, err := media.CreateWAV(path, Rate, 2)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := NewRecorder(w, start)
	for i := range 150 { // the burst: 3 s of audio, all "arriving" at start
		r.Write(Left, uint32(i*160), start, tone(160, 1000, i*160))
	}
	for i := range 150 { // then both sides live for 3 s
		at := start.Add(time.Duration(i) * 20 * time.Millisecond)
		r.Write(Left, uint32((150+i)*160), at, tone(160, 1000, i*160))
		r.Write(Right, uint32(5000+i*160), at, tone(160, 600, i*160))
	}
	if _, err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_, ch, err := media.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := media.ToneShare(ch[1][4000:150*160], Rate, 600); s < 0.9 {
		t.Fatalf("right channel lost to the left's stale burst: 600 Hz share %.2f", s)
	}
}
