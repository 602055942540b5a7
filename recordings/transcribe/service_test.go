package transcribe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// scripted is an engine that answers by the channel's first sample (the test writes 1 on the
// customer's channel and 2 on the agent's), or fails with err.
type scripted struct {
	says  map[int16]string
	err   error
	calls int
}

func (e *scripted) Name() string { return "scripted" }

func (e *scripted) Transcribe(_ context.Context, pcm []int16, rate int, lang string) (Result, error) {
	e.calls++
	if e.err != nil {
		return Result{}, e.err
	}
	text := e.says[pcm[0]]
	return Result{Text: text, Segments: []Segment{{StartMS: 100 * int64(pcm[0]), EndMS: 900, Text: text}}}, nil
}

// recordedCall makes brands One and Two, a call of One and n finished recordings of it
// (stereo WAV files: 1 on the left, 2 on the right; or the file wav when given).
func recordedCall(t *testing.T, n int, wav ...string) (db *store.DB, one, two access.Brand, callID int64, recs []int64) {
	t.Helper()
	db = storetest.Open(t)
	ctx, now := context.Background(), time.Now().UTC()
	acc := access.NewService(db)
	var err error
	if one, _, err = acc.CreateBrand(ctx, "One"); err != nil {
		t.Fatal(err)
	}
	if two, _, err = acc.CreateBrand(ctx, "Two"); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, started_at) VALUES ('inbound', ?, ?) RETURNING id`),
		one.ID, now).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	stereo := make([]int16, 2*800)
	for i := range stereo {
		stereo[i] = int16(1 + i%2)
	}
	for i := range n {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("r%d.wav", i))
		if err := os.WriteFile(path, media.EncodeWAV(8000, 2, stereo), 0o600); err != nil {
			t.Fatal(err)
		}
		if len(wav) > 0 {
			path = wav[0]
		}
		var id int64
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, started_at, finished_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			callID, one.ID, path, now, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, id)
	}
	return db, one, two, callID, recs
}

// TestJobTranscribesOnceRedacted: both sides of each finished recording are stored once,
// redacted; an unavailable engine stores nothing (the recording waits for the next pass); an
// engine's refusal is stored as the error and not retried; another brand reads nothing.
func TestJobTranscribesOnceRedacted(t *testing.T) {
	db, one, two, callID, recs := recordedCall(t, 1)
	ctx := context.Background()
	down := &scripted{err: fmt.Errorf("connection refused: %w", ErrUnavailable)}
	if n, err := NewService(db, down, storetest.Logger(t)).TranscribePending(ctx, Batch); n != 0 || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("engine down: stored %d, err %v; want 0 and ErrUnavailable", n, err)
	}
	eng := &scripted{says: map[int16]string{1: "the courier was rude, my card is 4111 1111 1111 1111", 2: "call me on +44 20 7946 0958"}}
	svc := NewService(db, eng, storetest.Logger(t))
	sides, reg := NewSidesCounter(), prometheus.NewRegistry()
	reg.MustRegister(sides)
	svc.Count(sides)
	if n, err := svc.TranscribePending(ctx, Batch); n != 1 || err != nil {
		t.Fatalf("stored %d, %v; want 1", n, err)
	}
	if n, err := svc.TranscribePending(ctx, Batch); n != 0 || err != nil || eng.calls != 2 {
		t.Fatalf("second pass stored %d (%v), engine ran %d times; want 0 and 2", n, err, eng.calls)
	}
	if mfs, err := reg.Gather(); err != nil || len(mfs) != 1 || len(mfs[0].GetMetric()) != 1 ||
		mfs[0].GetMetric()[0].GetLabel()[0].GetValue() != "transcribed" || mfs[0].GetMetric()[0].GetCounter().GetValue() != 2 {
		t.Errorf("wismo_transcript_sides_total: %v %v, want transcribed 2", mfs, err)
	}
	got, err := svc.ForCall(ctx, access.Brands(one.ID), callID)
	if err != nil || len(got) != 2 {
		t.Fatalf("ForCall = %+v, %v", got, err)
	}
	if c, a := got[0], got[1]; c.Side != Customer || c.Text != "the courier was rude, my card is [card]" || c.Segments[0].Text != c.Text ||
		a.Side != Agent || a.Text != "call me on [phone]" || a.RecordingID != recs[0] || a.AudioMS != 100 || a.Engine != "scripted" {
		t.Errorf("stored %+v", got)
	}
	var raw int
	db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_transcripts WHERE text LIKE '%4111%' OR segments LIKE '%4111%' OR search_key LIKE '%4111%'`).Scan(&raw)
	if raw != 0 {
		t.Error("a card number reached the table")
	}
	if _, err := svc.ForCall(ctx, access.Brands(two.ID), callID); !errors.Is(err, ErrNotFound) {
		t.Errorf("brand Two reads brand One's transcript: %v", err)
	}
}

