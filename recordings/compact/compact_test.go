package compact_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/blob"
	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/recordings/rectest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// A finished recording waits for its talk analytics (and its transcript where calls are
// transcribed; with no speech engine none ever comes), is then converted to Opus by Debian's
// opusenc, verified, its row switched and its WAV deleted; playback serves the Opus file with
// Range as audio/ogg and opusdec (an independent decoder) plays it for as long as the WAV.
func TestCompactAfterAnalyticsAndPlayOpus(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "opusenc", "opus-tools")
	opusdec := telephonytest.Require(t, "opusdec", "opus-tools")
	env := rectest.New(t)
	db, brand, key, recs, now, ctx := env.DB, env.Brand, env.Key, env.Recs, rectest.Now, context.Background()
	_, otherKey := rectest.Brand(t, db, "Two")
	rec := rectest.Record(t, recs, rectest.Call(t, db, brand.ID, now), brand.ID, now, 3000)
	svc := compact.New(db, recs, storetest.Logger(t), compact.Options{})

	if n, err := svc.Pass(ctx, 10); err != nil || n != 0 {
		t.Fatalf("before talk analytics: compacted %d, %v; want 0 (PCM readers first)", n, err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_talk (recording_id, call_id, brand_id, analyzed_at) VALUES (?,?,?,?)`),
		rec.ID, rec.CallID, brand.ID, now); err != nil {
		t.Fatal(err)
	}
	// Where a speech engine transcribes calls, the transcript is awaited too (it reads the WAV).
	svc.WaitForTranscripts(true)
	if n, err := svc.Pass(ctx, 10); err != nil || n != 0 {
		t.Fatalf("with transcription on and no transcript yet: compacted %d, %v; want 0", n, err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_transcripts (recording_id, call_id, brand_id, side, transcribed_at) VALUES (?,?,?,'customer',?)`),
		rec.ID, rec.CallID, brand.ID, now); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Pass(ctx, 10); err != nil || n != 1 {
		t.Fatalf("after talk analytics and the transcript: compacted %d, %v; want 1", n, err)
	}
	got, err := recs.Get(ctx, access.Operator(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != recordings.FormatOpus || !strings.HasSuffix(got.Path, ".opus") || got.SourcePath != "" || got.CompactedAt == nil {
		t.Fatalf("row after compaction: %+v", got)
	}
	if _, err := os.Stat(rec.Path); !os.IsNotExist(err) {
		t.Fatalf("the WAV %s is still there (%v)", rec.Path, err)
	}
	if got.WAVSizeBytes != rec.SizeBytes || got.SizeBytes*4 > rec.SizeBytes {
		t.Fatalf("opus %d bytes against WAV %d: want at most a quarter", got.SizeBytes, got.WAVSizeBytes)
	}
	// An independent decoder plays it for as long as the WAV was (3 s at 8 kHz).
	out := filepath.Join(t.TempDir(), "dec.wav")
	if msg, err := exec.Command(opusdec, "--quiet", "--rate", "8000", got.Path, out).CombinedOutput(); err != nil {
		t.Fatalf("opusdec: %v %s", err, msg)
	}
	if st, err := os.Stat(out); err != nil || abs(st.Size()-rec.SizeBytes) > 4*8*20 {
		t.Fatalf("decoded %v bytes, the WAV had %d (%v)", st.Size(), rec.SizeBytes, err)
	}

	app := fiber.New()
	app.Use(access.Authenticate(access.NewService(db)))
	recordings.Routes(app, recs)
	path := fmt.Sprintf("/api/v1/recordings/%d/audio", rec.ID)
	want, _ := os.ReadFile(got.Path)
	for _, tc := range []struct {
		key, rng, ctype string
		code            int
		body            []byte
	}{
		{key, "", "audio/ogg", 200, want},
		{key, "bytes=0-3", "audio/ogg", 206, []byte("OggS")},
		{key, "bytes=100-", "audio/ogg", 206, want[100:]},
		{key, fmt.Sprintf("bytes=%d-", len(want)), "", 416, nil},
		{otherKey, "", "", 404, nil},
	} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tc.key)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.code || (tc.ctype != "" && res.Header.Get("Content-Type") != tc.ctype) || (tc.body != nil && string(body) != string(tc.body)) {
			t.Errorf("GET %s Range %q: %d %s, %d bytes; want %d %s, %d bytes", path, tc.rng, res.StatusCode,
				res.Header.Get("Content-Type"), len(body), tc.code, tc.ctype, len(tc.body))
		}
	}
	body, size, ctype, err := recs.Open(ctx, got)
	if err != nil || size != got.SizeBytes || ctype != "audio/ogg" {
		t.Fatalf("Open: %d %s %v", size, ctype, err)
	}
	body.Close()
}

