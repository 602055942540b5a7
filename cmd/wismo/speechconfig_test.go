package main

import (
	"strings"
	"testing"

	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/store/storetest"
)

func TestSpeechSettingsNameTheField(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		field string
	}{
		{[]string{"-speech-engine", "whisper"}, "WISMO_SPEECH_ENGINE"},
		{[]string{"-speech-engine", "server"}, "WISMO_SPEECH_URL"},
		{[]string{"-speech-url", "whisper:8000"}, "WISMO_SPEECH_URL"},
		{[]string{"-speech-key", "sk-1"}, "WISMO_SPEECH_KEY"},
		{[]string{"-speech-timeout", "0s"}, "WISMO_SPEECH_TIMEOUT"},
		{[]string{"-speech-max-bytes", "lots"}, "WISMO_SPEECH_MAX_BYTES"},
		{[]string{"-speech-concurrency", "0"}, "WISMO_SPEECH_CONCURRENCY"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if _, err := parse(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.field+":") {
				t.Fatalf("error %v does not name %s", err, tt.field)
			}
		})
	}
}

// TestSpeechEngineChoice: a URL chooses the server (auto), off chooses nothing.
func TestSpeechEngineChoice(t *testing.T) {
	cfg, err := parse(t, "-speech-url", "http://127.0.0.1:9999", "-speech-model", "large-v3")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := cfg.speechEngine(storetest.Logger(t))
	if s, ok := eng.(*transcribe.Server); err != nil || !ok || s.Name() != "server:large-v3" {
		t.Fatalf("auto with a URL: %T %v", eng, err)
	}
	cfg, _ = parse(t, "-speech-engine", "off")
	if eng, err := cfg.speechEngine(storetest.Logger(t)); eng != nil || err != nil {
		t.Fatalf("off: %T %v", eng, err)
	}
}
