package blob

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Encryption at rest. An encrypted object is a 64-byte header then the chunks:
//
//	header: "WSE1" | key id length (1) | key id (up to 32, zero-padded to 32) | chunk size
//	        (uint32) | plaintext size (uint64) | nonce prefix (8 random bytes) | zeros to 64
//	chunk i: AES-256-GCM of plaintext bytes [i*chunk, (i+1)*chunk) with nonce = prefix |
//	         uint32(i), additional data = header | uint64(i); 16 bytes of tag each
//
// The header is authenticated by every chunk (a changed size or key id fails), and the index
// in nonce and additional data stops chunks from being reordered. Reading a range decrypts
// only the chunks it touches.
const (
	ChunkSize  = 64 << 10
	headerSize = 64
	tagSize    = 16
	maxKeyID   = 32
	magic      = "WSE1"
)

// Errors of encrypted objects.
var (
	ErrUnknownKey = errors.New("recording encrypted with a key id not configured")
	ErrDecrypt    = errors.New("recording does not decrypt: wrong key or damaged")
)

// Keyring holds the keys by id; Current encrypts new objects, any decrypts.
type Keyring struct {
	Current string
	keys    map[string]cipher.AEAD
}

// ParseKeys reads "id:base64key,id2:base64key2" (32-byte keys, standard base64); the first
// is the current one, which encrypts; all decrypt. Old keys stay listed after a rotation.
func ParseKeys(spec string) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, b64, ok := strings.Cut(item, ":")
		if !ok || id == "" || len(id) > maxKeyID || strings.ContainsAny(id, " \x00") {
			return nil, fmt.Errorf("key %q: want id:base64 with an id of 1-%d characters", short(item), maxKeyID)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %s: want 32 bytes in standard base64 (openssl rand -base64 32)", id)
		}
		if _, dup := k.keys[id]; dup {
			return nil, fmt.Errorf("key %s: listed twice", id)
		}
		aead, err := newAEAD(raw)
		if err != nil {
			return nil, err
		}
		k.keys[id] = aead
		if k.Current == "" {
			k.Current = id
		}
	}
	if k.Current == "" {
		return nil, errors.New("no keys")
	}
	return k, nil
}

func short(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i] + ":…"
	}
	return s
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// Encrypted is a Store whose objects are encrypted with keys' current key.
type Encrypted struct {
	Inner Store
	Keys  *Keyring
}

// KeyID is the id new objects are encrypted with.
func (e Encrypted) KeyID() string { return e.Keys.Current }

// EncryptedSize is the stored size of size plaintext bytes.
func EncryptedSize(size int64) int64 {
	chunks := (size + ChunkSize - 1) / ChunkSize
	return headerSize + size + chunks*tagSize
}

// Put encrypts size bytes from r into key.
func (e Encrypted) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	id := e.Keys.Current
	hdr := make([]byte, headerSize)
	copy(hdr, magic)
	hdr[4] = byte(len(id))
	copy(hdr[5:5+maxKeyID], id)
	binary.BigEndian.PutUint32(hdr[37:41], ChunkSize)
	binary.BigEndian.PutUint64(hdr[41:49], uint64(size))
	if _, err := rand.Read(hdr[49:57]); err != nil {
		return err
	}
	aead := e.Keys.keys[id]
	pr, pw := io.Pipe()
	go func() {
		if _, err := pw.Write(hdr); err != nil {
			return
		}
		buf := make([]byte, ChunkSize)
		var out []byte
		for i, left := int64(0), size; left > 0; i++ {
			n := min(left, ChunkSize)
			if _, err := io.ReadFull(r, buf[:n]); err != nil {
				pw.CloseWithError(fmt.Errorf("read %s: %w", key, err))
				return
			}
			out = aead.Seal(out[:0], nonce(hdr, i), buf[:n], aad(hdr, i))
			if _, err := pw.Write(out); err != nil {
				return
			}
			left -= n
		}
		pw.Close()
	}()
	err := e.Inner.Put(ctx, key, pr, EncryptedSize(size))
	pr.CloseWithError(io.ErrClosedPipe) // stops the writer if Put returned early
	return err
}