func TestJobStoresRefusals(t *testing.T) {
	db, one, _, callID, _ := recordedCall(t, 1)
	ctx := context.Background()
	eng := &scripted{err: fmt.Errorf("pocketsphinx: %q: %w", "ru", ErrUnsupportedLanguage)}
	svc := NewService(db, eng, storetest.Logger(t))
	for range 2 {
		if _, err := svc.TranscribePending(ctx, Batch); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.ForCall(ctx, access.Brands(one.ID), callID)
	if err != nil || len(got) != 2 || !strings.Contains(got[0].Error, "not supported") || eng.calls != 2 {
		t.Fatalf("%+v %v; engine ran %d times, want 2 (once per side)", got, err, eng.calls)
	}
}

// TestTranscriptRoute: the API answers the call's brand, 404 to another brand and before
// the job ran.
func TestTranscriptRoute(t *testing.T) {
	db, one, two, callID, _ := recordedCall(t, 1)
	svc := NewService(db, &scripted{says: map[int16]string{1: "hello", 2: "hi there"}}, storetest.Logger(t))
	get := func(brand int64) (int, string) {
		app := fiber.New()
		app.Use(func(c *fiber.Ctx) error {
			access.SetPrincipal(c, access.Principal{Kind: "brand_key", Scope: access.Brands(brand)})
			return c.Next()
		})
		Routes(app, svc)
		resp, err := app.Test(httptest.NewRequest("GET", fmt.Sprintf("/api/v1/calls/%d/transcript", callID), nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(one.ID); code != 404 {
		t.Errorf("before the job: %d", code)
	}
	if _, err := svc.TranscribePending(context.Background(), Batch); err != nil {
		t.Fatal(err)
	}
	code, body := get(one.ID)
	if code != 200 || !strings.Contains(body, `"lines":[{"recording_id":`) ||
		strings.Index(body, `"side":"customer","start_ms":100,"text":"hello"`) > strings.Index(body, `"side":"agent","start_ms":200,"text":"hi there"`) {
		t.Errorf("own brand: %d %s", code, body)
	}
	if code, _ := get(two.ID); code != 404 {
		t.Errorf("another brand: %d", code)
	}
}

// stopsMidway is an engine whose node stops (its context ends) while the agent's side is
// being transcribed, after the customer's side was heard.
type stopsMidway struct{ cancel context.CancelFunc }

func (e stopsMidway) Name() string { return "stops" }

func (e stopsMidway) Transcribe(ctx context.Context, pcm []int16, _ int, _ string) (Result, error) {
	if pcm[0] == 2 {
		e.cancel()
		return Result{}, ctx.Err()
	}
	return Result{Text: "half"}, nil
}

// TestJobStoppedMidwayNeverDuplicates: a pass stopped between the two sides stores nothing;
// the next pass stores the recording once; two nodes storing the same recording keep one row
// per side.
func TestJobStoppedMidwayNeverDuplicates(t *testing.T) {
	db, one, _, callID, _ := recordedCall(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := NewService(db, stopsMidway{cancel}, storetest.Logger(t)).TranscribePending(ctx, Batch); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped pass: %v", err)
	}
	count := func() (n int) {
		db.SQL.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM call_transcripts`).Scan(&n)
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("a stopped pass left %d rows", n)
	}
	svc := NewService(db, &scripted{says: map[int16]string{1: "hello", 2: "hi"}}, storetest.Logger(t))
	todo, err := svc.pending(context.Background(), Batch)
	if err != nil || len(todo) != 1 {
		t.Fatalf("pending %v %v", todo, err)
	}
	rows, err := svc.transcribe(context.Background(), todo[0])
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // this node and another that transcribed the same recording meanwhile
		if err := svc.store(context.Background(), todo[0], rows); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 2 {
		t.Fatalf("%d rows, want one per side", n)
	}
	if got, err := svc.ForCall(context.Background(), access.Brands(one.ID), callID); err != nil || got[0].Text != "hello" || got[1].Text != "hi" {
		t.Fatalf("%+v %v", got, err)
	}
}
