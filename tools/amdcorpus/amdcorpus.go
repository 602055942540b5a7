// Package amdcorpus generates labelled greetings for answering-machine detection: what the
// caller hears in the first seconds after the far end answers, as 8 kHz mono 16-bit WAV.
// Speech comes from espeak-ng (Debian) in several voices, variants, speeds and two languages,
// band-limited to the telephone band by sox; the pauses, beeps and line noise are laid out
// here from a seeded random source, so a seed always gives the same set.
//
// People pick up, say a word or a short phrase and wait (some say it again after a while);
// machines pick up, sometimes after a pause, talk for seconds and usually end with a beep.
// The kinds below are those patterns; each clip's label follows from its kind alone.
package amdcorpus

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/wismo/wismo/amd"
)

// Clip is one generated greeting.
type Clip struct {
	Name  string `json:"name"`
	Label string `json:"label"` // "human" or "machine": the truth
	Kind  string `json:"kind"`
	Voice string `json:"voice"`
	Speed int    `json:"speed"`
	Text  string `json:"text"`
	Noise bool   `json:"noise"`
	Beep  int    `json:"beep_hz,omitempty"`
	// Samples is the audio (8 kHz mono 16-bit), not written to JSON.
	Samples []int16 `json:"-"`
}

var (
	humanWords = map[string][]string{
		"ru": {"Алло?", "Да?", "Слушаю.", "Алло.", "Да, алло?"},
		"en": {"Hello?", "Yes?", "Hi.", "Hello.", "Yeah?"},
	}
	humanPhrases = map[string][]string{
		"ru": {"Да, слушаю.", "Алло, кто это?", "Да, говорите.", "Алло, слушаю вас."},
		"en": {"Yes, speaking.", "Hello, who is it?", "Hello, yes?", "Hi, who's calling?"},
	}
	machineGreetings = map[string][]string{
		"ru": {
			"Здравствуйте. Вы позвонили Марине. Я сейчас не могу ответить. Оставьте, пожалуйста, сообщение после сигнала.",
			"Абонент не может ответить на ваш звонок. Оставьте сообщение после звукового сигнала.",
			"Привет, это Дима. Меня нет на месте, перезвоните позже или оставьте сообщение.",
			"Вы дозвонились в компанию Ромашка. Все операторы заняты. Оставьте ваше сообщение после сигнала.",
		},
		"en": {
			"Hi, you have reached Anna. I can't take your call right now. Please leave a message after the tone.",
			"The person you are calling is not available. Please leave a message after the beep.",
			"Hello, this is John. I'm away from the phone, leave your name and number and I will call you back.",
			"You have reached the voicemail of extension two four one. Please record your message after the tone.",
		},
	}
	machineShort = map[string][]string{
		"ru": {"Оставьте сообщение.", "Говорите после сигнала."},
		"en": {"Leave a message.", "Speak after the tone."},
	}
	voices   = map[string][]string{"ru": {"ru"}, "en": {"en", "en-us"}}
	variants = []string{"", "+m1", "+m2", "+m3", "+f1", "+f2", "+f3"}
)

// Kinds and their shares (per mille); the labels are the kinds' truth.
var kinds = []struct {
	name, label string
	share       int
}{
	{"person_word", "human", 300},      // a word, then waiting (maybe the word again)
	{"person_phrase", "human", 250},    // a short phrase, then waiting
	{"machine_beep", "machine", 250},   // a long greeting, then a beep
	{"machine_nobeep", "machine", 100}, // a long greeting with no beep in the window
	{"machine_late", "machine", 60},    // a pause, then a long greeting and a beep
	{"machine_short", "machine", 40},   // a short greeting and a beep
}

// Generator makes clips; it caches espeak-ng's output per sentence, voice and speed.
type Generator struct {
	Seconds float64 // each clip's length (the detectors decide within 5 s)
	tmp     string
	mu      sync.Mutex
	cache   map[string][]int16
}

// NewGenerator checks for espeak-ng and sox and makes a scratch directory.
func NewGenerator(seconds float64) (*Generator, error) {
	for _, c := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(c); err != nil {
			return nil, fmt.Errorf("%s not found: apt-get install espeak-ng sox (tools/install-test-deps.sh)", c)
		}
	}
	tmp, err := os.MkdirTemp("", "amdcorpus")
	if err != nil {
		return nil, err
	}
	return &Generator{Seconds: seconds, tmp: tmp, cache: map[string][]int16{}}, nil
}

// Close removes the scratch directory.
func (g *Generator) Close() error { return os.RemoveAll(g.tmp) }

