// Package amdbaseline is the answering-machine detection that Asterisk documents for its AMD
// application (app_amd), ported to Go as the benchmark's baseline: the same state machine over
// 20 ms frames of 8 kHz signed-linear audio, the same silence test (a frame is silent when the
// mean absolute sample is below silence_threshold, as Asterisk's DSP judges it), and amd.conf's
// shipped defaults. Results and causes are Asterisk's AMDSTATUS and AMDCAUSE.
package amdbaseline

// Config is amd.conf's [general] section, in milliseconds except SilenceThreshold.
type Config struct {
	InitialSilence       int // initial_silence: longer silence before the greeting is a MACHINE
	Greeting             int // greeting: a longer greeting is a MACHINE
	AfterGreetingSilence int // after_greeting_silence: this much silence after a greeting is a HUMAN
	TotalAnalysisTime    int // total_analysis_time: then NOTSURE
	MinimumWordLength    int // min_word_length: voice this long is a word
	BetweenWordsSilence  int // between_words_silence: silence this long ends a word
	MaximumNumberOfWords int // maximum_number_of_words: this many words is a MACHINE
	SilenceThreshold     int // silence_threshold: 0..32767, mean absolute amplitude
	MaximumWordLength    int // maximum_word_length: one word this long is a MACHINE
}

// Defaults are the values configs/samples/amd.conf.sample ships with (maximum_number_of_words
// is 2 there; app_amd.c's compiled-in fallback is 3).
var Defaults = Config{
	InitialSilence:       2500,
	Greeting:             1500,
	AfterGreetingSilence: 800,
	TotalAnalysisTime:    5000,
	MinimumWordLength:    100,
	BetweenWordsSilence:  50,
	MaximumNumberOfWords: 2,
	SilenceThreshold:     256,
	MaximumWordLength:    5000,
}

// Status is AMDSTATUS.
type Status string

// AMDSTATUS values (HANGUP does not arise from a recording).
const (
	Human   Status = "HUMAN"
	Machine Status = "MACHINE"
	NotSure Status = "NOTSURE"
)

// Result is the decision with AMDCAUSE's keyword and the analysed time (iTotalTime).
type Result struct {
	Status  Status
	Cause   string // TOOLONG, INITIALSILENCE, HUMAN, LONGGREETING, MAXWORDLENGTH, MAXWORDS
	TotalMs int
}

const frameSamples = 160 // 20 ms at 8 kHz, the frames Asterisk reads from a G.711 channel

// Classify runs the state machine over samples (8 kHz, from the answer on).
func Classify(cfg Config, samples []int16) Result {
	const (
		inWord    = 1
		inSilence = 2
	)
	inInitialSilence, inGreeting := true, false
	voiceDuration, silenceDuration, total, words := 0, 0, 0, 0
	state, consecutiveVoice := inWord, 0
	dspSilence := 0 // the DSP's running silence, ms
	for i := 0; i+frameSamples <= len(samples); i += frameSamples {
		frame := samples[i : i+frameSamples]
		const frameMs = frameSamples / 8
		total += frameMs
		if total >= cfg.TotalAnalysisTime {
			return Result{NotSure, "TOOLONG", total}
		}
		// ast_dsp_silence: mean |s| below the threshold adds to the running silence, else resets it.
		sum := 0
		for _, s := range frame {
			if s < 0 {
				sum -= int(s)
			} else {
				sum += int(s)
			}
		}
		if sum/len(frame) < cfg.SilenceThreshold {
			dspSilence += frameMs
		} else {
			dspSilence = 0
		}
		if dspSilence > 0 {
			silenceDuration = dspSilence
			if silenceDuration >= cfg.BetweenWordsSilence {
				state = inSilence
				consecutiveVoice = 0
			}
			if inInitialSilence && silenceDuration >= cfg.InitialSilence {
				return Result{Machine, "INITIALSILENCE", total}
			}
			if silenceDuration >= cfg.AfterGreetingSilence && inGreeting {
				return Result{Human, "HUMAN", total}
			}
			continue
		}
		consecutiveVoice += frameMs
		voiceDuration += frameMs
		if consecutiveVoice >= cfg.MinimumWordLength && state == inSilence {
			words++
			state = inWord
		}
		if consecutiveVoice >= cfg.MaximumWordLength {
			return Result{Machine, "MAXWORDLENGTH", total}
		}
		if words >= cfg.MaximumNumberOfWords {
			return Result{Machine, "MAXWORDS", total}
		}
		if inGreeting && voiceDuration >= cfg.Greeting {
			return Result{Machine, "LONGGREETING", total}
		}
		if voiceDuration >= cfg.MinimumWordLength {
			silenceDuration = 0
		}
		if consecutiveVoice >= cfg.MinimumWordLength && !inGreeting {
			inInitialSilence, inGreeting = false, true
		}
	}
	// The recording ended before a decision: on a live channel Asterisk would keep reading
	// until total_analysis_time and answer NOTSURE.
	return Result{NotSure, "TOOLONG", total}
}
