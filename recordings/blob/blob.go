// Package blob stores recordings' audio by key: in the data directory (Dir, the default) or
// in an S3-compatible object store (S3: AWS S3 or MinIO in production, s3rver in tests), and
// optionally encrypted at rest (Encrypted: AES-256-GCM per 64 KiB chunk, so a byte range is
// read by decrypting only the chunks it touches).
//
// Guarantees: Put makes an object appear whole or not at all (Dir writes a temporary name,
// fsyncs and renames; S3 objects appear only once their upload completed); Open returns a
// reader that seeks, with the object's size; Delete of a missing key is not an error.
package blob

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound reports a key with no object.
var ErrNotFound = errors.New("blob not found")

// Store keeps objects by key (a relative path such as 2026/12/06/call-1-x.opus).
type Store interface {
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error)
	Delete(ctx context.Context, key string) error
}
