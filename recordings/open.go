package recordings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wismo/wismo/recordings/blob"
)

// ContentType is the media type of a recording stored in format (RFC 7845 §9: Ogg Opus is
// audio/ogg; RFC 2361's audio/wav for PCM).
func ContentType(format string) string {
	if format == FormatOpus {
		return "audio/ogg"
	}
	return "audio/wav"
}

// Ext is the file name extension of format, for downloads and exports.
func Ext(format string) string {
	if format == FormatOpus {
		return ".opus"
	}
	return ".wav"
}

// storage is where compacted recordings are written and every backend rows may name.
type storage struct {
	target   string                // backend new files go to: StorageFile, "dir" or "s3"
	backends map[string]blob.Store // by name; "dir" is always there
	keys     *blob.Keyring         // nil: not encrypted
}

func defaultStorage(dir string) storage {
	return storage{target: StorageFile, backends: map[string]blob.Store{"dir": blob.Dir{Root: dir}}}
}

// ErrStorage reports a recording kept in a backend or with a key this node is not configured for.
var ErrStorage = errors.New("recording storage not configured")

// SetStorage sends compacted recordings to s3 (when not nil) instead of the data directory,
// encrypted with keys' current key (when keys is not nil). Rows keep naming the backend and
// key they were written with, so a change of either leaves old recordings readable as long as
// the backend and key stay configured.
func (s *Service) SetStorage(s3 blob.Store, keys *blob.Keyring) {
	s.st.keys = keys
	switch {
	case s3 != nil:
		s.st.backends["s3"], s.st.target = s3, "s3"
	case keys != nil:
		s.st.target = "dir"
	}
}

// Target returns where a new compacted file goes: StorageFile (rename it into place), or a
// backend's name with the store to Put it in (encrypting when keys are set) and its key id.
func (s *Service) Target() (name string, st blob.Store, keyID string) {
	if s.st.target == StorageFile {
		return StorageFile, nil, ""
	}
	st = s.st.backends[s.st.target]
	if s.st.keys != nil {
		return s.st.target, blob.Encrypted{Inner: st, Keys: s.st.keys}, s.st.keys.Current
	}
	return s.st.target, st, ""
}

// Key returns the blob key of a file under the recordings directory (its relative path).
func (s *Service) Key(path string) (string, error) {
	rel, err := filepath.Rel(s.dir, path)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("recording file %s is not under %s", path, s.dir)
	}
	return filepath.ToSlash(rel), nil
}

func (s *Service) backend(rec Recording) (blob.Store, error) {
	st, ok := s.st.backends[rec.Storage]
	if !ok {
		return nil, fmt.Errorf("recording %d is in %q: %w", rec.ID, rec.Storage, ErrStorage)
	}
	if rec.KeyID != "" {
		if s.st.keys == nil {
			return nil, fmt.Errorf("recording %d is encrypted with key %q and no keys are configured: %w", rec.ID, rec.KeyID, ErrStorage)
		}
		st = blob.Encrypted{Inner: st, Keys: s.st.keys}
	}
	return st, nil
}

// Open opens the stored audio of rec, whatever its format, backend and key: a reader that
// seeks, its size in bytes and its content type. The caller closes it. Readers that need PCM
// (talk analytics) run before recordings/compact converts a WAV; see docs/recordings-storage.md.
func (s *Service) Open(ctx context.Context, rec Recording) (io.ReadSeekCloser, int64, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, "", err
	}
	if rec.Storage == StorageFile || rec.Storage == "" {
		f, err := os.Open(rec.Path)
		if err != nil {
			return nil, 0, "", fmt.Errorf("open recording %d: %w", rec.ID, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, "", fmt.Errorf("open recording %d: %w", rec.ID, err)
		}
		return f, st.Size(), ContentType(rec.Format), nil
	}
	st, err := s.backend(rec)
	if err != nil {
		return nil, 0, "", err
	}
	r, size, err := st.Open(ctx, rec.Path)
	if err != nil {
		return nil, 0, "", fmt.Errorf("open recording %d: %w", rec.ID, err)
	}
	return r, size, ContentType(rec.Format), nil
}

// DeleteAudio removes rec's stored audio wherever it is, and a WAV a conversion left behind.
// A missing file or object is not an error (a crash may have removed it already).
func (s *Service) DeleteAudio(ctx context.Context, rec Recording) error {
	if rec.Storage == StorageFile || rec.Storage == "" {
		if err := os.Remove(rec.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("delete audio of recording %d: %w", rec.ID, err)
		}
	} else {
		st, ok := s.st.backends[rec.Storage]
		if !ok {
			return fmt.Errorf("recording %d is in %q: %w", rec.ID, rec.Storage, ErrStorage)
		}
		if err := st.Delete(ctx, rec.Path); err != nil {
			return fmt.Errorf("delete audio of recording %d: %w", rec.ID, err)
		}
	}
	if rec.SourcePath != "" {
		if err := os.Remove(rec.SourcePath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("delete WAV of recording %d: %w", rec.ID, err)
		}
	}
	return nil
}
