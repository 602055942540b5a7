// Package amd is answering-machine detection: it classifies the far end of an answered call as
// a person, a machine or "unsure" from the first seconds of its audio (8 kHz mono 16-bit PCM),
// and says why and how soon it decided. The model — what counts as speech, a greeting, a beep,
// and which rule decides — is stated in docs/amd.md; the thresholds below are that document's.
//
// People answer with a word or two ("Алло?", "Hello?") and wait for the caller; machines talk
// on for seconds and end with a beep. The detector listens for exactly that: how long the
// greeting runs, how long the silence after it lasts, and a steady tone.
package amd

import "math"

// Result is what the detector decided about the far end.
type Result string

// The three results. Unsure is a decision too: the audio fit neither pattern in time, and a
// campaign connects such a call to an agent.
const (
	Human   Result = "human"
	Machine Result = "machine"
	Unsure  Result = "unsure"
)

// Causes name the rule that decided (docs/amd.md, "Rules").
const (
	CauseBeep         = "beep"                   // a steady tone: a voicemail's record signal
	CauseLongGreeting = "long_greeting"          // more speech than a person says before waiting
	CauseManyWords    = "many_words"             // more separate utterances than a person's greeting
	CauseSilenceAfter = "silence_after_greeting" // a short greeting, then the far end waited
	CauseNoSpeech     = "no_speech"              // nothing said within the initial window
	CauseTooLong      = "too_long"               // no rule fired within the analysis time
	CauseEndOfAudio   = "end_of_audio"           // the audio ended before any rule fired
)

// Decision is the detector's answer.
type Decision struct {
	Result Result `json:"result"`
	Cause  string `json:"cause"`
	// DecidedAfterMs is the audio time, from the answer, at which the decision was made.
	DecidedAfterMs int `json:"decided_after_ms"`
}

// Config holds the model's thresholds; Defaults are docs/amd.md's.
type Config struct {
	FrameMs           int     // analysis frame
	FloorWindowMs     int     // the noise floor is the quietest frame within this window
	VoiceAboveFloorDB float64 // a frame is voiced this far above the floor...
	VoiceMinDBFS      float64 // ...and at least this loud
	OnsetMs           int     // voiced run that starts an utterance
	GapMs             int     // unvoiced run that ends an utterance
	LongTalkMs        int     // talk this long with no wait in it is a machine
	LongSpeechMs      int     // this much speech in total is a machine
	MaxUtterances     int     // more utterances than this before the far end waits: machine
	ShortGreetingMs   int     // a greeting up to this long...
	SilenceShortMs    int     // ...followed by this much silence is a person
	SilenceMediumMs   int     // a longer greeting needs this much silence (time for a beep)
	NoSpeechMs        int     // no utterance by then: unsure
	TotalMs           int     // give up: unsure
	BeepMinHz         float64 // tone search band
	BeepMaxHz         float64
	BeepStepHz        float64
	BeepPurity        float64 // share of a frame's energy in one tone bin
	BeepMs            int     // a tone this long is a beep
}

// Defaults are the thresholds docs/amd.md documents.
var Defaults = Config{
	FrameMs:           20,
	FloorWindowMs:     1500,
	VoiceAboveFloorDB: 6,
	VoiceMinDBFS:      -48,
	OnsetMs:           40,
	GapMs:             300,
	LongTalkMs:        2000,
	LongSpeechMs:      2200,
	MaxUtterances:     3,
	ShortGreetingMs:   1000,
	SilenceShortMs:    700,
	SilenceMediumMs:   800,
	NoSpeechMs:        4000,
	TotalMs:           5000,
	BeepMinHz:         400,
	BeepMaxHz:         2000,
	BeepStepHz:        25,
	BeepPurity:        0.6,
	BeepMs:            160,
}

// SampleRate is the only rate the detector takes: the telephone band, as G.711 carries it.
const SampleRate = 8000

// Classify runs the detector over a whole recording (samples from the answer on).
func Classify(samples []int16) Decision {
	return ClassifyWith(Defaults, samples)
}

// ClassifyWith is Classify with other thresholds (the bench and tuning use it).
func ClassifyWith(cfg Config, samples []int16) Decision {
	d := NewDetector(cfg)
	n := d.FrameSamples()
	for i := 0; i+n <= len(samples); i += n {
		if dec, ok := d.Feed(samples[i : i+n]); ok {
			return dec
		}
	}
	return d.End()
}

// dbfs is a frame's RMS level in dB below full scale (a silent frame is -100).
func dbfs(frame []int16) (db float64, energy float64) {
	for _, s := range frame {
		v := float64(s)
		energy += v * v
	}
	if energy == 0 {
		return -100, 0
	}
	rms := math.Sqrt(energy / float64(len(frame)))
	return 20 * math.Log10(rms/32768), energy
}
