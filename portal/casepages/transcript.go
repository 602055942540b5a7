package casepages

import (
	"context"
	"errors"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal/transcriptview"
	"github.com/wismo/wismo/recordings/transcribe"
)

// Transcripts reads calls' transcripts (recordings/transcribe); nil shows none.
type Transcripts interface {
	ForCall(ctx context.Context, scope access.Scope, callID int64) ([]transcribe.Transcript, error)
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
	it.Transcript = transcriptview.Of(ts, int64(rec))
	return nil
}
