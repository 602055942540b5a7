package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/wismo/wismo/recordings/blob"
	"github.com/wismo/wismo/store/storetest"
)

func key(t *testing.T) string {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

func keys(t *testing.T, spec string) *blob.Keyring {
	t.Helper()
	k, err := blob.ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// size spans three and a half chunks, so ranges cross chunk boundaries.
var payload = func() []byte {
	b := make([]byte, 3*blob.ChunkSize+blob.ChunkSize/2)
	rand.Read(b)
	return b
}()

// checkRanges reads ranges of key through s, across chunk boundaries, and compares them.
func checkRanges(t *testing.T, s blob.Store, name string) {
	t.Helper()
	ctx := context.Background()
	r, size, err := s.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if size != int64(len(payload)) {
		t.Fatalf("size %d, want %d", size, len(payload))
	}
	for _, rg := range [][2]int64{{0, 10}, {blob.ChunkSize - 10, 20}, {2*blob.ChunkSize - 1, blob.ChunkSize + 2},
		{int64(len(payload)) - 5, 5}, {100, 3 * blob.ChunkSize}, {0, int64(len(payload))}} {
		if _, err := r.Seek(rg[0], io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, rg[1])
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatalf("range %v: %v", rg, err)
		}
		if !bytes.Equal(got, payload[rg[0]:rg[0]+rg[1]]) {
			t.Fatalf("range %v: bytes differ", rg)
		}
	}
	if _, err := r.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read at the end: %d %v", n, err)
	}
}

func TestEncryptedRangesWrongKeyAndRotation(t *testing.T) {
	storetest.OnePass(t) // no database: one pass is enough
	ctx := context.Background()
	dir := blob.Dir{Root: t.TempDir()}
	k1, k2 := key(t), key(t)
	enc := blob.Encrypted{Inner: dir, Keys: keys(t, "k1:"+k1)}
	if err := enc.Put(ctx, "2026/12/06/a.opus", bytes.NewReader(payload), int64(len(payload))); err != nil {
		t.Fatal(err)
	}
	checkRanges(t, enc, "2026/12/06/a.opus")
	stored, _ := os.ReadFile(filepath.Join(dir.Root, "2026/12/06/a.opus"))
	if bytes.Contains(stored, payload[:64]) || int64(len(stored)) != blob.EncryptedSize(int64(len(payload))) {
		t.Fatalf("stored %d bytes, plaintext visible: %v", len(stored), bytes.Contains(stored, payload[:64]))
	}

	// The same id with other bytes (a wrong key) and an id not configured are refused at Open.
	if _, _, err := (blob.Encrypted{Inner: dir, Keys: keys(t, "k1:"+k2)}).Open(ctx, "2026/12/06/a.opus"); !errors.Is(err, blob.ErrDecrypt) {
		t.Fatalf("wrong key: %v, want ErrDecrypt", err)
	}
	if _, _, err := (blob.Encrypted{Inner: dir, Keys: keys(t, "k2:"+k2)}).Open(ctx, "2026/12/06/a.opus"); !errors.Is(err, blob.ErrUnknownKey) {
		t.Fatalf("key not configured: %v, want ErrUnknownKey", err)
	}

	// Rotation: k2 becomes current, k1 stays listed. New objects use k2; old ones keep k1.
	rot := blob.Encrypted{Inner: dir, Keys: keys(t, "k2:"+k2+", k1:"+k1)}
	if err := rot.Put(ctx, "b.opus", bytes.NewReader(payload), int64(len(payload))); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"2026/12/06/a.opus": "k1", "b.opus": "k2"} {
		f, _ := os.Open(filepath.Join(dir.Root, name))
		id, err := blob.KeyIDOf(f)
		f.Close()
		if err != nil || id != want {
			t.Errorf("%s: key id %q %v, want %s", name, id, err, want)
		}
		checkRanges(t, rot, name)
	}

	// A damaged chunk is refused, not served.
	stored[len(stored)-blob.ChunkSize/4] ^= 1
	os.WriteFile(filepath.Join(dir.Root, "2026/12/06/a.opus"), stored, 0o600)
	r, _, err := rot.Open(ctx, "2026/12/06/a.opus")
	if err != nil {
		t.Fatal(err) // chunk 0 is whole
	}
	r.Seek(int64(len(payload))-10, io.SeekStart)
	if _, err := io.ReadAll(r); !errors.Is(err, blob.ErrDecrypt) {
		t.Fatalf("damaged last chunk: %v, want ErrDecrypt", err)
	}
	r.Close()

	for _, bad := range []string{"", "k1", "k1:short", "k1:" + k1 + ",k1:" + k2, ":" + k1} {
		if _, err := blob.ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
}

func TestDirRefusesEscapingKeys(t *testing.T) {
	storetest.OnePass(t) // no database: one pass is enough
	d := blob.Dir{Root: t.TempDir()}
	for _, k := range []string{"../x", "/etc/passwd", "a/../../x", ""} {
		if err := d.Put(context.Background(), k, bytes.NewReader(nil), 0); err == nil {
			t.Errorf("Put(%q) accepted", k)
		}
	}
}

// Against a real S3-compatible server (s3rver from npm): plain and encrypted objects, ranges,
// delete.
func TestS3RangesAndDelete(t *testing.T) {
	storetest.OnePass(t)
	s3 := blob.StartS3rver(t)
	ctx := context.Background()
	for name, s := range map[string]blob.Store{"plain": s3, "encrypted": blob.Encrypted{Inner: s3, Keys: keys(t, "k1:"+key(t))}} {
		t.Run(name, func(t *testing.T) {
			k := "2026/12/06/" + name + ".opus"
			if err := s.Put(ctx, k, bytes.NewReader(payload), int64(len(payload))); err != nil {
				t.Fatal(err)
			}
			checkRanges(t, s, k)
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("after delete: %v, want ErrNotFound", err)
			}
		})
	}
}
