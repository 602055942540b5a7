package casepages

import (
	"context"
	"errors"
	"fmt"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings/transcribe"
)

// Transcripts reads calls' transcripts (recordings/transcribe); nil shows none.
type Transcripts interface {
	ForCall(ctx context.Context, scope access.Scope, callID int64) ([]transcribe.Transcript, error)
}

// transcriptLine is one line of a call's dialogue under its player.
type transcriptLine struct {
	Side string // customer or agent
	At   string // m:ss from the start of the recording
	Text string
}

// transcript fills a recorded call's dialogue (both sides by time), or the engine's error
// when no side could be transcribed. A call not transcribed yet shows nothing.
func (p *pages) transcript(ctx context.Context, scope access.Scope, it *item) error {
	if p.o.Transcripts == nil || it.AudioURL == "" {
		return nil
	}
	call, _ := it.Fields["id"].(float64)
	rec, _ := it.Fields["recording_id"].(float64)
	ts, err := p.o.Transcripts.ForCall(ctx, scope, int64(call))
	if errors.Is(err, transcribe.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var mine []transcribe.Transcript
	for _, t := range ts {
		if t.RecordingID == int64(rec) {
			mine = append(mine, t)
			if t.Error != "" && it.TranscriptError == "" {
				it.TranscriptError = t.Error
			}
		}
	}
	for _, l := range transcribe.Dialogue(mine) {
		s := l.StartMS / 1000
		it.Transcript = append(it.Transcript, transcriptLine{Side: l.Side, At: fmt.Sprintf("%d:%02d", s/60, s%60), Text: l.Text})
	}
	if len(it.Transcript) > 0 {
		it.TranscriptError = ""
	}
	it.Transcribed = len(mine) > 0
	return nil
}
