package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/wismo/wismo/recordings/transcribe"
)

// speechSettings choose the speech engine that transcribes recordings (package
// recordings/transcribe, docs/transcripts.md).
func (c *Config) speechSettings() []setting {
	return []setting{
		{"speech-engine", "WISMO_SPEECH_ENGINE", "auto", "what transcribes call recordings: auto (the speech server when WISMO_SPEECH_URL is set, else pocketsphinx when installed, else nothing), server, pocketsphinx or off", &c.SpeechEngine},
		{"speech-url", "WISMO_SPEECH_URL", "", "speech server speaking the OpenAI-compatible POST /v1/audio/transcriptions (a self-hosted Whisper), e.g. http://whisper:8000", &c.SpeechURL},
		{"speech-key", "WISMO_SPEECH_KEY", "", "API key sent to the speech server as a Bearer token; empty = none", &c.SpeechKey},
		{"speech-model", "WISMO_SPEECH_MODEL", transcribe.DefaultServerModel, "model name sent to the speech server", &c.SpeechModel},
		{"speech-timeout", "WISMO_SPEECH_TIMEOUT", "2m", "how long the speech server may take over one side of a recording", &c.SpeechTimeout},
		{"speech-max-bytes", "WISMO_SPEECH_MAX_BYTES", strconv.Itoa(transcribe.DefaultServerMaxBytes), "largest WAV sent to the speech server (longer sides are stored as not transcribed)", &c.SpeechMaxBytes},
		{"speech-concurrency", "WISMO_SPEECH_CONCURRENCY", "1", "pocketsphinx runs at once on this node (each takes a core and about 100 MB)", &c.SpeechConcurrency},
	}
}

// validateSpeech checks the speech settings, naming the field of each problem.
func (c *Config) validateSpeech(bad func(field, format string, args ...any)) {
	switch c.SpeechEngine {
	case "auto", "pocketsphinx", "off":
	case "server":
		if c.SpeechURL == "" {
			bad("WISMO_SPEECH_URL", "is required when WISMO_SPEECH_ENGINE is server")
		}
	default:
		bad("WISMO_SPEECH_ENGINE", "%q must be auto, server, pocketsphinx or off", c.SpeechEngine)
	}
	if c.SpeechURL != "" {
		if u, err := url.Parse(c.SpeechURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("WISMO_SPEECH_URL", "%q must be an http(s) URL", c.SpeechURL)
		}
	}
	if c.SpeechKey != "" && c.SpeechURL == "" {
		bad("WISMO_SPEECH_KEY", "is set but WISMO_SPEECH_URL is empty")
	}
	if d, err := time.ParseDuration(c.SpeechTimeout); err != nil || d < time.Second || d > time.Hour {
		bad("WISMO_SPEECH_TIMEOUT", "%q must be a duration between 1s and 1h, such as 2m", c.SpeechTimeout)
	}
	if v, err := strconv.ParseInt(c.SpeechMaxBytes, 10, 64); err != nil || v < 1<<10 || v > 1<<30 {
		bad("WISMO_SPEECH_MAX_BYTES", "%q must be a number of bytes from 1024 to 1073741824", c.SpeechMaxBytes)
	}
	if v, err := strconv.Atoi(c.SpeechConcurrency); err != nil || v < 1 || v > 64 {
		bad("WISMO_SPEECH_CONCURRENCY", "%q must be a number from 1 to 64", c.SpeechConcurrency)
	}
}

// speechEngine opens the engine the settings choose (validated at start); nil when none.
func (c *Config) speechEngine(log *slog.Logger) (transcribe.Engine, error) {
	if c.SpeechEngine == "off" {
		return nil, nil
	}
	if c.SpeechEngine == "server" || (c.SpeechEngine == "auto" && c.SpeechURL != "") {
		timeout, _ := time.ParseDuration(c.SpeechTimeout)
		maxBytes, _ := strconv.ParseInt(c.SpeechMaxBytes, 10, 64)
		s, err := transcribe.NewServer(transcribe.ServerConfig{URL: c.SpeechURL, Key: c.SpeechKey, Model: c.SpeechModel, Timeout: timeout, MaxBytes: maxBytes})
		if err != nil {
			return nil, fmt.Errorf("WISMO_SPEECH_URL: %w", err)
		}
		return s, nil
	}
	n, _ := strconv.Atoi(c.SpeechConcurrency)
	s, err := transcribe.NewSphinx("", n)
	switch {
	case err != nil && c.SpeechEngine == "pocketsphinx":
		return nil, fmt.Errorf("WISMO_SPEECH_ENGINE: %w", err)
	case err != nil:
		log.Warn("calls are not transcribed: no speech engine", "err", err)
		return nil, nil
	}
	return s, nil
}

// openTranscripts returns the transcripts of recordings with the configured engine.
func (a *app) openTranscripts() (*transcribe.Service, error) {
	eng, err := a.cfg.speechEngine(a.log)
	if err != nil {
		return nil, err
	}
	svc := transcribe.NewService(a.db, eng, a.log)
	sides := transcribe.NewSidesCounter()
	a.reg.MustRegister(sides)
	svc.Count(sides)
	return svc, nil
}

// transcriptsJob transcribes finished call recordings (call_transcripts; docs/transcripts.md).
func transcriptsJob(t *transcribe.Service) job { return job{name: transcribe.JobName, run: t.Run} }
