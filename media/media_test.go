package media

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func sine(n, rate int, freq, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

func TestG711RoundTrip(t *testing.T) {
	c := NewCodecs()
	for _, tc := range []struct {
		name string
		pt   uint8
	}{{"PCMU", PayloadPCMU}, {"PCMA", PayloadPCMA}} {
		t.Run(tc.name, func(t *testing.T) {
			// Every code decodes and re-encodes to itself (except the two zeros of each law).
			for i := range 256 {
				b := byte(i)
				lin := c.Decode(nil, tc.pt, []byte{b})[0]
				back := Encode(nil, tc.pt, []int16{lin})[0]
				if back != b && lin != 0 {
					t.Fatalf("code %#02x -> %d -> %#02x", b, lin, back)
				}
			}
			// Quantisation error stays within G.711's segment step (under 1/16 of the value).
			for _, s := range []int16{0, 1, -1, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000, 32767, -32768} {
				got := c.Decode(nil, tc.pt, Encode(nil, tc.pt, []int16{s}))[0]
				if d := math.Abs(float64(got) - float64(s)); d > math.Abs(float64(s))/16+16 && !(math.Abs(float64(s)) > 32000 && d < 1100) {
					t.Errorf("%d -> %d (error %v)", s, got, d)
				}
			}
		})
	}
}

func TestTranscodeKeepsTone(t *testing.T) {
	c := NewCodecs()
	tone := sine(1600, 8000, 1000, 12000)
	mu := Encode(nil, PayloadPCMU, tone)
	c.Transcode(mu, PayloadPCMU, PayloadPCMA)
	pcm := c.Decode(nil, PayloadPCMA, mu)
	if s := ToneShare(pcm, 8000, 1000); s < 0.9 {
		t.Fatalf("1 kHz share after mu->A = %.2f", s)
	}
	c.Transcode(mu, PayloadPCMA, PayloadPCMU)
	if s := ToneShare(c.Decode(nil, PayloadPCMU, mu), 8000, 1000); s < 0.9 {
		t.Fatalf("1 kHz share after A->mu = %.2f", s)
	}
}

func TestToneShare(t *testing.T) {
	tone := sine(8000, 8000, 1000, 10000)
	if s := ToneShare(tone, 8000, 1000); s < 0.95 {
		t.Errorf("1 kHz in a 1 kHz tone: %.3f", s)
	}
	if s := ToneShare(tone, 8000, 600); s > 0.05 {
		t.Errorf("600 Hz in a 1 kHz tone: %.3f", s)
	}
	if s := ToneShare(make([]int16, 100), 8000, 1000); s != 0 {
		t.Errorf("silence: %.3f", s)
	}
}

func TestWAVWriteReadRepair(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.wav")
	w, err := CreateWAV(path, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	left, right := sine(800, 8000, 1000, 9000), sine(800, 8000, 600, 9000)
	frames := make([]int16, 0, 1600)
	for i := range left {
		frames = append(frames, left[i], right[i])
	}
	if err := w.WriteSamples(frames); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// A crash: more samples land after the last header update, and the last frame is torn.
	if err := w.WriteSamples(frames); err != nil {
		t.Fatal(err)
	}
	w.f.Write([]byte{1, 2, 3})
	w.f.Close()

	rate, chans, err := ReadWAV(path)
	if err != nil || rate != 8000 || len(chans[0]) != 800 {
		t.Fatalf("before repair: rate %d frames %d err %v (the header covers the first flush)", rate, len(chans[0]), err)
	}
	fixed, err := RepairWAV(path)
	if err != nil || !fixed {
		t.Fatalf("repair: %v %v", fixed, err)
	}
	_, chans, err = ReadWAV(path)
	if err != nil || len(chans) != 2 || len(chans[0]) != 1600 {
		t.Fatalf("after repair: %d frames, err %v", len(chans[0]), err)
	}
	if ToneShare(chans[0], 8000, 1000) < 0.9 || ToneShare(chans[1], 8000, 600) < 0.9 {
		t.Fatal("channels lost their tones")
	}
	if fixed, err := RepairWAV(path); err != nil || fixed {
		t.Fatalf("second repair changed the file: %v %v", fixed, err)
	}
	st, _ := os.Stat(path)
	if st.Size() != 44+1600*4 {
		t.Fatalf("size %d", st.Size())
	}
	bad := filepath.Join(t.TempDir(), "bad.wav")
	os.WriteFile(bad, []byte("not a wav at all, longer than forty-four bytes....."), 0o600)
	if _, err := RepairWAV(bad); err == nil {
		t.Fatal("repaired a non-WAV")
	}
}

// TestEncodeTablesMatchG711: Encode's lookup tables give, for every 16-bit sample, the byte
// the G.711 encoders compute.
func TestEncodeTablesMatchG711(t *testing.T) {
	all := make([]int16, 65536)
	for i := range all {
		all[i] = int16(uint16(i))
	}
	a, mu := Encode(nil, PayloadPCMA, all), Encode([]byte{0xff}, PayloadPCMU, all)
	if len(a) != 65536 || len(mu) != 65537 || mu[0] != 0xff {
		t.Fatalf("lengths %d %d, or dst not appended to", len(a), len(mu))
	}
	for i, s := range all {
		if a[i] != ALawEncode(s) || mu[i+1] != MuLawEncode(s) {
			t.Fatalf("sample %d: A-law %#x want %#x, mu-law %#x want %#x", s, a[i], ALawEncode(s), mu[i+1], MuLawEncode(s))
		}
	}
}

// BenchmarkEncodePacket: one 20 ms packet of an announcement, as Play encodes it.
func BenchmarkEncodePacket(b *testing.B) {
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(i * 97)
	}
	buf := make([]byte, 0, 160)
	for b.Loop() {
		buf = Encode(buf[:0], PayloadPCMA, pcm)
	}
}
