package recordings

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

func TestStoreRepairAndPlayback(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	b1, key1, err := acc.CreateBrand(ctx, "One")
	if err != nil {
		t.Fatal(err)
	}
	_, key2, err := acc.CreateBrand(ctx, "Two")
	if err != nil {
		t.Fatal(err)
	}
	var callID int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, started_at) VALUES ('outbound', ?, ?) RETURNING id`), b1.ID, time.Now().UTC()).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	svc := NewService(db, t.TempDir(), storetest.Logger(t))
	start := time.Now()
	a, err := svc.Start(ctx, callID, b1.ID, start)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		a.Write(Left, uint32(i*160), start.Add(time.Duration(i)*20*time.Millisecond), tone(160, 1000, i*160))
	}
	rec, err := svc.Finish(ctx, a, b1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.DurationMS != 2000 || rec.SizeBytes != 44+16000*4 || len(rec.SHA256) != 64 {
		t.Fatalf("finished recording: %+v", rec)
	}

	// A crash mid-call: the row stays unfinished and the header lags; start-up repairs both.
	b, err := svc.Start(ctx, callID, b1.ID, start)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		b.Write(Left, uint32(i*160), start.Add(time.Duration(i)*20*time.Millisecond), tone(160, 1000, i*160))
	}
	b.mu.Lock()
	b.flushTo(b.high) // on disk, but no final header (the process "dies" here)
	b.mu.Unlock()
	n, err := svc.RepairUnfinished(ctx)
	if err != nil || n != 1 {
		t.Fatalf("repaired %d, %v", n, err)
	}
	fixed, err := svc.Get(ctx, access.Operator(), b.ID())
	if err != nil || fixed.DurationMS != 6000 || fixed.FinishedAt == nil {
		t.Fatalf("after repair: %+v %v", fixed, err)
	}

	app := fiber.New()
	app.Use(access.Authenticate(acc))
	Routes(app, svc)
	get := func(key, path, rng string) (*httpResult, error) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(res.Body)
		return &httpResult{res.StatusCode, res.Header.Get("Content-Range"), body}, nil
	}
	path := "/api/v1/recordings/" + itoa(rec.ID) + "/audio"
	full, err := get(key1, path, "")
	if err != nil || full.code != 200 || int64(len(full.body)) != rec.SizeBytes {
		t.Fatalf("full download: %+v %v", full, err)
	}
	want, _ := os.ReadFile(rec.Path)
	part, err := get(key1, path, "bytes=0-43")
	if err != nil || part.code != 206 || string(part.body) != string(want[:44]) || part.contentRange == "" {
		t.Fatalf("range: %d %q %v", part.code, part.contentRange, err)
	}
	other, err := get(key2, path, "")
	if err != nil || other.code != 404 {
		t.Fatalf("another brand got %d", other.code)
	}
	if _, err := get(key1, path, "bytes=44-99"); err != nil { // a seek inside the same playback
		t.Fatal(err)
	}
	dl, err := get(key1, path+"?download=1", "")
	if err != nil || dl.code != 200 {
		t.Fatalf("download: %+v %v", dl, err)
	}
	// Each playback and download is in the audit log once, for the brand only.
	log, err := svc.AuditLog(ctx, access.Operator(), rec.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
		if e.BrandID != b1.ID || e.CallID != callID {
			t.Errorf("audit row %+v: want brand %d call %d", e, b1.ID, callID)
		}
	}
	if fmt.Sprint(actions) != "[download play play]" {
		t.Fatalf("audit log actions (newest first) = %v, want [download play play]", actions)
	}
	two, err := acc.Authenticate(ctx, key2)
	if err != nil {
		t.Fatal(err)
	}
	if theirs, err := svc.AuditLog(ctx, two.Scope, 0, 100); err != nil || len(theirs) != 0 {
		t.Fatalf("another brand sees %d audit rows (%v)", len(theirs), err)
	}
}

type httpResult struct {
	code         int
	contentRange string
	body         []byte
}

func itoa(v int64) string { return fmt.Sprint(v) }
