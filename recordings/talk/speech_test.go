package talk

import (
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
)

// speak makes text into 8 kHz mono speech with espeak-ng and sox, trimmed to its first and
// last 20 ms frame louder than -40 dBFS (the clip's own extent, the truth the test places).
func speak(t *testing.T, voice, text string) []int16 {
	t.Helper()
	dir := t.TempDir()
	raw, wav := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "8k.wav")
	if out, err := exec.Command("espeak-ng", "-v", voice, "-w", raw, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v %s", err, out)
	}
	if out, err := exec.Command("sox", raw, "-r", "8000", "-c", "1", "-b", "16", wav).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	r, chans, err := media.ReadWAV(wav)
	if err != nil || r != rate {
		t.Fatalf("speech clip: rate %d, %v", r, err)
	}
	s := chans[0]
	lv := levels(s, rate/50)
	first, last := -1, -1
	for i, l := range lv {
		if l > -40 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		t.Fatal("espeak-ng made silence")
	}
	n := rate / 50
	return s[first*n : (last+1)*n]
}

// TestSpeechSegments: real speech (espeak-ng) placed on each channel at known times: each side
// is one segment (the pauses between words are bridged), each boundary within 50 ms of where
// the clip was placed (the acceptance).
func TestSpeechSegments(t *testing.T) {
	storetest.OnePass(t)
	for _, p := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed", p)
		}
	}
	cust := speak(t, "en", "Hello I am calling about my parcel from China")
	agent := speak(t, "ru", "Здравствуйте служба доставки слушает")
	cStart := int64(1000)
	cEnd := cStart + int64(len(cust))*1000/rate
	aStart := cEnd + 800
	aEnd := aStart + int64(len(agent))*1000/rate
	dur := aEnd + 1500
	r := rand.New(rand.NewPCG(11, 12))
	left, right := channel(r, dur, 20, false), channel(r, dur, 20, false)
	copy(left[cStart*rate/1000:], cust)
	copy(right[aStart*rate/1000:], agent)
	m, s, err := AnalyzeFile(writeStereo(t, left, right))
	if err != nil {
		t.Fatal(err)
	}
	within := func(side string, got []Segment, from, to int64) {
		t.Helper()
		if len(got) != 1 {
			t.Errorf("%s: segments %v, want one [%d, %d)", side, got, from, to)
			return
		}
		if d := got[0].StartMS - from; d < -50 || d > 50 {
			t.Errorf("%s starts at %d ms, placed at %d", side, got[0].StartMS, from)
		}
		if d := got[0].EndMS - to; d < -50 || d > 50 {
			t.Errorf("%s ends at %d ms, placed at %d", side, got[0].EndMS, to)
		}
	}
	t.Logf("customer placed [%d, %d) found %v; agent placed [%d, %d) found %v", cStart, cEnd, s.Customer, aStart, aEnd, s.Agent)
	within(Customer, s.Customer, cStart, cEnd)
	within(Agent, s.Agent, aStart, aEnd)
	if d := m.AgentFirstWordMS - aStart; d < -50 || d > 50 {
		t.Errorf("agent's first word at %d ms, placed at %d", m.AgentFirstWordMS, aStart)
	}
}
