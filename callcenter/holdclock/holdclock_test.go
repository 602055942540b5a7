package holdclock

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// The customer's hold adds up across holds, counts overlapping reasons once, ends with the
// call, and is written to the call's row only (both dialects).
func TestHoldAddsToTheCall(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	call := func(sipID string) int64 {
		t.Helper()
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO calls (direction, sip_call_id, started_at) VALUES ('inbound', ?, ?)`),
			sipID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT id FROM calls WHERE sip_call_id = ?`), sipID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	a, b := call("a"), call("b")
	k := New(db, storetest.Logger(t))
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	k.now = func() time.Time { return now }
	at := func(s float64) {
		now = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC).Add(time.Duration(s * float64(time.Second)))
	}

	// Call a: the desk holds 0..10 s; a transfer's music 20..35 s, the desk holds too from 30 s
	// to 40 s (held 20..40: 20 s once, not 25); hung up on hold at 50 s (45..50: 5 s).
	k.Set(ctx, a, ReasonDesk, true)
	at(10)
	k.Set(ctx, a, ReasonDesk, false)
	k.Set(ctx, a, ReasonDesk, false) // a second "off" adds nothing
	at(20)
	k.Set(ctx, a, ReasonTransfer, true)
	at(30)
	k.Set(ctx, a, ReasonDesk, true)
	at(35)
	k.Set(ctx, a, ReasonTransfer, false)
	if !k.Held(a) {
		t.Fatal("the desk's hold ended with the transfer's music")
	}
	at(40)
	k.Set(ctx, a, ReasonDesk, false)
	at(45)
	k.Set(ctx, a, ReasonDesk, true)
	k.Set(ctx, 0, ReasonDesk, true) // no logged call: ignored
	at(50)
	k.End(ctx, a)
	k.End(ctx, a) // ended once
	if k.Held(a) {
		t.Fatal("still held after the call ended")
	}
	if got := holdMS(t, db, a); got != 35_000 {
		t.Errorf("call a held %d ms, want 35000 (10 + 20 + 5 s)", got)
	}
	if got := holdMS(t, db, b); got != 0 {
		t.Errorf("call b (never held) has %d ms of hold", got)
	}
}

func holdMS(t *testing.T, db *store.DB, id int64) int64 {
	t.Helper()
	var ms int64
	if err := db.SQL.QueryRow(db.Rebind(`SELECT hold_ms FROM calls WHERE id = ?`), id).Scan(&ms); err != nil {
		t.Fatal(err)
	}
	return ms
}
