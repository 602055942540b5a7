package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `wismo amd classify` prints one JSON object with the result, its cause and the time, and
// names what a file it cannot take is.
func TestAMDClassify(t *testing.T) {
	var out bytes.Buffer
	clip := filepath.Join("..", "..", "amd", "testdata", "clips", "001-person_word-en.wav")
	if err := run(context.Background(), []string{"amd", "classify", clip}, nil, &out); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	if got["result"] != "human" || got["cause"] == "" || got["decided_after_ms"].(float64) <= 0 || len(got) != 3 {
		t.Fatalf("got %v", got)
	}

	// A 16 kHz stereo WAV: the error says so.
	wav := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x80\x3e\x00\x00\x00\xfa\x00\x00\x04\x00\x10\x00data\x00\x00\x00\x00")
	bad := filepath.Join(t.TempDir(), "wide.wav")
	if err := os.WriteFile(bad, wav, 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"amd", "classify", bad}, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "16000 Hz, 2 channel(s)") || !strings.Contains(err.Error(), "8 kHz mono 16-bit") {
		t.Fatalf("a 16 kHz stereo file: %v", err)
	}
}
