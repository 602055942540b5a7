package dialer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestTwoClaimersShareTheWork: two dialers on one database claim the same due contacts at
// once; each contact is claimed and sent by exactly one of them.
func TestTwoClaimersShareTheWork(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Batch = 25 })
	e.sms.delay = time.Millisecond
	other := &fakeSender{delay: time.Millisecond}
	b, err := New(e.db, storetest.Logger(t), Options{SMS: other, Email: other, Now: e.clock.now, Batch: 25})
	if err != nil {
		t.Fatal(err)
	}
	id := tracking.MakeS10("RB", 500001, "GB")
	e.parcel(id, "Europe/Moscow")
	const n = 400
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = Request{ParcelID: id, Channel: SMS, To: "+79131234567", TimeZone: "Europe/Moscow", Body: fmt.Sprint(i), RuleID: int64(i + 1), TriggerRef: "two"}
	}
	e.plan(reqs...)
	var wg sync.WaitGroup
	for _, s := range []*Service{e.svc, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RunOnce(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for _, m := range append(e.sms.messages(), other.messages()...) {
		seen[m.ContactID]++
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("contact %d sent %d times", id, k)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d contacts sent, want %d", len(seen), n)
	}
	if d := e.count(`SELECT COUNT(*) FROM (SELECT contact_id FROM contact_log WHERE kind = 'sending' GROUP BY contact_id HAVING COUNT(*) <> 1) x`); d != 0 {
		t.Fatalf("%d contacts claimed more than once", d)
	}
	if s := e.count(`SELECT COUNT(*) FROM contacts WHERE status = 'sent'`); s != n {
		t.Fatalf("%d sent, want %d", s, n)
	}
	t.Logf("instance A sent %d, instance B sent %d", len(e.sms.messages()), len(other.messages()))
}

// TestDeadInstanceLeavesUnknown: contacts a dead instance had claimed become unknown and are
// never sent again. On PostgreSQL the death is seen through the instance's advisory lock
// coming free; on SQLite (one instance per file) the next start marks them.
func TestDeadInstanceLeavesUnknown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := tracking.MakeS10("RB", 500002, "GB")
	e.parcel(id, "Europe/Moscow")
	e.plan(sms(id, "+79131234567", "Europe/Moscow", "one"), sms(id, "+79131234567", "Europe/Moscow", "two"))
	lockA, err := e.svc.register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.claim(ctx, SMS, 10); err != nil || len(got) != 2 {
		t.Fatalf("claim: %d %v", len(got), err)
	}
	// Instance A dies here, between marking the messages sending and sending them.
	b, err := New(e.db, storetest.Logger(t), Options{SMS: e.sms, Email: e.email, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	lockB, err := b.register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e.db.Dialect == store.Postgres {
		if err := b.reapDead(ctx, lockB); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM contacts WHERE status = 'sending'`); n != 2 {
			t.Fatalf("instance A is alive, yet %d of its contacts are no longer sending", 2-n)
		}
		lockA.close() // its session ends, as when the process is killed
		waitFor(t, 10*time.Second, "instance A seen dead", func() bool {
			if err := b.reapDead(ctx, lockB); err != nil {
				t.Fatal(err)
			}
			return e.count(`SELECT COUNT(*) FROM contacts WHERE status = 'sending'`) == 0
		})
		if err := lockB.IsLeader(ctx); err != nil {
			t.Fatalf("the only live instance is not elected: %v", err)
		}
		defer lockB.close()
	}
	for _, c := range e.contacts(id) {
		if c.Status != StatusUnknown || kinds(c)[len(c.Log)-1] != "unknown" {
			t.Fatalf("after the crash: %s %v", c.Status, kinds(c))
		}
	}
	if n, _ := b.RunOnce(ctx); n != 0 || len(e.sms.messages()) != 0 {
		t.Fatalf("unknown contacts were sent again")
	}
}

// TestLeaderElection: of two instances on PostgreSQL one is leader; when its session ends
// the other takes over.
func TestLeaderElection(t *testing.T) {
	e := newEnv(t)
	if e.db.Dialect != store.Postgres {
		t.Skip("leader election is PostgreSQL's (SQLite runs one instance)")
	}
	ctx := context.Background()
	b, _ := New(e.db, storetest.Logger(t), Options{Now: e.clock.now})
	la, err := e.svc.register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.close()
	if err := la.IsLeader(ctx); err != nil {
		t.Fatal(err)
	}
	if err := lb.IsLeader(ctx); err == nil {
		t.Fatal("two leaders")
	}
	la.close()
	// The server ends the old session a moment after its connection closes.
	waitFor(t, 10*time.Second, "a new leader after the old one died", func() bool { return lb.IsLeader(ctx) == nil })
}
