package main

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/blob"
	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/recordings/retention"
)

// RecordingsConfig is the compact storage of recordings (package recordings/compact;
// docs/recordings-storage.md).
type RecordingsConfig struct {
	Opusenc      string
	OpusBitrate  string
	CompactAfter string
	// The object store (recordings/blob.S3) and the encryption keys (blob.ParseKeys).
	S3URL, S3AccessKey, S3SecretKey, S3Region string
	Keys                                      string
}

func (c *Config) recordingSettings() []setting {
	r := &c.Recordings
	return []setting{
		{"recordings-opusenc", "WISMO_RECORDINGS_OPUSENC", "", "opusenc (Debian's opus-tools) that compacts recordings to Opus after the call; empty = find it in PATH; off = keep WAVs", &r.Opusenc},
		{"recordings-opus-bitrate", "WISMO_RECORDINGS_OPUS_BITRATE", "24", "Opus bitrate of compacted recordings in kbit/s, both channels (8-128)", &r.OpusBitrate},
		{"recordings-compact-after", "WISMO_RECORDINGS_COMPACT_AFTER", "24h", "a recording is compacted once its talk analytics (and transcript) exist, or this long after it finished", &r.CompactAfter},
		{"recordings-s3-url", "WISMO_RECORDINGS_S3_URL", "", "S3-compatible store for compacted recordings, http(s)://host:port/bucket[/prefix]; empty = the data dir", &r.S3URL},
		{"recordings-s3-access-key", "WISMO_RECORDINGS_S3_ACCESS_KEY", "", "the object store's access key", &r.S3AccessKey},
		{"recordings-s3-secret-key", "WISMO_RECORDINGS_S3_SECRET_KEY", "", "the object store's secret key", &r.S3SecretKey},
		{"recordings-s3-region", "WISMO_RECORDINGS_S3_REGION", "us-east-1", "the object store's region", &r.S3Region},
		{"recordings-keys", "WISMO_RECORDINGS_KEYS", "", "encryption at rest of compacted recordings: id:base64-32-byte-key[,id:key...]; the first encrypts, all decrypt; empty = not encrypted", &r.Keys},
	}
}

func (c *Config) validateRecordings(bad func(field, format string, args ...any)) {
	if v, err := strconv.Atoi(c.Recordings.OpusBitrate); err != nil || v < 8 || v > 128 {
		bad("WISMO_RECORDINGS_OPUS_BITRATE", "%q must be a number of kbit/s from 8 to 128", c.Recordings.OpusBitrate)
	}
	if c.Recordings.S3URL != "" {
		if _, err := blob.NewS3(c.Recordings.S3URL, c.Recordings.S3AccessKey, c.Recordings.S3SecretKey, c.Recordings.S3Region); err != nil {
			bad("WISMO_RECORDINGS_S3_URL", "%v", err)
		}
	}
	if c.Recordings.Keys != "" {
		if _, err := blob.ParseKeys(c.Recordings.Keys); err != nil {
			bad("WISMO_RECORDINGS_KEYS", "%v", err)
		}
	}
	if d, err := time.ParseDuration(c.Recordings.CompactAfter); err != nil || d < time.Minute || d > 90*24*time.Hour {
		bad("WISMO_RECORDINGS_COMPACT_AFTER", "%q must be a duration from 1m to 2160h, such as 24h", c.Recordings.CompactAfter)
	}
}

// recordingStorage is compaction and retention of the recordings.
type recordingStorage struct {
	compact   *compact.Service
	retention *retention.Service
}

// openRecordingStorage wires where compacted recordings go (the data dir, or the object
// store; encrypted when keys are set), compaction (WISMO_RECORDINGS_OPUSENC=off: none) and
// retention. The settings were validated, so parsing them again cannot fail.
func (a *app) openRecordingStorage(recs *recordings.Service) *recordingStorage {
	rc := a.cfg.Recordings
	bitrate, _ := strconv.Atoi(rc.OpusBitrate)
	after, _ := time.ParseDuration(rc.CompactAfter)
	var s3 blob.Store
	if rc.S3URL != "" {
		s3, _ = blob.NewS3(rc.S3URL, rc.S3AccessKey, rc.S3SecretKey, rc.S3Region)
	}
	var keys *blob.Keyring
	if rc.Keys != "" {
		keys, _ = blob.ParseKeys(rc.Keys)
	}
	recs.SetStorage(s3, keys)
	return &recordingStorage{retention: retention.New(a.db, recs, a.log),
		compact: compact.New(a.db, recs, a.log, compact.Options{Encoder: rc.Opusenc, Bitrate: bitrate, After: after})}
}

func (rs *recordingStorage) routes(r fiber.Router) { retention.Routes(r, rs.retention) }

// jobs are recording-compact and recording-retention.
func (rs *recordingStorage) jobs() []job {
	return []job{{name: compact.JobName, run: rs.compact.Run}, {name: retention.JobName, run: rs.retention.Run}}
}
