package monitor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/store/storetest"
)

// The monitoring log and the conference rows in both dialects (the heavy tests that make
// them from real calls run in one pass only).
func TestSessionLogAndConferenceRows(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	a, _, err := acc.CreateBrand(ctx, "Alpha")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := acc.CreateBrand(ctx, "Beta")
	if err != nil {
		t.Fatal(err)
	}
	sup, err := acc.CreateUser(ctx, "sup@alpha.test", "a login password 1", access.RoleSupervisor, []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	var callA, callB int64
	for _, c := range []struct {
		brand int64
		id    *int64
	}{{a.ID, &callA}, {b.ID, &callB}} {
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, mode, brand_id, started_at, outcome) VALUES ('inbound', 'hotline', ?, ?, '') RETURNING id`),
			c.brand, time.Now().UTC()).Scan(c.id); err != nil {
			t.Fatal(err)
		}
	}
	s := &Service{db: db, base: ctx, log: storetest.Logger(t)}
	t0 := time.Now().UTC().Truncate(time.Second)
	se := Session{BrandID: a.ID, CallID: callA, UserID: sup.ID, Mode: "listen", Modes: []ModeChange{{Mode: "listen", At: t0}}, StartedAt: t0}
	if err := s.insert(ctx, &se); err != nil || se.ID == 0 {
		t.Fatalf("insert: %v %+v", err, se)
	}
	se.Mode, se.Modes = "barge", append(se.Modes, ModeChange{Mode: "barge", At: t0.Add(2 * time.Second)})
	if err := s.update(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := s.end(ctx, se.ID, t0.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Sessions(ctx, access.Brands(a.ID), callA, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("log: %+v %v", got, err)
	}
	g := got[0]
	if g.UserID != sup.ID || g.Mode != "barge" || len(g.Modes) != 2 || g.Modes[1].Mode != "barge" || !g.Modes[1].At.Equal(t0.Add(2*time.Second)) ||
		g.EndedAt == nil || !g.EndedAt.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("session: %+v", g)
	}
	if _, err := s.Sessions(ctx, access.Brands(b.ID), callA, 10); !errors.Is(err, ErrNoCall) {
		t.Errorf("another brand reading the call's log: %v", err)
	}
	if all, err := s.Sessions(ctx, access.Brands(b.ID), 0, 10); err != nil || len(all) != 0 {
		t.Errorf("another brand's log: %+v %v", all, err)
	}
	// A conference row: logged, then completed and ended.
	row := transfer.Transfer{BrandID: a.ID, CallID: callA, Kind: "conference", FromAgentID: sup.ID, ToNumber: "+79131234567", StartedAt: t0}
	if err := transfer.Log(ctx, db, &row); err != nil {
		t.Fatal(err)
	}
	s.endTransfer(row, "completed", nil)
	end := t0.Add(time.Minute)
	s.endTransfer(row, "", &end)
	var outcome string
	var ended *time.Time
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT outcome, ended_at FROM call_transfers WHERE id = ?`), row.ID).Scan(&outcome, &ended); err != nil {
		t.Fatal(err)
	}
	if outcome != "completed" || ended == nil || !ended.Equal(end) {
		t.Errorf("conference row: %s %v", outcome, ended)
	}
}
