package recordings

import (
	"context"
	"fmt"
	"io"
	"os"
)

// ContentType is the media type of a recording stored in format (RFC 7845 §9: Ogg Opus is
// audio/ogg; RFC 2361's audio/wav for PCM).
func ContentType(format string) string {
	if format == FormatOpus {
		return "audio/ogg"
	}
	return "audio/wav"
}

// Ext is the file name extension of format, for downloads and exports.
func Ext(format string) string {
	if format == FormatOpus {
		return ".opus"
	}
	return ".wav"
}

// Open opens the stored audio of rec, whatever its format: a reader that seeks, its size in
// bytes and its content type. The caller closes it. Readers that need PCM (talk analytics)
// run before recordings/compact converts a WAV; see docs/recordings-storage.md.
func (s *Service) Open(ctx context.Context, rec Recording) (io.ReadSeekCloser, int64, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, "", err
	}
	f, err := os.Open(rec.Path)
	if err != nil {
		return nil, 0, "", fmt.Errorf("open recording %d: %w", rec.ID, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, "", fmt.Errorf("open recording %d: %w", rec.ID, err)
	}
	return f, st.Size(), ContentType(rec.Format), nil
}
