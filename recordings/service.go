package recordings

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
)

// ErrNotFound reports a recording that does not exist or is not the caller's to see.
var ErrNotFound = errors.New("recording not found")

// Recording is a stored call recording.
type Recording struct {
	ID         int64      `json:"id"`
	CallID     int64      `json:"call_id"`
	BrandID    int64      `json:"brand_id,omitempty"`
	Path       string     `json:"-"`
	DurationMS int64      `json:"duration_ms"`
	SizeBytes  int64      `json:"size_bytes"`
	SHA256     string     `json:"sha256"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Format is what the file at Path holds: FormatWAV as recorded, FormatOpus once
	// recordings/compact converted it (docs/recordings-storage.md).
	Format string `json:"format"`
	// SourcePath is the WAV a conversion replaced while it still exists on disk.
	SourcePath   string     `json:"-"`
	WAVSizeBytes int64      `json:"wav_size_bytes,omitempty"`
	CompactedAt  *time.Time `json:"compacted_at,omitempty"`
	// Storage says where Path points: StorageFile (a file on this node) or a recordings/blob
	// backend's name ("dir", "s3") with Path its key; KeyID the encryption key ("" = none).
	Storage string `json:"storage"`
	KeyID   string `json:"key_id,omitempty"`
}

// StorageFile is a recording whose Path is a file on this node (as recorded).
const StorageFile = "file"

// Formats of a stored recording.
const (
	FormatWAV  = "wav"  // 16-bit PCM stereo, 8 kHz, as recorded
	FormatOpus = "opus" // Opus in Ogg (RFC 7845), converted after the call
)

// Service stores recordings under dir and their rows in the database.
type Service struct {
	db  *store.DB
	dir string
	log *slog.Logger
	st  storage // where compacted recordings go (open.go); the data directory by default
}

// NewService returns the recordings of db, kept under dir (the data dir's "recordings").
func NewService(db *store.DB, dir string, log *slog.Logger) *Service {
	return &Service{db: db, dir: dir, log: log.With("component", "recordings"), st: defaultStorage(dir)}
}

// Active is a recording being written.
type Active struct {
	*Recorder
	rec Recording
}

// ID returns the recording's id.
func (a *Active) ID() int64 { return a.rec.ID }

// Start creates the WAV of call callID (of brand, 0 if not known yet) and its row.
func (s *Service) Start(ctx context.Context, callID, brand int64, at time.Time) (*Active, error) {
	day := at.UTC().Format("2006/01/02")
	dir := filepath.Join(s.dir, day)
	if err := os.MkdirAll(dir, store.PrivateDirMode); err != nil { // customers' voices: wismo's user only
		return nil, fmt.Errorf("recording dir: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("call-%d-%s.wav", callID, rand.Text()[:10]))
	w, err := media.CreateWAV(path, Rate, 2)
	if err != nil {
		return nil, fmt.Errorf("create recording: %w", err)
	}
	row := recordingRow{CallID: callID, BrandID: nzID(brand), Path: path, StartedAt: at.UTC(), Format: FormatWAV, Storage: StorageFile}
	if err := s.db.Gorm.WithContext(ctx).Create(&row).Error; err != nil {
		w.Close()
		return nil, fmt.Errorf("record recording of call %d: %w", callID, err)
	}
	return &Active{Recorder: NewRecorder(w, at), rec: row.toRecording()}, nil
}

// Finish closes the WAV and stores its duration, size and sha256. It runs on teardown, so
// callers pass a context that outlives the call (context.WithoutCancel).
func (s *Service) Finish(ctx context.Context, a *Active, brand int64) (Recording, error) {
	frames, err := a.Close()
	if err != nil {
		s.log.Error("recording write failed", "recording", a.rec.ID, "err", err)
	}
	rec := a.rec
	if brand != 0 {
		rec.BrandID = brand
	}
	if err := s.measure(&rec); err != nil {
		return rec, err
	}
	rec.DurationMS = frames * 1000 / Rate
	return rec, s.save(ctx, rec)
}

// measure fills size, sha256 and duration from the file itself.
func (s *Service) measure(rec *Recording) error {
	f, err := os.Open(rec.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	rec.SizeBytes, rec.SHA256, rec.WAVSizeBytes = n, hex.EncodeToString(h.Sum(nil)), n
	rec.DurationMS = max(n-44, 0) / 4 * 1000 / Rate
	now := time.Now().UTC()
	rec.FinishedAt = &now
	return nil
}

func (s *Service) save(ctx context.Context, rec Recording) error {
	row := toRecordingRow(rec)
	if err := s.db.Gorm.WithContext(ctx).Save(&row).Error; err != nil {
		return fmt.Errorf("save recording %d: %w", rec.ID, err)
	}
	return nil
}

// RepairUnfinished finds recordings a crash left open, fixes their WAV headers and stores
// their size, duration and sha256. Run it at start, before taking calls.
func (s *Service) RepairUnfinished(ctx context.Context) (int, error) {
	var rows []recordingRow
	if err := s.db.Gorm.WithContext(ctx).Where("finished_at IS NULL").Limit(10000).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("unfinished recordings: %w", err)
	}
	n := 0
	for _, row := range rows {
		rec := row.toRecording()
		if _, err := media.RepairWAV(rec.Path); err != nil {
			s.log.Warn("recording cannot be repaired", "recording", rec.ID, "path", rec.Path, "err", err)
			continue
		}
		if err := s.measure(&rec); err != nil {
			return n, err
		}
		if err := s.save(ctx, rec); err != nil {
			return n, err
		}
		s.log.Info("repaired unfinished recording", "recording", rec.ID, "duration_ms", rec.DurationMS)
		n++
	}
	return n, nil
}

// Get returns recording id if scope may see its brand.
func (s *Service) Get(ctx context.Context, scope access.Scope, id int64) (Recording, error) {
	where, args := scope.SQL("brand_id", "", "")
	var row recordingRow
	err := s.db.Gorm.WithContext(ctx).Where(where, args...).Where("id = ?", id).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Recording{}, ErrNotFound
	}
	if err != nil {
		return Recording{}, fmt.Errorf("recording %d: %w", id, err)
	}
	return row.toRecording(), nil
}

// Database rows; converters join them to Recording.

type recordingRow struct {
	ID           int64 `gorm:"primaryKey"`
	CallID       int64
	BrandID      *int64
	Path         string
	DurationMS   int64 `gorm:"column:duration_ms"`
	SizeBytes    int64
	SHA256       string `gorm:"column:sha256"`
	StartedAt    time.Time
	FinishedAt   *time.Time
	Format       string
	SourcePath   string
	WAVSizeBytes int64 `gorm:"column:wav_size_bytes"`
	CompactedAt  *time.Time
	Storage      string
	KeyID        string
}

func (recordingRow) TableName() string { return "recordings" }

func nzID(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func (r recordingRow) toRecording() Recording {
	rec := Recording{ID: r.ID, CallID: r.CallID, Path: r.Path, DurationMS: r.DurationMS, SizeBytes: r.SizeBytes,
		SHA256: r.SHA256, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Format: r.Format, SourcePath: r.SourcePath,
		WAVSizeBytes: r.WAVSizeBytes, CompactedAt: r.CompactedAt, Storage: r.Storage, KeyID: r.KeyID}
	if rec.Format == "" {
		rec.Format = FormatWAV
	}
	if rec.Storage == "" {
		rec.Storage = StorageFile
	}
	if r.BrandID != nil {
		rec.BrandID = *r.BrandID
	}
	return rec
}

func toRecordingRow(r Recording) recordingRow {
	return recordingRow{ID: r.ID, CallID: r.CallID, BrandID: nzID(r.BrandID), Path: r.Path, DurationMS: r.DurationMS,
		SizeBytes: r.SizeBytes, SHA256: r.SHA256, StartedAt: r.StartedAt.UTC(), FinishedAt: r.FinishedAt, Format: r.Format,
		SourcePath: r.SourcePath, WAVSizeBytes: r.WAVSizeBytes, CompactedAt: r.CompactedAt, Storage: r.Storage, KeyID: r.KeyID}
}
