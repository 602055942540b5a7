package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/callcenter/holdclock"
	"github.com/wismo/wismo/store/storetest"
)

// The call log keeps queued_at, and writing the call (as call control does at its end)
// leaves the hold the hold clock added (migration 00042).
func TestCallLogKeepsQueueTimeAndHold(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	log := NewCallLog(db)
	started := time.Now().UTC().Truncate(time.Second)
	c := Call{Direction: Inbound, Mode: "hotline", SIPCallID: "q-1", StartedAt: started}
	if err := log.Create(ctx, &c); err != nil {
		t.Fatal(err)
	}
	c.QueuedAt = ptrTime(started.Add(40 * time.Second))
	if err := log.Update(ctx, &c); err != nil {
		t.Fatal(err)
	}
	k := holdclock.New(db, storetest.Logger(t))
	k.Set(ctx, c.ID, holdclock.ReasonDesk, true)
	time.Sleep(20 * time.Millisecond)
	k.Set(ctx, c.ID, holdclock.ReasonDesk, false)
	c.Outcome, c.EndedAt = Answered, ptrTime(time.Now().UTC())
	if err := log.Update(ctx, &c); err != nil {
		t.Fatal(err)
	}
	var queued time.Time
	var holdMS int64
	var row callRow
	if err := db.Gorm.WithContext(ctx).First(&row, c.ID).Error; err != nil {
		t.Fatal(err)
	}
	if row.QueuedAt == nil {
		t.Fatal("queued_at not stored")
	}
	queued = *row.QueuedAt
	if !queued.Equal(started.Add(40 * time.Second)) {
		t.Errorf("queued_at %v, want %v", queued, started.Add(40*time.Second))
	}
	if err := db.SQL.QueryRow(db.Rebind(`SELECT hold_ms FROM calls WHERE id = ?`), c.ID).Scan(&holdMS); err != nil {
		t.Fatal(err)
	}
	if holdMS < 20 {
		t.Errorf("hold_ms %d after the call was written, want the 20+ ms held", holdMS)
	}
}