// Generate makes n clips from seed.
func (g *Generator) Generate(ctx context.Context, seed uint64, n int) ([]Clip, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	clips := make([]Clip, 0, n)
	for i := range n {
		c, err := g.one(ctx, rng, i)
		if err != nil {
			return nil, err
		}
		clips = append(clips, c)
	}
	return clips, nil
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func (g *Generator) one(ctx context.Context, rng *rand.Rand, i int) (Clip, error) {
	r, k := rng.IntN(1000), 0
	for r >= kinds[k].share {
		r -= kinds[k].share
		k++
	}
	kind := kinds[k]
	lang := pick(rng, []string{"ru", "en"})
	voice := pick(rng, voices[lang]) + pick(rng, variants)
	speed := 130 + rng.IntN(71)
	c := Clip{Name: fmt.Sprintf("%03d-%s-%s", i, kind.name, lang), Label: kind.label, Kind: kind.name, Voice: voice, Speed: speed}
	total := int(g.Seconds * amd.SampleRate)
	out := make([]int16, 0, total)
	silence := func(sec float64) {
		for range int(sec * amd.SampleRate) {
			out = append(out, 0)
		}
	}
	gain := math.Pow(10, (-3-9*rng.Float64())/20) // speech peaks at -3..-12 dBFS
	say := func(text string) error {
		s, err := g.speak(ctx, text, voice, speed)
		if err != nil {
			return err
		}
		for _, v := range s {
			out = append(out, int16(float64(v)*gain))
		}
		return nil
	}
	beep := func() {
		hz := 400 + 100*rng.IntN(17)
		c.Beep = hz
		amp := 32767 * math.Pow(10, (-6-10*rng.Float64())/20)
		for j := range int((0.3 + 0.7*rng.Float64()) * amd.SampleRate) {
			out = append(out, int16(amp*math.Sin(2*math.Pi*float64(hz)*float64(j)/amd.SampleRate)))
		}
	}
	var err error
	switch kind.name {
	case "person_word", "person_phrase":
		c.Text = pick(rng, humanWords[lang])
		if kind.name == "person_phrase" {
			c.Text = pick(rng, humanPhrases[lang])
		}
		silence(0.15 + 0.9*rng.Float64())
		err = say(c.Text)
		if err == nil && rng.IntN(2) == 0 { // no answer from the caller: the person asks again
			silence(1.5 + 1.5*rng.Float64())
			err = say(pick(rng, humanWords[lang]))
		}
	case "machine_beep", "machine_nobeep", "machine_late", "machine_short":
		c.Text = pick(rng, machineGreetings[lang])
		if kind.name == "machine_short" {
			c.Text = pick(rng, machineShort[lang])
		}
		lead := 0.1 + 0.6*rng.Float64()
		if kind.name == "machine_late" {
			lead = 0.8 + 1.4*rng.Float64()
		}
		silence(lead)
		err = say(c.Text)
		if kind.name != "machine_nobeep" {
			silence(0.2 + 0.6*rng.Float64())
			beep()
		}
	}
	if err != nil {
		return c, err
	}
	for len(out) < total {
		out = append(out, 0)
	}
	out = out[:total]
	if rng.IntN(3) > 0 { // line noise: white, -65..-40 dBFS RMS
		c.Noise = true
		sd := 32768 * math.Pow(10, (-65+25*rng.Float64())/20)
		for j := range out {
			v := float64(out[j]) + sd*rng.NormFloat64()
			out[j] = int16(max(-32768, min(32767, v)))
		}
	}
	c.Samples = out
	return c, nil
}

// speak renders text with espeak-ng and brings it to the telephone band (ITU-T G.712,
// 300-3400 Hz) at 8 kHz, peaks at full scale, without espeak's leading and trailing silence.
func (g *Generator) speak(ctx context.Context, text, voice string, speed int) ([]int16, error) {
	key := fmt.Sprintf("%s|%d|%s", voice, speed, text)
	g.mu.Lock()
	s, ok := g.cache[key]
	g.mu.Unlock()
	if ok {
		return s, nil
	}
	raw, tel := filepath.Join(g.tmp, "raw.wav"), filepath.Join(g.tmp, "tel.wav")
	if out, err := exec.CommandContext(ctx, "espeak-ng", "-v", voice, "-s", fmt.Sprint(speed), "-w", raw, text).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("espeak-ng -v %s: %v: %s", voice, err, out)
	}
	if out, err := exec.CommandContext(ctx, "sox", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", tel,
		"highpass", "300", "lowpass", "3400", "norm", "-0.5").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sox: %v: %s", err, out)
	}
	b, err := os.ReadFile(tel)
	if err != nil {
		return nil, err
	}
	s, err = amd.ReadWAV(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("sox output: %w", err)
	}
	first, last := 0, len(s)
	for first < last && abs16(s[first]) < 300 {
		first++
	}
	for last > first && abs16(s[last-1]) < 300 {
		last--
	}
	s = s[first:last]
	g.mu.Lock()
	g.cache[key] = s
	g.mu.Unlock()
	return s, nil
}

func abs16(v int16) int {
	if v < 0 {
		return -int(v)
	}
	return int(v)
}
