package amd

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// clip builds audio from segments over white line noise at -60 dBFS: "v" is speech-like sound
// (a 200 Hz buzz with harmonics, its loudness swinging at a syllable rate), "s" is silence,
// "b" is a 1 kHz beep; each lasts ms.
type seg struct {
	kind byte
	ms   int
}

func clip(segs ...seg) []int16 {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []int16
	for _, sg := range segs {
		for i := range sg.ms * 8 {
			t := float64(i) / SampleRate
			v := 0.0
			switch sg.kind {
			case 'v':
				env := 0.55 + 0.45*math.Sin(2*math.Pi*4*t)
				for h := 1; h <= 8; h++ {
					v += math.Sin(2*math.Pi*200*float64(h)*t) / float64(h)
				}
				v *= 5000 * env
			case 'b':
				v = 8000 * math.Sin(2*math.Pi*1000*t)
			}
			v += 32768 * 0.001 * rng.NormFloat64()
			out = append(out, int16(v))
		}
	}
	return out
}

// The rules of docs/amd.md, one case each.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		audio  []int16
		result Result
		cause  string
	}{
		{"a word, then waiting", clip(seg{'s', 400}, seg{'v', 500}, seg{'s', 3000}), Human, CauseSilenceAfter},
		{"a phrase, then waiting", clip(seg{'s', 300}, seg{'v', 700}, seg{'s', 200}, seg{'v', 600}, seg{'s', 3000}), Human, CauseSilenceAfter},
		{"talking on", clip(seg{'s', 300}, seg{'v', 4000}), Machine, CauseLongGreeting},
		{"sentences with short pauses", clip(seg{'s', 300}, seg{'v', 900}, seg{'s', 400}, seg{'v', 900}, seg{'s', 400}, seg{'v', 900}, seg{'s', 400}, seg{'v', 900}), Machine, CauseLongGreeting},
		{"a short greeting and a beep", clip(seg{'s', 300}, seg{'v', 1100}, seg{'s', 400}, seg{'b', 500}, seg{'s', 2000}), Machine, CauseBeep},
		{"nothing said", clip(seg{'s', 5000}), Unsure, CauseNoSpeech},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(tc.audio)
			if got.Result != tc.result || got.Cause != tc.cause {
				t.Fatalf("got %+v, want %s (%s)", got, tc.result, tc.cause)
			}
			if got.DecidedAfterMs <= 0 || got.DecidedAfterMs > Defaults.TotalMs {
				t.Fatalf("decided after %d ms", got.DecidedAfterMs)
			}
		})
	}
}

// A person who answers and waits is told apart as soon as their wait is long enough: the
// streaming detector decides at the same moment whether it sees the rest of the audio or not.
func TestDecidesWithoutTheRest(t *testing.T) {
	audio := clip(seg{'s', 400}, seg{'v', 500}, seg{'s', 3000})
	full := Classify(audio)
	cut := Classify(audio[:full.DecidedAfterMs*8])
	if cut != full {
		t.Fatalf("on the audio up to the decision: %+v, on all of it: %+v", cut, full)
	}
}

// The committed greetings (tools/amdclips, seed 1; labels in labels.json) are classified with
// at least 90% accuracy, and no person is taken for a machine by a beep.
func TestLabelledGreetings(t *testing.T) {
	dir := filepath.Join("testdata", "clips")
	b, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var labels []struct{ Name, Label string }
	if err := json.Unmarshal(b, &labels); err != nil {
		t.Fatal(err)
	}
	if len(labels) < 20 {
		t.Fatalf("%d labelled clips, want 20", len(labels))
	}
	right := 0
	for _, l := range labels {
		f, err := os.Open(filepath.Join(dir, l.Name+".wav"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := ReadWAV(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		d := Classify(s)
		if string(d.Result) == l.Label {
			right++
		} else {
			t.Logf("%s (%s): %+v", l.Name, l.Label, d)
		}
		if l.Label == "human" && d.Cause == CauseBeep {
			t.Errorf("%s: a person's voice taken for a beep", l.Name)
		}
	}
	if acc := float64(right) / float64(len(labels)); acc < 0.9 {
		t.Fatalf("accuracy %.0f%% (%d of %d), want at least 90%%", 100*acc, right, len(labels))
	}
}

func TestReadWAVNamesWhatItIs(t *testing.T) {
	var good bytes.Buffer
	if err := WriteWAV(&good, []int16{1, -2, 3}); err != nil {
		t.Fatal(err)
	}
	s, err := ReadWAV(bytes.NewReader(good.Bytes()))
	if err != nil || len(s) != 3 || s[1] != -2 {
		t.Fatalf("round trip: %v %v", s, err)
	}
	bad := bytes.Clone(good.Bytes())
	bad[24] = 0x80 // 16000 Hz
	bad[25] = 0x3e
	_, err = ReadWAV(bytes.NewReader(bad))
	if !errors.Is(err, ErrFormat) || !bytes.Contains([]byte(err.Error()), []byte("16000 Hz")) {
		t.Fatalf("a 16 kHz file: %v", err)
	}
	if _, err := ReadWAV(bytes.NewReader([]byte("ID3 not a wav"))); !errors.Is(err, ErrFormat) {
		t.Fatalf("not a WAV: %v", err)
	}
}