// A crash at each step of a conversion loses nothing: a half-written temporary file is
// redone, and a WAV left behind after the row switched is removed on the next pass.
func TestCompactCrashRecovery(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "opusenc", "opus-tools")
	env := rectest.New(t)
	db, brand, recs, now, ctx := env.DB, env.Brand, env.Recs, rectest.Now, context.Background()
	a := rectest.Record(t, recs, rectest.Call(t, db, brand.ID, now), brand.ID, now, 1000)
	svc := compact.New(db, recs, storetest.Logger(t), compact.Options{After: time.Hour})
	svc.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) }) // old enough: no analytics needed

	// Crash 1: opusenc was killed mid-file. The row still says wav; the next pass redoes it.
	tmp := strings.TrimSuffix(a.Path, ".wav") + ".opus.tmp"
	if err := os.WriteFile(tmp, []byte("OggS half a page"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Pass(ctx, 10); err != nil || n != 1 {
		t.Fatalf("redo after a crash mid-encode: %d, %v", n, err)
	}
	got, _ := recs.Get(ctx, access.Operator(), a.ID)
	if _, err := compact.Verify(got.Path); err != nil || got.Format != recordings.FormatOpus {
		t.Fatalf("after redo: %+v %v", got, err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("temporary file left: %v", err)
	}

	// Crash 2: the row names the Opus file but the WAV was not deleted yet.
	if err := os.WriteFile(a.Path, []byte("RIFF"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE recordings SET source_path = ? WHERE id = ?`), a.Path, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Pass(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a.Path); !os.IsNotExist(err) {
		t.Fatalf("WAV left after the row switched: %v", err)
	}
	if got, _ := recs.Get(ctx, access.Operator(), a.ID); got.SourcePath != "" {
		t.Fatalf("source_path not cleared: %+v", got)
	}
}

// Without an encoder the WAV stays, the pass converts nothing and says so once.
func TestCompactWithoutEncoderKeepsWAV(t *testing.T) {
	env := rectest.New(t)
	db, brand, recs, now, ctx := env.DB, env.Brand, env.Recs, rectest.Now, context.Background()
	rec := rectest.Record(t, recs, rectest.Call(t, db, brand.ID, now), brand.ID, now, 200)
	t.Setenv("PATH", t.TempDir())
	svc := compact.New(db, recs, storetest.Logger(t), compact.Options{})
	svc.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
	for range 2 {
		if n, err := svc.Pass(ctx, 10); err != nil || n != 0 {
			t.Fatalf("compacted %d, %v without an encoder", n, err)
		}
	}
	if got, _ := recs.Get(ctx, access.Operator(), rec.ID); got.Format != recordings.FormatWAV {
		t.Fatalf("row: %+v", got)
	}
	if _, err := os.Stat(rec.Path); err != nil {
		t.Fatalf("the WAV is gone: %v", err)
	}
}

// Verify refuses a truncated or corrupted Ogg file.
func TestVerifyRefusesDamage(t *testing.T) {
	storetest.OnePass(t)
	enc := telephonytest.Require(t, "opusenc", "opus-tools")
	dir := t.TempDir()
	wav := filepath.Join(dir, "a.wav")
	if err := exec.Command("sox", "-n", "-r", "8000", "-c", "2", "-b", "16", wav, "synth", "2", "sine", "440").Run(); err != nil {
		t.Skipf("SKIPPING (peer missing): sox: %v", err)
	}
	ogg := filepath.Join(dir, "a.opus")
	if err := compact.Encode(context.Background(), enc, 24, wav, ogg); err != nil {
		t.Fatal(err)
	}
	st, err := compact.Verify(ogg)
	if err != nil || st.Channels != 2 || st.InputRate != 8000 || abs(st.DurationMS-2000) > 20 {
		t.Fatalf("good file: %+v %v", st, err)
	}
	good, _ := os.ReadFile(ogg)
	for name, bad := range map[string][]byte{
		"truncated": good[:len(good)-100],
		"flipped":   append(append(append([]byte{}, good[:len(good)/2]...), good[len(good)/2]^0xff), good[len(good)/2+1:]...),
		"wav":       []byte("RIFF....WAVEfmt "),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, bad, 0o600)
		if _, err := compact.Verify(p); err == nil {
			t.Errorf("%s file verified", name)
		}
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// With keys configured the compacted file in the data directory is encrypted (no Ogg page in
// the clear), its row names the key, and recordings.Open decrypts what a player asks for.
func TestCompactEncryptedInDataDir(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "opusenc", "opus-tools")
	env := rectest.New(t)
	db, brand, recs, dir, now, ctx := env.DB, env.Brand, env.Recs, env.Dir, rectest.Now, context.Background()
	keys, err := blob.ParseKeys("2026-12:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	recs.SetStorage(nil, keys)
	rec := rectest.Record(t, recs, rectest.Call(t, db, brand.ID, now), brand.ID, now, 2000)
	svc := compact.New(db, recs, storetest.Logger(t), compact.Options{})
	svc.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
	if n, err := svc.Pass(ctx, 10); err != nil || n != 1 {
		t.Fatalf("compacted %d, %v", n, err)
	}
	got, _ := recs.Get(ctx, access.Operator(), rec.ID)
	if got.Storage != "dir" || got.KeyID != "2026-12" || strings.HasPrefix(got.Path, "/") {
		t.Fatalf("row: %+v", got)
	}
	raw, err := os.ReadFile(filepath.Join(dir, got.Path))
	if err != nil || bytes.Contains(raw, []byte("OggS")) || bytes.Contains(raw, []byte("OpusHead")) {
		t.Fatalf("stored file is not encrypted (%v)", err)
	}
	body, size, _, err := recs.Open(ctx, got)
	if err != nil || size != got.SizeBytes {
		t.Fatalf("open: %d %v", size, err)
	}
	plain, _ := io.ReadAll(body)
	body.Close()
	if !bytes.HasPrefix(plain, []byte("OggS")) || int64(len(plain)) != got.SizeBytes {
		t.Fatalf("decrypted %d bytes starting %q", len(plain), plain[:min(4, len(plain))])
	}
	// Without the key the recording is refused, not served as noise.
	other := recordings.NewService(db, dir, storetest.Logger(t))
	if _, _, _, err := other.Open(ctx, got); !errors.Is(err, recordings.ErrStorage) {
		t.Fatalf("open without keys: %v, want ErrStorage", err)
	}
}
