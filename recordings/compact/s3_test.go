package compact_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/blob"
	"github.com/wismo/wismo/recordings/compact"
	"github.com/wismo/wismo/recordings/rectest"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// An upload that fails (here: the bucket does not exist) loses nothing: the row still names
// the WAV, which stays, and the next pass against a working store converts it.
func TestCompactUploadFailureKeepsWAV(t *testing.T) {
	storetest.OnePass(t)
	telephonytest.Require(t, "opusenc", "opus-tools")
	good := blob.StartS3rver(t)
	env := rectest.New(t)
	ctx := context.Background()
	rec := rectest.Record(t, env.Recs, rectest.Call(t, env.DB, env.Brand.ID, rectest.Now), env.Brand.ID, rectest.Now, 500)
	missing, err := blob.NewS3(good.URL()+"-missing/x", "S3RVER", "S3RVER", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	env.Recs.SetStorage(missing, nil)
	comp := compact.New(env.DB, env.Recs, storetest.Logger(t), compact.Options{})
	comp.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
	if n, err := comp.Pass(ctx, 10); err != nil || n != 0 {
		t.Fatalf("with a failing store: compacted %d, %v", n, err)
	}
	if got, _ := env.Recs.Get(ctx, access.Operator(), rec.ID); got.Format != recordings.FormatWAV || got.Path != rec.Path {
		t.Fatalf("row after a failed upload: %+v", got)
	}
	if _, err := os.Stat(rec.Path); err != nil {
		t.Fatalf("WAV gone after a failed upload: %v", err)
	}
	env.Recs.SetStorage(good, nil)
	if n, err := comp.Pass(ctx, 10); err != nil || n != 1 {
		t.Fatalf("with the store back: compacted %d, %v", n, err)
	}
}
