package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// A call about a parcel reaches the outbox when it is logged and when its outcome is known
// (a database trigger), so every node's tracking page cache hears of it.
func TestCallsAboutAParcelReachTheOutbox(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	b, _, err := access.NewService(db).CreateBrand(ctx, "Brand One")
	if err != nil {
		t.Fatal(err)
	}
	log := NewCallLog(db)
	count := func() int {
		var n int
		if err := db.SQL.QueryRow(db.Rebind(`SELECT COUNT(*) FROM outbox WHERE topic = 'call.logged' AND item_id = ? AND brand_id = ?`),
			"RB123456785GB", b.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c := Call{Direction: Inbound, BrandID: b.ID, ParcelID: "RB123456785GB", From: "sip:+79131234567@trunk", To: "sip:88005553535@wismo",
		SIPCallID: "in-1", StartedAt: time.Now().UTC()}
	if err := log.Create(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("logging the call wrote %d messages, want 1", n)
	}
	c.Outcome, c.EndedAt = Answered, ptrTime(time.Now().UTC())
	if err := log.Update(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("after the outcome %d messages, want 2", n)
	}
}
