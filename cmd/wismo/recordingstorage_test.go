package main

import (
	"strings"
	"testing"
)

func TestRecordingStorageConfigErrorsNameTheField(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		field string
	}{
		{[]string{"-recordings-opus-bitrate", "4"}, "WISMO_RECORDINGS_OPUS_BITRATE"},
		{[]string{"-recordings-compact-after", "soon"}, "WISMO_RECORDINGS_COMPACT_AFTER"},
		{[]string{"-recordings-s3-url", "s3.example/bucket"}, "WISMO_RECORDINGS_S3_URL"},
		{[]string{"-recordings-s3-url", "http://127.0.0.1:9000/"}, "WISMO_RECORDINGS_S3_URL"},
		{[]string{"-recordings-keys", "k1:c2hvcnQ="}, "WISMO_RECORDINGS_KEYS"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parse(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.field+":") {
				t.Fatalf("error %v does not name %s", err, tt.field)
			}
		})
	}
	if _, err := parse(t, "-recordings-s3-url", "https://s3.example.net/recordings/eu", "-recordings-keys",
		"2026-12:"+strings.Repeat("A", 43)+"="); err != nil {
		t.Fatalf("valid settings refused: %v", err)
	}
}
