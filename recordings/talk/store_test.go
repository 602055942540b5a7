package talk

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// TestJobStoresEachRecordingOnce: the job analyses finished recordings once, stores a
// recording it cannot read with its error (and does not retry it), leaves a recording still
// being written alone, and another brand cannot read the result.
func TestJobStoresEachRecordingOnce(t *testing.T) {
	db, b1, b2, callID := twoBrandsAndACall(t)
	ctx, now := context.Background(), time.Now().UTC()
	r := rand.New(rand.NewPCG(7, 8))
	// 25 s of dead air between the agent's greeting and the customer: flagged.
	good := writeStereo(t, channel(r, 30000, 20, false, burst{27000, 29000}), channel(r, 30000, 20, true, burst{500, 2000}))
	insert := func(path string, finished *time.Time) int64 {
		var id int64
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, started_at, finished_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			callID, b1.ID, path, now, finished).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	goodID := insert(good, &now)
	goneID := insert(filepath.Join(t.TempDir(), "gone.wav"), &now)
	insert(good, nil) // still being written
	svc := NewService(db, storetest.Logger(t))
	if n, err := svc.AnalyzePending(ctx, Batch); err != nil || n != 2 {
		t.Fatalf("first pass stored %d (%v), want 2", n, err)
	}
	if n, err := svc.AnalyzePending(ctx, Batch); err != nil || n != 0 {
		t.Fatalf("second pass stored %d (%v), want 0: each recording is analysed once", n, err)
	}
	got, err := svc.ForCall(ctx, access.Brands(b1.ID), callID)
	if err != nil || len(got) != 2 {
		t.Fatalf("ForCall = %v, %v; want 2 rows", got, err)
	}
	ok, gone := got[0], got[1]
	if ok.RecordingID != goodID || gone.RecordingID != goneID {
		t.Fatalf("rows for recordings %d, %d; want %d, %d", ok.RecordingID, gone.RecordingID, goodID, goneID)
	}
	m := ok.Metrics
	if m.AgentFirstWordMS != 500 || m.AgentTalkMS != 1500 || m.CustomerTalkMS != 2000 || m.LongestSilenceMS != 25000 ||
		len(m.Flags) != 1 || m.Flags[0] != FlagDeadAir || len(ok.Segments.Agent) != 1 || ok.Segments.Agent[0] != (Segment{500, 2000}) {
		t.Errorf("stored analytics %+v segments %+v; want first word 500, agent 1500, customer 2000, dead air 25000 flagged", m, ok.Segments)
	}
	if ok.Error != "" || gone.Error == "" {
		t.Errorf("errors %q, %q; want none for the WAV and one for the missing file", ok.Error, gone.Error)
	}
	if ok.AnalyzedAt.IsZero() {
		t.Error("analyzed_at not read back")
	}
	if _, err := svc.ForCall(ctx, access.Brands(b2.ID), callID); !errors.Is(err, ErrNotFound) {
		t.Errorf("brand Two reads brand One's call analytics: %v, want ErrNotFound", err)
	}
}

// twoBrandsAndACall makes a test database with brands One and Two and an outbound call of One.
func twoBrandsAndACall(t *testing.T) (db *store.DB, one, two access.Brand, callID int64) {
	t.Helper()
	db = storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	one, _, err := acc.CreateBrand(ctx, "One")
	if err != nil {
		t.Fatal(err)
	}
	if two, _, err = acc.CreateBrand(ctx, "Two"); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, started_at) VALUES ('outbound', ?, ?) RETURNING id`),
		one.ID, time.Now().UTC()).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	return db, one, two, callID
}
