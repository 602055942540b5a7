package main

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/recordings/retention"
)

// RecordingsConfig is the compact storage of recordings (package recordings/compact;
// docs/recordings-storage.md).
type RecordingsConfig struct {
	Opusenc      string
	OpusBitrate  string
	CompactAfter string
}

func (c *Config) recordingSettings() []setting {
	r := &c.Recordings
	return []setting{
		{"recordings-opusenc", "WISMO_RECORDINGS_OPUSENC", "", "opusenc (Debian's opus-tools) that compacts recordings to Opus after the call; empty = find it in PATH; off = keep WAVs", &r.Opusenc},
		{"recordings-opus-bitrate", "WISMO_RECORDINGS_OPUS_BITRATE", "24", "Opus bitrate of compacted recordings in kbit/s, both channels (8-128)", &r.OpusBitrate},
		{"recordings-compact-after", "WISMO_RECORDINGS_COMPACT_AFTER", "24h", "a recording is compacted once its talk analytics (and transcript) exist, or this long after it finished", &r.CompactAfter},
	}
}

func (c *Config) validateRecordings(bad func(field, format string, args ...any)) {
	if v, err := strconv.Atoi(c.Recordings.OpusBitrate); err != nil || v < 8 || v > 128 {
		bad("WISMO_RECORDINGS_OPUS_BITRATE", "%q must be a number of kbit/s from 8 to 128", c.Recordings.OpusBitrate)
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

// openRecordingStorage wires compaction (WISMO_RECORDINGS_OPUSENC=off: none) and retention.
func (a *app) openRecordingStorage(recs *recordings.Service) *recordingStorage {
	rc := a.cfg.Recordings
	bitrate, _ := strconv.Atoi(rc.OpusBitrate)
	after, _ := time.ParseDuration(rc.CompactAfter)
	return &recordingStorage{retention: retention.New(a.db, recs, a.log),
		compact: compact.New(a.db, a.log, compact.Options{Encoder: rc.Opusenc, Bitrate: bitrate, After: after})}
}

func (rs *recordingStorage) routes(r fiber.Router) { retention.Routes(r, rs.retention) }

// jobs are recording-compact and recording-retention.
func (rs *recordingStorage) jobs() []job {
	return []job{{name: compact.JobName, run: rs.compact.Run}, {name: retention.JobName, run: rs.retention.Run}}
}
