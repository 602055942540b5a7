// Package recordings writes every answered call to a stereo WAV (customer left, agent right,
// 8 kHz 16-bit), stores where it is with its duration, size and sha256, repairs files a
// crash left unfinished, and plays them back over HTTP to the call's brand.
package recordings

import (
	"sync"
	"time"

	"github.com/wismo/wismo/media"
)

// Channels of a recording.
const (
	Left  = 0 // the customer
	Right = 1 // the agent
)

// Rate is the sample rate of every recording (G.711's 8 kHz).
const Rate = 8000

const (
	window     = 2 * Rate // frames kept in memory for reordering (2 s)
	flushEvery = Rate     // header refreshed after about every second of audio
)

// Recorder turns the two directions of a call into one stereo WAV, placing each packet's
// samples by its RTP timestamp (RFC 3550 §5.1: the timestamp is the sampling instant of the
// first octet) so that late, lost or reordered packets neither shift nor desynchronise the
// channels; gaps stay silent. It is safe for concurrent use by the two relay directions.
type Recorder struct {
	mu      sync.Mutex
	w       *media.WAVWriter
	start   time.Time
	flushed int64   // frames already in the file
	high    int64   // one past the last frame holding audio
	buf     []int16 // interleaved frames from flushed on
	sinceHd int64
	ch      [2]channel
	err     error
}

type channel struct {
	started bool
	firstTS uint32
	base    int64 // frame index of firstTS
}

// NewRecorder starts a recording into w; frame 0 is at start.
func NewRecorder(w *media.WAVWriter, start time.Time) *Recorder {
	return &Recorder{w: w, start: start, buf: make([]int16, 2*window)}
}

// Write places samples of channel ch (Left or Right) whose first sample has RTP timestamp ts
// and arrived at time at. The first packet of a channel anchors it to the call's clock.
func (r *Recorder) Write(ch int, ts uint32, at time.Time, samples []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || ch < 0 || ch > 1 {
		return
	}
	c := &r.ch[ch]
	if !c.started {
		c.started, c.firstTS = true, ts
		c.base = int64(at.Sub(r.start)) * Rate / int64(time.Second)
		if c.base < r.flushed {
			c.base = r.flushed
		}
	}
	pos := c.base + int64(int32(ts-c.firstTS)) // wraps correctly within ±2^31 samples
	// A timestamp far from the wall clock (a burst of stale packets, a new SSRC, a sender
	// that jumped) re-anchors the channel: RFC 3550 §5.1 lets timestamps start anywhere,
	// so only their differences within one steady stream are trusted.
	if wall := int64(at.Sub(r.start)) * Rate / int64(time.Second); pos > wall+Rate/2 || pos < wall-window {
		c.base, c.firstTS, pos = max(wall, r.flushed), ts, max(wall, r.flushed)
	}
	if pos < r.flushed {
		skip := r.flushed - pos
		if skip >= int64(len(samples)) {
			return // too late: that second is already on disk
		}
		samples, pos = samples[skip:], r.flushed
	}
	end := pos + int64(len(samples))
	if end-r.flushed > window {
		r.flushTo(end - window/2)
	}
	if pos < r.flushed { // a jump far ahead flushed past us
		return
	}
	off := (pos - r.flushed) * 2
	for i, s := range samples {
		r.buf[off+int64(i)*2+int64(ch)] = s
	}
	if end > r.high {
		r.high = end
	}
}

// NewSource says that channel ch's packets come from another sender from now on (a
// transferred call's new agent): its first packet anchors the channel to the call's clock
// again, as RTP timestamps of different senders are unrelated (RFC 3550 §5.1).
func (r *Recorder) NewSource(ch int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ch >= 0 && ch <= 1 {
		r.ch[ch].started = false
	}
}

// flushTo writes frames up to frame n (silence where nothing arrived) and slides the buffer.
func (r *Recorder) flushTo(n int64) {
	for r.flushed < n && r.err == nil {
		k := min(n-r.flushed, window)
		if err := r.w.WriteSamples(r.buf[:k*2]); err != nil {
			r.err = err
			return
		}
		copy(r.buf, r.buf[k*2:])
		clear(r.buf[len(r.buf)-int(k*2):])
		r.flushed += k
		r.sinceHd += k
	}
	if r.sinceHd >= flushEvery && r.err == nil {
		r.err = r.w.Flush()
		r.sinceHd = 0
	}
}

// Close writes what is buffered, finishes the file and returns its length in frames.
func (r *Recorder) Close() (frames int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushTo(r.high)
	if cerr := r.w.Close(); r.err == nil {
		r.err = cerr
	}
	return r.w.Frames(), r.err
}
