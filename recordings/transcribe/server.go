package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wismo/wismo/media"
)

// TranscriptionsPath is the OpenAI-compatible endpoint self-hosted Whisper servers implement
// (faster-whisper-server / speaches, whisper.cpp's server with its OpenAI route, LocalAI).
const TranscriptionsPath = "/v1/audio/transcriptions"

// Server limits' defaults (docs/transcripts.md).
const (
	DefaultServerModel    = "whisper-1"
	DefaultServerTimeout  = 2 * time.Minute
	DefaultServerMaxBytes = 25 << 20 // OpenAI's own limit; a 2-minute 8 kHz mono WAV is 1.9 MB
	maxServerAnswer       = 4 << 20
)

// ServerConfig is how to reach a speech server.
type ServerConfig struct {
	URL      string        // base URL (http://whisper:8000) or the full endpoint URL
	Key      string        // sent as "Authorization: Bearer <key>" when set
	Model    string        // the form's model; DefaultServerModel when empty
	Timeout  time.Duration // one request's limit; DefaultServerTimeout when 0
	MaxBytes int64         // the biggest WAV sent; DefaultServerMaxBytes when 0
}

// Server is a speech server speaking POST /v1/audio/transcriptions: a multipart form of the
// channel as a mono 16-bit WAV (file), model, language (when known) and response_format
// verbose_json; the answer's text, and its segments' times when the server gives them.
type Server struct {
	cfg      ServerConfig
	endpoint string
	client   *http.Client
}

// NewServer checks cfg and returns the engine; errors name the setting.
func NewServer(cfg ServerConfig) (*Server, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("speech server URL %q: must be an http(s) URL", cfg.URL)
	}
	if cfg.Model == "" {
		cfg.Model = DefaultServerModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultServerTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultServerMaxBytes
	}
	ep := strings.TrimRight(cfg.URL, "/")
	if !strings.HasSuffix(ep, TranscriptionsPath) {
		ep += TranscriptionsPath
	}
	return &Server{cfg: cfg, endpoint: ep, client: &http.Client{Timeout: cfg.Timeout}}, nil
}

// Name implements Engine.
func (s *Server) Name() string { return "server:" + s.cfg.Model }

// serverAnswer is the JSON of a transcription (json or verbose_json).
type serverAnswer struct {
	Text     string `json:"text"`
	Language string `json:"language"`
	Segments []struct {
		Start float64 `json:"start"`
		End   float64 `json:"end"`
		Text  string  `json:"text"`
	} `json:"segments"`
}

// Transcribe implements Engine.
func (s *Server) Transcribe(ctx context.Context, pcm []int16, rate int, lang string) (Result, error) {
	wav := media.EncodeWAV(rate, 1, pcm)
	if int64(len(wav)) > s.cfg.MaxBytes {
		return Result{}, fmt.Errorf("speech server: %d bytes of WAV, limit %d: %w", len(wav), s.cfg.MaxBytes, ErrTooLong)
	}
	body, ctype, err := s.form(wav, baseLang(lang))
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, body)
	if err != nil {
		return Result{}, fmt.Errorf("speech server: %w", err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	if s.cfg.Key != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Key)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// The recording's own failure (too long for the limit), stored: retrying it on
			// every pass would hold up every recording behind it.
			return Result{}, fmt.Errorf("speech server %s: no answer within %s", s.endpoint, s.cfg.Timeout)
		}
		return Result{}, fmt.Errorf("speech server %s: %w: %w", s.endpoint, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxServerAnswer+1))
	if err != nil {
		return Result{}, fmt.Errorf("speech server %s: reading the answer: %w", s.endpoint, err)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return Result{}, fmt.Errorf("speech server %s: %s: %w: %s", s.endpoint, resp.Status, ErrUnavailable, excerpt(raw))
	}
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("speech server %s: %s: %s", s.endpoint, resp.Status, excerpt(raw))
	}
	if len(raw) > maxServerAnswer {
		return Result{}, fmt.Errorf("speech server %s: answer over %d bytes", s.endpoint, maxServerAnswer)
	}
	var a serverAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return Result{}, fmt.Errorf("speech server %s: answer is not transcription JSON: %w: %s", s.endpoint, err, excerpt(raw))
	}
	res := Result{Text: strings.TrimSpace(a.Text), Language: a.Language, Segments: []Segment{}}
	for _, sg := range a.Segments {
		res.Segments = append(res.Segments, Segment{StartMS: int64(sg.Start * 1000), EndMS: int64(sg.End * 1000), Text: strings.TrimSpace(sg.Text)})
	}
	return res, nil
}

// form builds the multipart request: file, model, language (when known), response_format.
func (s *Server) form(wav []byte, lang string) (io.Reader, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "channel.wav")
	if err != nil {
		return nil, "", err
	}
	fw.Write(wav) //nolint:errcheck // a bytes.Buffer does not fail
	fields := [][2]string{{"model", s.cfg.Model}}
	if lang != "" {
		fields = append(fields, [2]string{"language", lang})
	}
	fields = append(fields, [2]string{"response_format", "verbose_json"})
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return &buf, mw.FormDataContentType(), nil
}

// excerpt is the start of an answer for an error message.
func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
