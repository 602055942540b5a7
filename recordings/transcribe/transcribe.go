// Package transcribe turns finished call recordings into text, each side of the stereo
// recording (left customer, right agent) on its own, through a speech engine behind the
// Engine interface: Debian's pocketsphinx run as a subprocess (Sphinx, English only), or a
// speech server speaking the OpenAI-compatible POST /v1/audio/transcriptions (Server; a
// self-hosted Whisper for Russian). The job "transcripts" transcribes every finished
// recording once, redacts card and phone numbers (Redact) and stores one row per recording
// and side in call_transcripts, which the one-box search reads. Design: docs/transcripts.md.
package transcribe

import (
	"context"
	"errors"
	"strings"
)

// Sides of a stereo recording: channel 0 is the customer, channel 1 the agent.
const (
	Customer = "customer"
	Agent    = "agent"
)

// Engine transcribes one channel of speech. Implementations must honour ctx's deadline.
type Engine interface {
	// Name names the engine in stored rows and logs ("pocketsphinx", "server:whisper-1").
	Name() string
	// Transcribe returns the words of pcm (mono 16-bit samples at rate Hz) spoken in lang
	// (BCP 47 base language, "en", "ru"; "" lets the engine decide).
	Transcribe(ctx context.Context, pcm []int16, rate int, lang string) (Result, error)
}

// Result is what an engine heard on one channel.
type Result struct {
	Text     string    `json:"text"`
	Language string    `json:"language,omitempty"` // as the engine reports it, when it does
	Segments []Segment `json:"segments"`           // empty when the engine gives no times
}

// Segment is one stretch of speech with its time from the start of the recording.
type Segment struct {
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Text    string `json:"text"`
}

var (
	// ErrUnsupportedLanguage: the engine cannot transcribe the language asked for
	// (pocketsphinx ships English only). Stored as the row's error, never retried.
	ErrUnsupportedLanguage = errors.New("language not supported by the speech engine")
	// ErrTooLong: the audio is longer or bigger than the engine's configured limit.
	ErrTooLong = errors.New("audio over the speech engine's limit")
	// ErrNotFound: no transcript the caller may see.
	ErrNotFound = errors.New("transcript not found")
)

// baseLang reduces "ru-RU" to "ru".
func baseLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	return lang
}
