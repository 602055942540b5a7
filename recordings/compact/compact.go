// Package compact converts finished call recordings from 16-bit WAV to Opus in Ogg with
// Debian's opusenc (opus-tools) after the call, off the call's path, and deletes the WAV only
// once the Opus file is verified and the recording's row names it.
//
// Guarantees (docs/recordings-storage.md):
//   - a crash at any point loses no audio: opusenc writes a temporary name, the file is
//     fsynced and verified, renamed into place and its directory fsynced, then the row is
//     updated (format 'opus', source_path the WAV), then the WAV is deleted and source_path
//     cleared. A restart redoes a conversion whose row still says 'wav' and removes a WAV
//     whose row already names the Opus file;
//   - a recording is converted only once its talk analytics (call_talk) exist, and its
//     transcript when a speech engine transcribes calls (WaitForTranscripts), or once it
//     finished longer ago than Options.After: readers of PCM run first;
//   - with no opusenc on the machine nothing is converted, the WAVs stay, and one warning
//     says so.
package compact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
)

// JobName is the background job that compacts recordings (WISMO_JOBS).
const JobName = "recording-compact"

// Defaults of Options.
const (
	DefaultBitrate = 24 // kbit/s for both channels: speech, 8 kHz narrowband
	DefaultAfter   = 24 * time.Hour
	Every          = 30 * time.Second
	Batch          = 10
)

// Options tune the conversion; zero values take the defaults.
type Options struct {
	Encoder string        // opusenc's path; "" looks it up in PATH; "off" converts nothing
	Bitrate int           // kbit/s
	After   time.Duration // convert without waiting for analytics once a recording is this old
}

// Service converts recordings.
type Service struct {
	off  bool // WISMO_RECORDINGS_OPUSENC=off
	db   *store.DB
	recs *recordings.Service
	log  *slog.Logger
	opt  Options
	now  func() time.Time
	warn sync.Once
	// transcripts: a speech engine transcribes recordings, so a transcript (call_transcripts)
	// is awaited too; without one none ever comes.
	transcripts bool
}

// WaitForTranscripts says whether recordings are transcribed (a speech engine is set up):
// then a recording is converted once its transcript exists too. Call it before Run.
func (s *Service) WaitForTranscripts(on bool) { s.transcripts = on }

