package retention_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/rectest"
	"github.com/wismo/wismo/recordings/retention"
	"github.com/wismo/wismo/store/storetest"
)

// On a controlled clock: a recording past its brand's retention is deleted with its talk
// analytics and an audit row; one past retention whose case is on legal hold is kept and
// audited once however often the sweep runs; a fresh one and another brand's (no retention:
// forever) are kept; lifting the hold lets the next sweep delete it.
func TestRetentionDeletesExpiredKeepsHeldAndFresh(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	one, _ := rectest.Brand(t, db, "One")
	two, _ := rectest.Brand(t, db, "Two")
	recs := recordings.NewService(db, t.TempDir(), storetest.Logger(t))
	record := func(brand int64, age time.Duration) recordings.Recording {
		at := now.Add(-age)
		return rectest.Record(t, recs, rectest.Call(t, db, brand, at), brand, at, 100)
	}
	old := record(one.ID, 40*24*time.Hour)
	held := record(one.ID, 40*24*time.Hour)
	fresh := record(one.ID, 5*24*time.Hour)
	forever := record(two.ID, 400*24*time.Hour)
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_talk (recording_id, call_id, brand_id, analyzed_at) VALUES (?,?,?,?)`),
		old.ID, old.CallID, one.ID, now); err != nil {
		t.Fatal(err)
	}
	svc := retention.New(db, recs, storetest.Logger(t))
	clock := now
	svc.SetClock(func() time.Time { return clock })
	caseID := rectest.Case(t, db, one.ID, held.CallID, now.Add(-time.Hour))
	hold, err := svc.PlaceHold(ctx, one.ID, caseID, "customer's claim for a lost parcel", "supervisor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetDays(ctx, one.ID, 30, "manager@example.com"); err != nil {
		t.Fatal(err)
	}

	for pass := range 3 { // the sweep runs hourly: no second delete, no second keep_hold
		clock = now.Add(time.Duration(pass) * time.Hour)
		res, err := svc.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := retention.Result{Deleted: 1, Held: 1}
		if pass > 0 {
			want = retention.Result{}
		}
		if res != want {
			t.Fatalf("sweep %d: %+v, want %+v", pass, res, want)
		}
	}
	if _, err := recs.Get(ctx, access.Operator(), old.ID); err != recordings.ErrNotFound {
		t.Fatalf("expired recording still there: %v", err)
	}
	if _, err := os.Stat(old.Path); !os.IsNotExist(err) {
		t.Fatalf("expired recording's audio still on disk: %v", err)
	}
	var talkRows int
	db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM call_talk WHERE recording_id = ?`), old.ID).Scan(&talkRows)
	if talkRows != 0 {
		t.Fatalf("talk analytics of a deleted recording: %d rows", talkRows)
	}
	for _, kept := range []recordings.Recording{held, fresh, forever} {
		if _, err := recs.Get(ctx, access.Operator(), kept.ID); err != nil {
			t.Errorf("recording %d was deleted: %v", kept.ID, err)
		}
		if _, err := os.Stat(kept.Path); err != nil {
			t.Errorf("audio of recording %d: %v", kept.ID, err)
		}
	}
	if got := actions(t, recs); got != fmt.Sprintf("%d:delete %d:keep_hold", old.ID, held.ID) {
		t.Fatalf("audit log: %s", got)
	}

	// Lifting the hold lets the next sweep delete the recording.
	if _, err := svc.LiftHold(ctx, one.ID, caseID, hold.ID, "claim settled", "supervisor@example.com"); err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Sweep(ctx); err != nil || res != (retention.Result{Deleted: 1}) {
		t.Fatalf("after lifting the hold: %+v %v", res, err)
	}
	if got := actions(t, recs); got != fmt.Sprintf("%d:delete %d:keep_hold %d:delete", old.ID, held.ID, held.ID) {
		t.Fatalf("audit log after the lift: %s", got)
	}
}

// actions lists the audit log oldest first as "recording:action".
func actions(t *testing.T, recs *recordings.Service) string {
	t.Helper()
	log, err := recs.AuditLog(context.Background(), access.Operator(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].UserID != 0 {
			t.Errorf("audit row %+v: the job's rows name no user", log[i])
		}
		out = append(out, fmt.Sprintf("%d:%s", log[i].RecordingID, log[i].Action))
	}
	return strings.Join(out, " ")
}

// The API: retention settings refuse bad days naming the field, holds need a reason, and a
// case of another brand is not found.
func TestRetentionAndHoldsAPI(t *testing.T) {
	db := storetest.Open(t)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	one, key := rectest.Brand(t, db, "One")
	two, otherKey := rectest.Brand(t, db, "Two")
	recs := recordings.NewService(db, t.TempDir(), storetest.Logger(t))
	svc := retention.New(db, recs, storetest.Logger(t))
	caseID := rectest.Case(t, db, one.ID, rectest.Call(t, db, one.ID, now), now)
	_ = two
	app := fiber.New()
	app.Use(access.Authenticate(access.NewService(db)))
	retention.Routes(app, svc)
	call := func(key, method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	holds := fmt.Sprintf("/api/v1/cases/%d/holds", caseID)
	for _, tc := range []struct {
		key, method, path, body string
		code                    int
		has                     string
	}{
		{key, "GET", "/api/v1/recording-retention", "", 200, `"days":0`},
		{key, "PUT", "/api/v1/recording-retention", `{"days":-1}`, 422, `"field":"days"`},
		{key, "PUT", "/api/v1/recording-retention", `{"days":"ninety"}`, 422, `"field":"days"`},
		{key, "PUT", "/api/v1/recording-retention", `{}`, 422, `"field":"days"`},
		{key, "PUT", "/api/v1/recording-retention", `{"days":90}`, 200, `"days":90`},
		{key, "GET", "/api/v1/recording-retention", "", 200, `"days":90`},
		{otherKey, "GET", "/api/v1/recording-retention", "", 200, `"days":0`},
		{key, "POST", holds, `{"reason":"  "}`, 422, `"field":"reason"`},
		{otherKey, "POST", holds, `{"reason":"theirs"}`, 404, ""},
		{otherKey, "GET", holds, "", 404, ""},
		{key, "POST", holds, `{"reason":"court order 12/2026"}`, 201, `"reason":"court order 12/2026"`},
		{key, "GET", holds, "", 200, `"court order 12/2026"`},
		{otherKey, "POST", holds + "/1/lift", `{"reason":"x"}`, 404, ""},
		{key, "POST", holds + "/999/lift", `{"reason":"x"}`, 404, ""},
		{key, "POST", holds + "/1/lift", `{"reason":"settled"}`, 200, `"lift_reason":"settled"`},
		{key, "POST", holds + "/1/lift", `{"reason":"settled"}`, 409, ""},
	} {
		code, body := call(tc.key, tc.method, tc.path, tc.body)
		if code != tc.code || !strings.Contains(body, tc.has) {
			t.Errorf("%s %s %s: %d %s; want %d with %s", tc.method, tc.path, tc.body, code, body, tc.code, tc.has)
		}
	}
}
