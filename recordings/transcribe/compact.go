package transcribe

import "github.com/wismo/wismo/recordings/talk"

// keepMS is the silence kept around each stretch of talk when a channel is compacted: the
// recogniser needs a little of it before and after words.
const keepMS = 300

// piece is a stretch of a channel kept for the recogniser: samples [from, to) of the channel,
// placed at sample at of the compacted audio.
type piece struct{ from, to, at int }

// compact keeps the talk of one channel (talk segments as docs/talk-analytics.md defines them,
// each with keepMS around it) and drops the pauses between, so the engine spends no time on
// the half of a call in which this side listens. It returns the compacted audio and where each
// piece came from (no pieces: the side never talked).
func compact(pcm []int16, rate int) ([]int16, []piece) {
	_, segs := talk.Analyze(rate, pcm, pcm)
	pad := keepMS * rate / 1000
	var out []int16
	var pieces []piece
	for _, s := range segs.Customer {
		from := max(int(s.StartMS)*rate/1000-pad, 0)
		to := min(int(s.EndMS)*rate/1000+pad, len(pcm))
		if n := len(pieces); n > 0 && from <= pieces[n-1].to { // overlapping pads: one piece
			last := &pieces[n-1]
			out = append(out, pcm[last.to:to]...)
			last.to = to
			continue
		}
		pieces = append(pieces, piece{from: from, to: to, at: len(out)})
		out = append(out, pcm[from:to]...)
	}
	return out, pieces
}

// original maps a time in the compacted audio back to the channel's time (milliseconds).
func original(ms int64, pieces []piece, rate int) int64 {
	at := int(ms * int64(rate) / 1000)
	for i := len(pieces) - 1; i >= 0; i-- {
		if p := pieces[i]; at >= p.at {
			return int64(p.from+at-p.at) * 1000 / int64(rate)
		}
	}
	return ms
}
