package retention_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/blob"
	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/recordings/rectest"
	"github.com/wismo/wismo/recordings/retention"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// The same controlled-clock retention against an S3-compatible server (s3rver): recordings
// compacted by opusenc go to the object store encrypted (no file stays on the node), play
// back with Range through recordings.Open, and the sweep deletes the expired one from the
// store while the held and the fresh one stay readable.
func TestRetentionOnS3Encrypted(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "opusenc", "opus-tools")
	s3 := blob.StartS3rver(t)
	env := rectest.New(t)
	db, one, recs, now, ctx := env.DB, env.Brand, env.Recs, rectest.Now, context.Background()
	k := make([]byte, 32)
	rand.Read(k)
	keys, err := blob.ParseKeys("k1:" + base64.StdEncoding.EncodeToString(k))
	if err != nil {
		t.Fatal(err)
	}
	recs.SetStorage(s3, keys)
	record := func(age time.Duration) recordings.Recording {
		at := now.Add(-age)
		return rectest.Record(t, recs, rectest.Call(t, db, one.ID, at), one.ID, at, 1500)
	}
	old, held, fresh := record(40*24*time.Hour), record(40*24*time.Hour), record(24*time.Hour)
	comp := compact.New(db, recs, storetest.Logger(t), compact.Options{})
	comp.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) }) // no analytics wait
	if n, err := comp.Pass(ctx, 10); err != nil || n != 3 {
		t.Fatalf("compacted %d, %v; want 3", n, err)
	}
	for _, r := range []recordings.Recording{old, held, fresh} {
		got, err := recs.Get(ctx, access.Operator(), r.ID)
		if err != nil || got.Storage != "s3" || got.KeyID != "k1" || got.Format != recordings.FormatOpus {
			t.Fatalf("row after compaction: %+v %v", got, err)
		}
		if _, err := os.Stat(r.Path); !os.IsNotExist(err) {
			t.Fatalf("WAV %s still on the node: %v", r.Path, err)
		}
		body, size, ctype, err := recs.Open(ctx, got)
		if err != nil || size != got.SizeBytes || ctype != "audio/ogg" {
			t.Fatalf("open from S3: %d %s %v", size, ctype, err)
		}
		head := make([]byte, 4)
		body.Seek(0, io.SeekStart)
		io.ReadFull(body, head)
		body.Close()
		if !bytes.Equal(head, []byte("OggS")) {
			t.Fatalf("decrypted audio starts %q", head)
		}
	}
	svc := retention.New(db, recs, storetest.Logger(t))
	svc.SetClock(func() time.Time { return now })
	caseID := rectest.Case(t, db, one.ID, held.CallID, now)
	if _, err := svc.PlaceHold(ctx, one.ID, caseID, "court order", "supervisor"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetDays(ctx, one.ID, 30, "manager"); err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Sweep(ctx); err != nil || res != (retention.Result{Deleted: 1, Held: 1}) {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	key, _ := recs.Key(oggPath(old.Path))
	if _, _, err := s3.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("expired recording's object in S3: %v", err)
	}
	for _, r := range []recordings.Recording{held, fresh} {
		got, err := recs.Get(ctx, access.Operator(), r.ID)
		if err != nil {
			t.Fatalf("recording %d deleted: %v", r.ID, err)
		}
		body, _, _, err := recs.Open(ctx, got)
		if err != nil {
			t.Fatalf("recording %d not readable from S3: %v", r.ID, err)
		}
		body.Close()
	}
	if got := actions(t, recs); got != fmt.Sprintf("%d:delete %d:keep_hold", old.ID, held.ID) {
		t.Fatalf("audit log: %s", got)
	}
}

func oggPath(wav string) string { return wav[:len(wav)-len(".wav")] + ".opus" }
