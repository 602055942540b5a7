package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

func write(t *testing.T, db *store.DB, items ...string) {
	t.Helper()
	var es []Entry
	for _, it := range items {
		es = append(es, Entry{Topic: "test", BrandID: 1, ItemID: it, Payload: map[string]string{"item": it}})
	}
	if err := db.WriteTx(context.Background(), func(tx store.Tx) error { return Write(context.Background(), db, tx, es, time.Now()) }); err != nil {
		t.Fatal(err)
	}
}

// visibleWithin is how long a test waits for a commit to become readable on PostgreSQL: the
// oldest transaction running anywhere on the server holds it back, and the suite's other
// packages (and other runs on a shared server) run long ones beside these tests.
const visibleWithin = 30 * time.Second

// collect consumes one batch. On PostgreSQL a message becomes visible to consumers once every
// transaction older than its own has ended anywhere in the cluster (other tests run beside
// this one), so it waits up to visibleWithin for want messages; want 0 checks that none come.
func collect(t *testing.T, db *store.DB, consumer string, limit, want int) []string {
	limit = min(limit, max(want, 1))
	t.Helper()
	deadline := time.Now().Add(visibleWithin)
	if want == 0 {
		deadline = time.Now().Add(300 * time.Millisecond)
	}
	var got []string
	for {
		// Never ask for more than is still wanted: on PostgreSQL a turn may see fewer messages
		// than were written (a commit is read once no older transaction on the server runs, and
		// other packages' tests share the server), and the next turn must not overshoot.
		n := limit
		if want > 0 {
			n = min(limit, want-len(got))
		}
		_, err := Consume(context.Background(), db, consumer, n, func(_ context.Context, _ store.Tx, msgs []Message) error {
			for _, m := range msgs {
				got = append(got, m.ItemID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if (want > 0 && len(got) >= want) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConsumeInOrderOncePerConsumer(t *testing.T) {
	db := storetest.Open(t)
	write(t, db, "a") // three writes: three rows (one write of three would be one row)
	write(t, db, "b")
	write(t, db, "c")
	if got := collect(t, db, "one", 2, 2); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("first batch %v", got)
	}
	write(t, db, "d")
	if got := collect(t, db, "one", 10, 2); len(got) != 2 || got[0] != "c" || got[1] != "d" {
		t.Fatalf("second batch %v", got)
	}
	if got := collect(t, db, "one", 10, 0); len(got) != 0 {
		t.Fatalf("nothing left, got %v", got)
	}
	// Another consumer has a cursor of its own.
	if got := collect(t, db, "two", 10, 4); len(got) != 4 {
		t.Fatalf("second consumer %v", got)
	}
}

func TestHandlerErrorKeepsTheCursor(t *testing.T) {
	db := storetest.Open(t)
	write(t, db, "a")
	if got := collect(t, db, "peek", 10, 1); len(got) != 1 {
		t.Fatal("the message never became visible")
	}
	boom := errors.New("boom")
	_, err := Consume(context.Background(), db, "c", 10, func(ctx context.Context, tx store.Tx, msgs []Message) error {
		// An effect written with tx rolls back with the failure.
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO brands (name, created_at) VALUES (?, ?)`), "effect", time.Now()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	db.SQL.QueryRow(`SELECT COUNT(*) FROM brands`).Scan(&n)
	if n != 0 {
		t.Fatal("the failed handler's effect was committed")
	}
	if got := collect(t, db, "c", 10, 1); len(got) != 1 || got[0] != "a" {
		t.Fatalf("after a failure the message must come again: %v", got)
	}
}

func TestConcurrentConsumersShareTheWork(t *testing.T) {
	db := storetest.Open(t)
	const n = 200
	for i := 0; i < n; i += 20 {
		var batch []string
		for j := i; j < i+20; j++ {
			batch = append(batch, string(rune('A'+j%26))+time.Duration(j).String())
		}
		write(t, db, batch...)
	}
	if got := collect(t, db, "peek", 1000, n); len(got) != n {
		t.Fatalf("only %d of %d messages became visible", len(got), n)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, err := Consume(context.Background(), db, "shared", 7, func(_ context.Context, _ store.Tx, msgs []Message) error {
					mu.Lock()
					defer mu.Unlock()
					for _, m := range msgs {
						seen[m.Ref()]++
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if k == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("handled %d distinct messages, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("message %s handled %d times", id, c)
		}
	}
}

// TestOutOfOrderCommit is the case an id cursor gets wrong: a transaction that took a lower
// id commits after one that took a higher id. The consumer must not pass the lower id by.
func TestOutOfOrderCommit(t *testing.T) {
	db := storetest.Open(t)
	if db.Dialect != store.Postgres {
		t.Skip("SQLite has one writer at a time: ids always commit in order")
	}
	ctx := context.Background()
	slow, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(ctx, db, slow, []Entry{{Topic: "test", BrandID: 1, ItemID: "low", Payload: 1}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	write(t, db, "high") // commits first, with a higher id
	if got := collect(t, db, "c", 10, 0); len(got) != 0 {
		t.Fatalf("consumed %v while an older transaction was still running", got)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, db, "c", 10, 2); len(got) != 2 || got[0] != "low" || got[1] != "high" {
		t.Fatalf("after the slow commit: %v, want [low high]", got)
	}
}

// Transaction ids grow a digit now and then (999 -> 1000). The consumer must follow their
// numeric order: in text order "1000" sorts before "999", a batch would end on the wrong
// message, and the cursor would skip the rest.
func TestTxidsAcrossADigitBoundaryAreAllConsumedInOrder(t *testing.T) {
	db := storetest.Open(t)
	if db.Dialect != store.Postgres {
		t.Log("SQLite orders the outbox by id alone; the transaction ids are a PostgreSQL matter")
		return
	}
	ctx := context.Background()
	// The messages' txids must be older than every running transaction, or the consumer
	// rightly waits for them: take the digit boundary below the cluster's current txid (a
	// fresh cluster may be below 10000), after burning ids until it is well past 1001.
	var current int64
	for {
		if err := db.SQL.QueryRowContext(ctx, `SELECT pg_current_xact_id()::text::bigint`).Scan(&current); err != nil {
			t.Fatal(err)
		}
		if current > 1100 {
			break
		}
	}
	boundary := int64(1000)
	for boundary*10 < current-1 {
		boundary *= 10
	}
	var want []string
	for i, n := range []int64{boundary - 2, boundary - 1, boundary, boundary + 1} {
		txid := strconv.FormatInt(n, 10)
		item := "m" + txid
		want = append(want, item)
		if _, err := db.SQL.ExecContext(ctx, `INSERT INTO outbox (topic, brand_id, item_id, payload, created_at, txid)
			VALUES ('test', 1, $1, '{}', now(), $2::xid8)`, item, txid); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	var got []string
	for range 10 {
		n, err := Consume(ctx, db, "digits", 2, func(_ context.Context, _ store.Tx, msgs []Message) error {
			for _, m := range msgs {
				got = append(got, m.ItemID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("consumed %v, want every message once in transaction order %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("consumed %v, want %v", got, want)
		}
	}
}

// A batch's messages of one topic and brand share a row; consumers still get each message, in
// the order written, once, with a reference of its own, and take rows whole.
func TestPackedRowsAreConsumedAsMessages(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	var es []Entry
	add := func(topic string, brand int64, items ...string) {
		for _, it := range items {
			es = append(es, Entry{Topic: topic, BrandID: brand, ItemID: it, Payload: map[string]string{"item": it}})
		}
	}
	add("ev", 1, "a", "b", "c") // one row of three
	add("ev", 2, "d")           // another brand: a row of its own
	add("other", 2, "e", "f")   // another topic
	for i := range maxParts + 1 {
		add("ev", 3, "big"+strconv.Itoa(i)) // more than a row holds: two rows
	}
	if err := db.WriteTx(ctx, func(tx store.Tx) error { return Write(ctx, db, tx, es, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 5 {
		t.Errorf("%d outbox rows, want 5 (a b c | d | e f | 1000 | 1)", rows)
	}
	got := collect(t, db, "peek", 100_000, len(es))
	if len(got) != len(es) {
		t.Fatalf("consumed %d messages, want %d", len(got), len(es))
	}
	for i, e := range es {
		if got[i] != e.ItemID {
			t.Fatalf("message %d is %s, want %s (order as written)", i, got[i], e.ItemID)
		}
	}

	// A small limit still takes the first row whole, and the next call goes on after it.
	var first, second []Message
	for _, dst := range []*[]Message{&first, &second} {
		if _, err := Consume(ctx, db, "small", 2, func(_ context.Context, _ store.Tx, msgs []Message) error {
			*dst = msgs
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(first) != 3 || first[2].ItemID != "c" || len(second) != 3 || second[0].ItemID != "d" || second[2].ItemID != "f" {
		t.Fatalf("limit 2: first batch %d messages, second %d; want the row of 3, then d and the row e f", len(first), len(second))
	}
	refs := map[string]bool{}
	for _, m := range append(first, second...) {
		if refs[m.Ref()] {
			t.Errorf("two messages share the reference %s", m.Ref())
		}
		refs[m.Ref()] = true
		var p map[string]string
		if json.Unmarshal(m.Payload, &p) != nil || p["item"] != m.ItemID {
			t.Errorf("message %s: payload %s does not belong to item %s", m.Ref(), m.Payload, m.ItemID)
		}
	}
	all, err := All(ctx, db, "other")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ItemID != "e" || all[1].ItemID != "f" || all[1].BrandID != 2 {
		t.Errorf("All(other) = %+v", all)
	}
}
