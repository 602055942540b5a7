package carrier

import (
	"iter"
	"time"
)

// frameBytes is one 20 ms PCMU frame: 160 samples at 8 kHz (RFC 3551 §4.5.14, §4.2: 20 ms
// is the default packetization).
const (
	frameBytes = 160
	frameTime  = 20 * time.Millisecond
	// muLawSilence is the mu-law code of a zero sample (ITU-T G.711).
	muLawSilence = 0xff
)

// line is a clip said after a pause.
type line struct {
	pause time.Duration
	clip  []byte
}

// tape is what one party of a call says, start to end: its lines in order, then the lines
// from loop on again and again (loop < 0: none), silence in between, until the call has
// lasted limit; then bye, and the party hangs up. A line that has started is said to its end.
type tape struct {
	lines []line
	loop  int
	limit time.Duration
	bye   []byte
}

// frames yields the tape as 20 ms mu-law frames. The silence between lines is sent too: a
// party that says nothing still sends RTP (no DTX), or the far end would end the call as dead.
func (t tape) frames() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		frame := make([]byte, frameBytes)
		limit := int(t.limit / frameTime)
		n := 0
		// say yields clip, and silence to fill its last frame.
		say := func(clip []byte) bool {
			for p := 0; p < len(clip); p += frameBytes {
				k := copy(frame, clip[p:])
				for i := k; i < frameBytes; i++ {
					frame[i] = muLawSilence
				}
				n++
				if !yield(frame) {
					return false
				}
			}
			return true
		}
		// hush yields up to d of silence, stopping at the limit.
		hush := func(d time.Duration) bool {
			for range int(d / frameTime) {
				if n >= limit {
					return true
				}
				for i := range frame {
					frame[i] = muLawSilence
				}
				n++
				if !yield(frame) {
					return false
				}
			}
			return true
		}
		next := 0
		for n < limit && next < len(t.lines) {
			l, before := t.lines[next], n
			if !hush(l.pause) {
				return
			}
			if n >= limit {
				break
			}
			if !say(l.clip) {
				return
			}
			if n == before {
				break // a line that neither waits nor speaks would loop for ever
			}
			if next++; next == len(t.lines) && t.loop >= 0 {
				next = t.loop
			}
		}
		if !hush(t.limit) || !say(t.bye) {
			return
		}
	}
}

// personTape: a person answers, says hello once the recording notice is over, asks about the
// parcel now and then, and says goodbye after talk.
func personTape(v *voices, talk time.Duration) tape {
	return tape{lines: []line{{2500 * time.Millisecond, v.personHello}, {8 * time.Second, v.personReply}, {20 * time.Second, v.personReply}},
		loop: 2, limit: talk, bye: v.personBye}
}

// voicemailTape: the greeting and its beep, then silence while the machine records.
func voicemailTape(v *voices, listen time.Duration) tape {
	const pause = time.Second
	return tape{lines: []line{{pause, v.voicemail}}, loop: -1, limit: pause + clipTime(v.voicemail) + listen}
}

// callerTape: a customer on the hotline says what the call is about, and again now and then
// (the agent may pick up at any time), and gives up after limit.
func callerTape(v *voices, limit time.Duration) tape {
	return tape{lines: []line{{time.Second, v.callerComplaint}, {12 * time.Second, v.callerAgain}, {time.Second, v.callerComplaint}},
		loop: 1, limit: limit, bye: v.callerBye}
}

// clipTime is how long a clip plays.
func clipTime(clip []byte) time.Duration { return time.Duration(len(clip)) * time.Second / 8000 }
