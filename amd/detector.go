package amd

// Detector is the streaming form: feed it the call's audio a frame at a time as it arrives
// and act on the first decision. It is not safe for concurrent use.
type Detector struct {
	cfg     Config
	n       int // samples per frame
	elapsed int // ms of audio seen

	floorWin []float64 // the last FloorWindowMs of frame levels, a ring
	floorAt  int

	voicedRun, unvoicedRun int // ms
	inUtterance            bool
	utterances             int
	curUtterance           int // ms from the current (or last) utterance's start to its end, pauses included
	speech                 int // ms of speech in all utterances
	greeting               int // ms from the talk's start to its last utterance's end
	talkStart              int // ms at which the far end started talking (-1: not yet)
	silenceAfter           int // ms of silence since the last utterance ended

	tone tone
	done bool
	dec  Decision
}

// NewDetector starts a detector at the moment the call was answered.
func NewDetector(cfg Config) *Detector {
	d := &Detector{cfg: cfg, n: SampleRate * cfg.FrameMs / 1000, talkStart: -1}
	d.floorWin = make([]float64, 0, max(1, cfg.FloorWindowMs/cfg.FrameMs))
	d.tone = newTone(cfg)
	return d
}

// FrameSamples is how many samples Feed takes at a time.
func (d *Detector) FrameSamples() int { return d.n }

// Feed takes the next frame (FrameSamples samples) and reports a decision once one is made;
// after that it keeps returning the same decision.
func (d *Detector) Feed(frame []int16) (Decision, bool) {
	if d.done {
		return d.dec, true
	}
	c := &d.cfg
	d.elapsed += c.FrameMs
	level, energy := dbfs(frame)
	floor := d.pushFloor(level)
	voiced := level >= floor+c.VoiceAboveFloorDB && level >= c.VoiceMinDBFS

	// A beep outranks everything: it is what a voicemail plays before it records. A steady
	// tone raises the floor to itself, so loudness alone gates it, not "voiced".
	if level >= c.VoiceMinDBFS {
		if d.tone.feed(frame, energy) {
			return d.decide(Machine, CauseBeep)
		}
	} else {
		d.tone.reset()
	}

	if voiced {
		d.voicedRun += c.FrameMs
		d.unvoicedRun = 0
	} else {
		d.unvoicedRun += c.FrameMs
		d.voicedRun = 0
	}
	switch {
	case !d.inUtterance && d.voicedRun >= c.OnsetMs:
		d.inUtterance = true
		d.utterances++
		d.curUtterance = d.voicedRun
		d.speech += d.voicedRun
		// Talk is utterances with no wait between them: a pause as long as a person's wait
		// after their greeting starts a new one.
		if d.talkStart < 0 || d.silenceAfter >= c.SilenceShortMs {
			d.talkStart = d.elapsed - d.voicedRun
		}
		d.silenceAfter = 0
	case d.inUtterance && voiced:
		d.curUtterance += c.FrameMs
		d.speech += c.FrameMs
	case d.inUtterance && d.unvoicedRun < c.GapMs:
		// A pause inside the utterance (between syllables or words) is part of its length.
		d.curUtterance += c.FrameMs
	case d.inUtterance:
		// The utterance ended where the gap began.
		d.inUtterance = false
		d.curUtterance -= d.unvoicedRun - c.FrameMs
		d.greeting = d.elapsed - d.unvoicedRun - d.talkStart
		d.silenceAfter = d.unvoicedRun
	case !d.inUtterance && d.utterances > 0 && !voiced:
		d.silenceAfter += c.FrameMs
	}

	switch {
	case d.inUtterance && d.elapsed-d.talkStart >= c.LongTalkMs:
		return d.decide(Machine, CauseLongGreeting)
	case d.speech >= c.LongSpeechMs:
		return d.decide(Machine, CauseLongGreeting)
	case d.utterances > c.MaxUtterances:
		return d.decide(Machine, CauseManyWords)
	case !d.inUtterance && d.utterances > 0 && d.greeting <= c.ShortGreetingMs && d.silenceAfter >= c.SilenceShortMs:
		return d.decide(Human, CauseSilenceAfter)
	case !d.inUtterance && d.utterances > 0 && d.silenceAfter >= c.SilenceMediumMs:
		return d.decide(Human, CauseSilenceAfter)
	case d.utterances == 0 && d.elapsed >= c.NoSpeechMs:
		return d.decide(Unsure, CauseNoSpeech)
	case d.elapsed >= c.TotalMs:
		return d.decide(Unsure, CauseTooLong)
	}
	return Decision{}, false
}

// End reports the decision for audio that ended before any rule fired: unsure.
func (d *Detector) End() Decision {
	if d.done {
		return d.dec
	}
	dec, _ := d.decide(Unsure, CauseEndOfAudio)
	return dec
}

func (d *Detector) decide(r Result, cause string) (Decision, bool) {
	d.done = true
	d.dec = Decision{Result: r, Cause: cause, DecidedAfterMs: d.elapsed}
	return d.dec, true
}

// pushFloor records a frame's level and returns the noise floor: the quietest frame of the
// last FloorWindowMs, never below -90 dBFS (digital silence would make any hiss "voice").
func (d *Detector) pushFloor(level float64) float64 {
	if len(d.floorWin) < cap(d.floorWin) {
		d.floorWin = append(d.floorWin, level)
	} else {
		d.floorWin[d.floorAt] = level
		d.floorAt = (d.floorAt + 1) % len(d.floorWin)
	}
	floor := d.floorWin[0]
	for _, l := range d.floorWin[1:] {
		floor = min(floor, l)
	}
	return max(floor, -90)
}