func nonce(hdr []byte, i int64) []byte {
	n := make([]byte, 12)
	copy(n, hdr[49:57])
	binary.BigEndian.PutUint32(n[8:], uint32(i))
	return n
}

func aad(hdr []byte, i int64) []byte {
	a := make([]byte, headerSize+8)
	copy(a, hdr)
	binary.BigEndian.PutUint64(a[headerSize:], uint64(i))
	return a
}

// Open returns the plaintext of key, which seeks: a read decrypts the chunks it touches.
func (e Encrypted) Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	in, stored, err := e.Inner.Open(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(in, hdr); err != nil || string(hdr[:4]) != magic || hdr[4] == 0 || hdr[4] > maxKeyID {
		in.Close()
		return nil, 0, fmt.Errorf("%s: not an encrypted recording: %w", key, ErrDecrypt)
	}
	id := string(hdr[5 : 5+hdr[4]])
	aead, ok := e.Keys.keys[id]
	if !ok {
		in.Close()
		return nil, 0, fmt.Errorf("%s: key id %q: %w", key, id, ErrUnknownKey)
	}
	size := int64(binary.BigEndian.Uint64(hdr[41:49]))
	if binary.BigEndian.Uint32(hdr[37:41]) != ChunkSize || EncryptedSize(size) != stored {
		in.Close()
		return nil, 0, fmt.Errorf("%s: size does not match its header: %w", key, ErrDecrypt)
	}
	d := &decrypter{in: in, aead: aead, hdr: hdr, size: size, cur: -1}
	if size > 0 { // a wrong key is refused here, before a player gets a status line
		if err := d.load(0); err != nil {
			in.Close()
			return nil, 0, fmt.Errorf("%s: %w", key, err)
		}
	}
	return d, size, nil
}

// KeyIDOf returns the key id an encrypted object was written with.
func KeyIDOf(r io.ReadSeeker) (string, error) {
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(r, hdr); err != nil || string(hdr[:4]) != magic || hdr[4] > maxKeyID {
		return "", ErrDecrypt
	}
	return string(hdr[5 : 5+hdr[4]]), nil
}

// Delete removes key.
func (e Encrypted) Delete(ctx context.Context, key string) error { return e.Inner.Delete(ctx, key) }

type decrypter struct {
	in        io.ReadSeekCloser
	aead      cipher.AEAD
	hdr       []byte
	size, pos int64
	cur       int64 // index of the chunk in plain, -1 none
	plain     []byte
	sealed    []byte
}

func (d *decrypter) Read(p []byte) (int, error) {
	if d.pos >= d.size {
		return 0, io.EOF
	}
	i := d.pos / ChunkSize
	if i != d.cur {
		if err := d.load(i); err != nil {
			return 0, err
		}
	}
	n := copy(p, d.plain[d.pos-i*ChunkSize:])
	d.pos += int64(n)
	return n, nil
}

func (d *decrypter) load(i int64) error {
	n := min(d.size-i*ChunkSize, ChunkSize) + tagSize
	if _, err := d.in.Seek(headerSize+i*(ChunkSize+tagSize), io.SeekStart); err != nil {
		return err
	}
	if cap(d.sealed) < int(n) {
		d.sealed = make([]byte, n)
	}
	d.sealed = d.sealed[:n]
	if _, err := io.ReadFull(d.in, d.sealed); err != nil {
		return fmt.Errorf("chunk %d: %w", i, err)
	}
	plain, err := d.aead.Open(d.plain[:0], nonce(d.hdr, i), d.sealed, aad(d.hdr, i))
	if err != nil {
		d.cur = -1
		return fmt.Errorf("chunk %d: %w", i, ErrDecrypt)
	}
	d.plain, d.cur = plain, i
	return nil
}

func (d *decrypter) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += d.pos
	case io.SeekEnd:
		off += d.size
	}
	if off < 0 {
		return 0, errors.New("seek before the start")
	}
	d.pos = off
	return off, nil
}

func (d *decrypter) Close() error { return d.in.Close() }
