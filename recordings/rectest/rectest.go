// Package rectest sets up brands, calls and finished recordings for the tests of the
// recordings packages (compact, retention).
package rectest

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	_ "github.com/wismo/wismo/textkey" // SQLite's wismo_search_key, which the cases' triggers call
)

// Call inserts an outbound call of brand started at and returns its id.
func Call(t testing.TB, db *store.DB, brand int64, at time.Time) int64 {
	t.Helper()
	var id int64
	if err := db.SQL.QueryRowContext(context.Background(), db.Rebind(`INSERT INTO calls (direction, brand_id, started_at) VALUES ('outbound', ?, ?) RETURNING id`),
		brand, at.UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// Brand creates a brand named name and returns it with an API key of it.
func Brand(t testing.TB, db *store.DB, name string) (access.Brand, string) {
	t.Helper()
	b, key, err := access.NewService(db).CreateBrand(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return b, key
}

// Record writes a finished recording of call (brand) started at, ms long: a 440 Hz tone on the
// customer's side and 660 Hz on the agent's.
func Record(t testing.TB, svc *recordings.Service, call, brand int64, at time.Time, ms int) recordings.Recording {
	t.Helper()
	ctx := context.Background()
	a, err := svc.Start(ctx, call, brand, at)
	if err != nil {
		t.Fatal(err)
	}
	const n = recordings.Rate / 50 // 20 ms packets
	for i := range ms / 20 {
		when := at.Add(time.Duration(i) * 20 * time.Millisecond)
		a.Write(recordings.Left, uint32(i*n), when, Tone(n, 440, i*n))
		a.Write(recordings.Right, uint32(i*n), when, Tone(n, 660, i*n))
	}
	rec, err := svc.Finish(ctx, a, brand)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// Tone returns n samples of a sine of hz from sample offset off.
func Tone(n, hz, off int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*float64(hz)*float64(off+i)/recordings.Rate))
	}
	return out
}

// Case inserts a case of brand and links call to it (call_cases); it returns the case's id.
func Case(t testing.TB, db *store.DB, brand, call int64, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO cases (brand_id, number, seq, parcel_id, type, priority, status, source, created_at, updated_at)
		VALUES (?, ?, ?, '', 'complaint', 'normal', 'open', 'call', ?, ?) RETURNING id`), brand, fmt.Sprintf("T-%d", call), call, at.UTC(), at.UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_cases (call_id, case_id, brand_id, created_at) VALUES (?,?,?,?)`), call, id, brand, at.UTC()); err != nil {
		t.Fatal(err)
	}
	return id
}

// Now is the tests' "now" (a controlled clock starts here).
var Now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// Env is a test database with brand "One" and recordings kept under Dir.
type Env struct {
	DB    *store.DB
	Brand access.Brand
	Key   string // an API key of Brand
	Dir   string
	Recs  *recordings.Service
}

// New opens a test database (storetest.Open) with brand "One" and a recordings service.
func New(t testing.TB) Env {
	t.Helper()
	db := storetest.Open(t)
	b, key := Brand(t, db, "One")
	dir := t.TempDir()
	return Env{DB: db, Brand: b, Key: key, Dir: dir, Recs: recordings.NewService(db, dir, storetest.Logger(t))}
}
