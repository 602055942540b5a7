package outbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// setAsideOne makes consumer set aside the message of item bad (written alone, brand 1) and
// returns its dead letter.
func setAsideOne(t *testing.T, db *store.DB, consumer, bad string) DeadLetter {
	t.Helper()
	write(t, db, bad)
	waitVisible(t, db, 1)
	p := Policy{Backoff: time.Millisecond}
	fail := func(context.Context, store.Tx, []Message) error { return errors.New("template missing") }
	for i := 0; i < DefaultMaxAttempts+1; i++ {
		p.Consume(context.Background(), db, consumer, 10, fail)
	}
	ls, err := NewDeadLetters(db).List(context.Background(), access.Operator(), LetterFilter{Consumer: consumer})
	if err != nil || len(ls) != 1 {
		t.Fatalf("dead letters %+v (%v): want one", ls, err)
	}
	return ls[0]
}

// Retry hands a dead letter to its consumer once more, in the consumer's own turn, and no
// other consumer sees it again; a retry that fails sets it aside again with one attempt
// more; a discarded letter is never handed out.
func TestDeadLetterRetryAndDiscard(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	letters := NewDeadLetters(db)
	l := setAsideOne(t, db, "rules", "bad")
	if got := collect(t, db, "search", 10, 1); len(got) != 1 {
		t.Fatalf("another consumer got %v, want the message once", got)
	}

	// A retry that fails again.
	if _, err := letters.Retry(ctx, access.Operator(), l.ID, "user:admin@example"); err != nil {
		t.Fatal(err)
	}
	p := Policy{Backoff: time.Millisecond}
	seen := 0
	_, err := p.Consume(ctx, db, "rules", 10, func(_ context.Context, _ store.Tx, msgs []Message) error {
		seen += len(msgs)
		return errors.New("template still missing")
	})
	if err == nil || seen != 1 {
		t.Fatalf("the retry: handler saw %d messages, err %v; want the letter once, failing", seen, err)
	}
	again, _ := letters.Get(ctx, access.Operator(), l.ID)
	if again.Status != StatusDead || again.Attempts != l.Attempts+1 || again.Error != "template still missing" {
		t.Fatalf("after a failed retry: %+v; want dead again, %d attempts, the new error", again, l.Attempts+1)
	}

	// A retry that works: handled once, in the consumer's transaction, resolved.
	letters.Retry(ctx, access.Operator(), l.ID, "user:admin@example")
	var handled []string
	n, err := p.Consume(ctx, db, "rules", 10, func(_ context.Context, _ store.Tx, msgs []Message) error {
		for _, m := range msgs {
			handled = append(handled, m.ItemID+"@"+m.Ref())
		}
		return nil
	})
	if err != nil || n != 1 || len(handled) != 1 || handled[0] != "bad@"+l.Message.Ref() {
		t.Fatalf("the retry handled %v (n %d, err %v); want the letter's message once", handled, n, err)
	}
	done, _ := letters.Get(ctx, access.Operator(), l.ID)
	if done.Status != StatusResolved {
		t.Fatalf("after a retry that worked: status %s, want resolved", done.Status)
	}
	if _, err := letters.Retry(ctx, access.Operator(), l.ID, "x"); !errors.Is(err, ErrLetterStatus) {
		t.Fatalf("retrying a resolved letter: %v, want ErrLetterStatus", err)
	}
	if n, _ := p.Consume(ctx, db, "rules", 10, func(context.Context, store.Tx, []Message) error { return nil }); n != 0 {
		t.Fatalf("%d messages after the retry, want none: a resolved letter is not handed out again", n)
	}

	// Discard ("other" meets the first message too, and sets it aside first).
	l2 := setAsideOne(t, db, "other", "bad2")
	gone, err := letters.Discard(ctx, access.Operator(), l2.ID, "user:admin@example")
	if err != nil || gone.Status != StatusDiscarded || gone.UpdatedBy != "user:admin@example" {
		t.Fatalf("discard: %+v, %v", gone, err)
	}
	if _, err := letters.Retry(ctx, access.Operator(), l2.ID, "x"); !errors.Is(err, ErrLetterStatus) {
		t.Fatalf("retrying a discarded letter: %v, want ErrLetterStatus", err)
	}
}

// A brand's staff see and act on their brands' dead letters only.
func TestDeadLettersAreScopedByBrand(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	l := setAsideOne(t, db, "rules", "bad") // brand 1
	letters := NewDeadLetters(db)
	if ls, _ := letters.List(ctx, access.Brands(2), LetterFilter{}); len(ls) != 0 {
		t.Fatalf("brand 2 sees %+v", ls)
	}
	if _, err := letters.Retry(ctx, access.Brands(2), l.ID, "x"); !errors.Is(err, ErrLetterNotFound) {
		t.Fatalf("brand 2 retrying brand 1's letter: %v, want ErrLetterNotFound", err)
	}
	if _, err := letters.Discard(ctx, access.Brands(2), l.ID, "x"); !errors.Is(err, ErrLetterNotFound) {
		t.Fatalf("brand 2 discarding brand 1's letter: %v, want ErrLetterNotFound", err)
	}
	if ls, _ := letters.List(ctx, access.Brands(1), LetterFilter{}); len(ls) != 1 {
		t.Fatalf("brand 1 sees %d letters, want its one", len(ls))
	}
	if _, err := letters.List(ctx, access.Operator(), LetterFilter{Status: "lost"}); err == nil {
		t.Fatal("an unknown status filter was accepted")
	}
}

// A retried letter whose handling kills the process is set aside again at the next turn of
// another process (the record of the attempt says which letter was in flight).
func TestRetryThatKillsTheProcessIsSetAsideAgain(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	l := setAsideOne(t, db, "rules", "bad")
	letters := NewDeadLetters(db)
	letters.Retry(ctx, access.Operator(), l.ID, "x")
	// The first process records the retry in flight and dies in the handler: what it leaves
	// is the record.
	first := &consumerTurn{p: Policy{Owner: "first"}.withDefaults(), db: db, name: "rules", limit: 10}
	first.log = first.p.Log
	err := db.WriteTx(ctx, func(tx store.Tx) error {
		pl, err := first.prepare(ctx, tx)
		if err == nil && pl.letter == nil {
			err = errors.New("the first process did not take the letter")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := Policy{Owner: "second"}.Consume(ctx, db, "rules", 10, func(context.Context, store.Tx, []Message) error {
		t.Error("the letter whose retry killed a process was handed out again")
		return nil
	})
	if err != nil || n != 0 {
		t.Fatalf("the second process's turn: %d, %v", n, err)
	}
	got, _ := letters.Get(ctx, access.Operator(), l.ID)
	if got.Status != StatusDead || got.Attempts != l.Attempts+1 {
		t.Fatalf("%+v: want dead again with %d attempts", got, l.Attempts+1)
	}
}