// New returns the compactor of recs' recordings in db; converted files go where recs' storage
// says (recordings.Service.SetStorage: the data directory, the object store, encrypted).
func New(db *store.DB, recs *recordings.Service, log *slog.Logger, opt Options) *Service {
	off := opt.Encoder == "off"
	switch opt.Encoder {
	case "":
		opt.Encoder, _ = exec.LookPath("opusenc")
	case "off":
		opt.Encoder = ""
	}
	if opt.Bitrate <= 0 {
		opt.Bitrate = DefaultBitrate
	}
	if opt.After <= 0 {
		opt.After = DefaultAfter
	}
	return &Service{off: off, db: db, recs: recs, log: log.With("component", "recording-compact"), opt: opt, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Available reports whether an encoder is present; the first time it is not, it logs a warning.
func (s *Service) Available() bool {
	if s.opt.Encoder != "" {
		return true
	}
	s.warn.Do(func() {
		if s.off {
			s.log.Info("compaction is off (WISMO_RECORDINGS_OPUSENC=off): recordings stay WAV")
			return
		}
		s.log.Warn("no Opus encoder (install Debian's opus-tools): recordings stay WAV")
	})
	return false
}

// Run compacts recordings every Every until ctx ends (the recording-compact job).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		for range 100 { // bounded: at most 100 batches a tick
			n, err := s.Pass(ctx, Batch)
			if err != nil && ctx.Err() == nil {
				s.log.Error("recording compaction pass failed", "err", err)
			}
			if n < Batch || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type pending struct {
	id, durationMS int64
	path           string
}

// Pass finishes what a crash interrupted, then converts up to limit ready recordings, oldest
// first, and returns how many it converted.
func (s *Service) Pass(ctx context.Context, limit int) (int, error) {
	if err := s.removeSources(ctx); err != nil {
		return 0, err
	}
	if !s.Available() {
		return 0, nil
	}
	ready := `EXISTS (SELECT 1 FROM call_talk t WHERE t.recording_id = r.id)`
	if s.transcripts && store.HasColumn(ctx, s.db, "call_transcripts", "recording_id") {
		ready += ` AND EXISTS (SELECT 1 FROM call_transcripts x WHERE x.recording_id = r.id)`
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.id, r.path, r.duration_ms FROM recordings r
		WHERE r.format = 'wav' AND r.finished_at IS NOT NULL AND ((`+ready+`) OR r.finished_at < ?)
		ORDER BY r.id LIMIT ?`), s.now().Add(-s.opt.After).UTC(), limit)
	if err != nil {
		return 0, fmt.Errorf("recordings to compact: %w", err)
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.path, &p.durationMS); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range todo {
		if err := s.convert(ctx, p); err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			// The WAV stays and is tried again next pass; one bad file does not stop the rest.
			s.log.Warn("recording not compacted", "recording", p.id, "path", p.path, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// ErrMismatch reports an Opus file that does not play as long as the WAV it came from.
var ErrMismatch = errors.New("converted recording does not match the WAV")

// convert turns one WAV into Opus; see the package doc for the order of steps.
func (s *Service) convert(ctx context.Context, p pending) error {
	start := time.Now()
	final := strings.TrimSuffix(p.path, filepath.Ext(p.path)) + ".opus"
	tmp := final + ".tmp"
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	wavSize, err := fileSize(p.path)
	if err != nil {
		return err
	}
	if err := Encode(ctx, s.opt.Encoder, s.opt.Bitrate, p.path, tmp); err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	st, err := Verify(tmp)
	if err != nil {
		return fmt.Errorf("verify %s: %w", tmp, err)
	}
	wavMS := max(wavSize-44, 0) / 4 * 1000 / recordings.Rate
	if st.Channels != 2 || abs(st.DurationMS-wavMS) > 25 {
		return fmt.Errorf("%w: %d channels, %d ms against %d ms", ErrMismatch, st.Channels, st.DurationMS, wavMS)
	}
	size, sum, err := digest(tmp)
	if err != nil {
		return err
	}
	backend, stored, keyID, err := s.place(ctx, tmp, final)
	if err != nil {
		return err
	}
	res, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE recordings SET format = 'opus', path = ?, source_path = ?,
		size_bytes = ?, sha256 = ?, wav_size_bytes = ?, compacted_at = ?, storage = ?, key_id = ? WHERE id = ? AND format = 'wav'`),
		stored, p.path, size, sum, wavSize, s.now().UTC(), backend, keyID, p.id)
	if err != nil {
		return fmt.Errorf("record compacted recording %d: %w", p.id, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		// Deleted meanwhile (retention): the Opus file would be audio of no row.
		var left int
		if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM recordings WHERE id = ?`), p.id).Scan(&left); err == nil && left == 0 {
			s.recs.DeleteAudio(ctx, recordings.Recording{ID: p.id, Storage: backend, Path: stored})
		}
		return nil
	}
	s.log.Info("recording compacted", "recording", p.id, "wav_bytes", wavSize, "opus_bytes", size,
		"took_ms", time.Since(start).Milliseconds())
	return s.removeSource(ctx, p.id, p.path)
}

// removeSources deletes WAVs whose rows already name their Opus file (a crash came between).
func (s *Service) removeSources(ctx context.Context) error {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, source_path FROM recordings WHERE format <> 'wav' AND source_path <> '' LIMIT 1000`)
	if err != nil {
		return fmt.Errorf("compacted recordings' WAVs: %w", err)
	}
	type left struct {
		id   int64
		path string
	}
	var todo []left
	for rows.Next() {
		var l left
		if err := rows.Scan(&l.id, &l.path); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, l)
	}
	rows.Close()
	for _, l := range todo {
		if err := s.removeSource(ctx, l.id, l.path); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Service) removeSource(ctx context.Context, id int64, path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove WAV of recording %d: %w", id, err)
	}
	if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE recordings SET source_path = '' WHERE id = ?`), id); err != nil {
		return fmt.Errorf("record WAV of recording %d removed: %w", id, err)
	}
	return nil
}

// Encode runs opusenc on the WAV in to write Ogg Opus at bitrate kbit/s to out.
func Encode(ctx context.Context, encoder string, bitrate int, in, out string) error {
	cmd := exec.CommandContext(ctx, encoder, "--quiet", "--bitrate", fmt.Sprint(bitrate), in, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("opusenc %s: %w: %s", in, err, strings.TrimSpace(string(msg)))
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func digest(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// place puts the verified file tmp where the recordings' storage says: renamed to final on
// this node (storage "file"), or Put into a blob backend (the data directory encrypted, or
// the object store) under final's key. Each way the stored object appears whole or not at
// all; until the row names it, the WAV stays the recording.
func (s *Service) place(ctx context.Context, tmp, final string) (backend, stored, keyID string, err error) {
	backend, target, keyID := s.recs.Target()
	if backend == recordings.StorageFile {
		if err := os.Rename(tmp, final); err != nil {
			return "", "", "", err
		}
		return backend, final, "", syncFile(filepath.Dir(final))
	}
	key, err := s.recs.Key(final)
	if err != nil {
		return "", "", "", err
	}
	f, err := os.Open(tmp)
	if err != nil {
		return "", "", "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", "", "", err
	}
	if err := target.Put(ctx, key, f, st.Size()); err != nil {
		return "", "", "", fmt.Errorf("store %s in %s: %w", key, backend, err)
	}
	return backend, key, keyID, nil
}
