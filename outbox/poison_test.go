package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// poisonFixture is a packed row of 1000 messages m0..m999 (one of which the tests' handlers
// cannot handle) and two later rows, after1 and after2; handlers record what they handled in
// test_handled, inside the consumer's transaction, so only what committed counts.
type poisonFixture struct {
	db   *store.DB
	row  int64 // the packed row's id
	want []string
}

func newPoisonFixture(t *testing.T, db *store.DB) *poisonFixture {
	t.Helper()
	ctx := context.Background()
	// seq numbers what committed in the order it committed, whichever process handled it.
	ddl := `CREATE TABLE test_handled (seq INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL)`
	if db.Dialect == store.Postgres {
		ddl = `CREATE TABLE test_handled (seq BIGSERIAL PRIMARY KEY, item TEXT NOT NULL)`
	}
	if _, err := db.SQL.ExecContext(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	f := &poisonFixture{db: db}
	var items []string
	for i := range maxParts {
		items = append(items, "m"+strconv.Itoa(i))
	}
	write(t, db, items...)
	write(t, db, "after1")
	write(t, db, "after2")
	if err := db.SQL.QueryRowContext(ctx, `SELECT MIN(id) FROM outbox`).Scan(&f.row); err != nil {
		t.Fatal(err)
	}
	f.want = append(items, "after1", "after2")
	waitVisible(t, db, 3)
	return f
}

// waitVisible waits until rows outbox rows are visible to consumers (PostgreSQL shows a row
// once every older transaction in the cluster has ended).
func waitVisible(t testing.TB, db *store.DB, rows int) {
	t.Helper()
	if db.Dialect != store.Postgres {
		return
	}
	for deadline := time.Now().Add(visibleWithin); ; {
		var n int
		if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM outbox WHERE txid < pg_snapshot_xmin(pg_current_snapshot())`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n >= rows {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d outbox rows became visible", n, rows)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// record notes msgs as handled by the attempt in tx.
func (f *poisonFixture) record(ctx context.Context, tx store.Tx, msgs []Message) error {
	return recordHandled(ctx, f.db, tx, msgs)
}

func recordHandled(ctx context.Context, db *store.DB, tx store.Tx, msgs []Message) error {
	for _, m := range msgs {
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO test_handled (item) VALUES (?)`), m.ItemID); err != nil {
			return err
		}
	}
	return nil
}

// handled is what committed, in the order handled.
func (f *poisonFixture) handled(t testing.TB) []string {
	t.Helper()
	rows, err := f.db.SQL.Query(`SELECT item FROM test_handled ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// count is how many messages were handled.
func (f *poisonFixture) count(t testing.TB) int {
	t.Helper()
	var n int
	if err := f.db.SQL.QueryRow(`SELECT COUNT(*) FROM test_handled`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkHandled asserts that every message but the bad one was handled exactly once, in order.
func (f *poisonFixture) checkHandled(t testing.TB, bad string) {
	t.Helper()
	var want []string
	for _, w := range f.want {
		if w != bad {
			want = append(want, w)
		}
	}
	got := f.handled(t)
	seen := map[string]int{}
	for _, g := range got {
		if seen[g]++; seen[g] == 2 {
			t.Errorf("%s was handled twice", g)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages handled, want %d (every one but %s, once)", len(got), len(want), bad)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("message %d handled is %s, want %s: every message but %s, in order", i, got[i], want[i], bad)
		}
	}
}

func (f *poisonFixture) letters(t testing.TB) []DeadLetter {
	t.Helper()
	ls, err := NewDeadLetters(f.db).List(context.Background(), access.Operator(), LetterFilter{Status: StatusDead})
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// drain runs turns of p until done reports true or 30 s pass; it returns the attempts'
// errors.
func drain(t *testing.T, db *store.DB, p Policy, consumer string, fn Handler, done func() bool) []error {
	t.Helper()
	var errs []error
	for deadline := time.Now().Add(30 * time.Second); !done(); {
		if time.Now().After(deadline) {
			t.Fatalf("the consumer did not finish in 30 s; errors so far: %v", errs)
		}
		n, err := p.Consume(context.Background(), db, consumer, 200, fn)
		if err != nil {
			errs = append(errs, err)
		}
		if n == 0 && err == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return errs
}

// A message whose handling panics, or returns an error, in a packed row of 1000: after
// MaxAttempts failures that part alone is a dead letter, and its 999 neighbours and the later
// rows are handled exactly once, in order. On the code before dead letters the batch failed
// for ever and nothing after it was handled.
func TestFailingMessageInPackedRowIsSetAsideAlone(t *testing.T) {
	for _, how := range []string{"panic", "error"} {
		t.Run(how, func(t *testing.T) {
			db := storetest.Open(t)
			f := newPoisonFixture(t, db)
			bad, saw := "m500", 0
			fn := func(ctx context.Context, tx store.Tx, msgs []Message) error {
				for _, m := range msgs {
					if m.ItemID != bad {
						continue
					}
					saw++
					if how == "panic" {
						panic("a bug in the handler: " + m.ItemID)
					}
					return fmt.Errorf("cannot handle %s", m.ItemID)
				}
				return f.record(ctx, tx, msgs)
			}
			p := Policy{Backoff: time.Millisecond, Log: storetest.Logger(t)}
			errs := drain(t, db, p, "rules", fn, func() bool { return f.count(t) >= len(f.want)-1 })
			f.checkHandled(t, bad)
			if saw != DefaultMaxAttempts {
				t.Errorf("the handler saw %s %d times, want %d (the batch once, then alone until set aside)", bad, saw, DefaultMaxAttempts)
			}
			if len(errs) != DefaultMaxAttempts {
				t.Errorf("%d failed attempts, want %d: %v", len(errs), DefaultMaxAttempts, errs)
			}
			ls := f.letters(t)
			if len(ls) != 1 {
				t.Fatalf("%d dead letters, want 1: %+v", len(ls), ls)
			}
			l := ls[0]
			wantErr := map[string]string{"panic": "a bug in the handler: m500", "error": "cannot handle m500"}[how]
			if l.Message.ItemID != bad || l.Message.Ref() != fmt.Sprintf("%d.500", f.row) || l.Consumer != "rules" ||
				l.Attempts != DefaultMaxAttempts || !strings.Contains(l.Error, wantErr) || l.Status != StatusDead {
				t.Errorf("dead letter %+v: want %s (ref %d.500) of rules, %d attempts, error with %q", l, bad, f.row, DefaultMaxAttempts, wantErr)
			}
			if string(l.Message.Payload) != `{"item":"m500"}` || l.Message.Topic != "test" || l.Message.BrandID != 1 {
				t.Errorf("dead letter message %+v: want the outbox message as written", l.Message)
			}
		})
	}
}

// Failures that are not the message's fault — a transient database error, an error the
// handler marks Transient, the consumer stopping — never set a message aside, however often.
func TestFailuresNotTheMessagesFaultDoNotCount(t *testing.T) {
	for _, c := range []struct {
		name string
		err  func(cancel context.CancelFunc) error
	}{
		{"serialization failure", func(context.CancelFunc) error { return fmt.Errorf("plan contacts: %w", &pgconn.PgError{Code: "40001"}) }},
		{"sqlite busy", func(context.CancelFunc) error { return fmt.Errorf("plan contacts: %w", sqliteBusy{}) }},
		{"marked transient", func(context.CancelFunc) error { return Transient(errors.New("meilisearch: connection refused")) }},
		{"shutdown", func(cancel context.CancelFunc) error { cancel(); return context.Canceled }},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.Open(t)
			f := newPoisonFixture(t, db)
			failuresLeft := 2 * DefaultMaxAttempts
			p := Policy{Backoff: time.Millisecond, Log: storetest.Logger(t)}
			for failuresLeft > 0 {
				ctx, cancel := context.WithCancel(context.Background())
				_, err := p.Consume(ctx, db, "rules", 200, func(_ context.Context, _ store.Tx, msgs []Message) error {
					return c.err(cancel)
				})
				cancel()
				if err == nil {
					t.Fatal("the handler failed but Consume returned no error")
				}
				failuresLeft--
			}
			drain(t, db, p, "rules", f.record, func() bool { return f.count(t) >= len(f.want) })
			f.checkHandled(t, "")
			if ls := f.letters(t); len(ls) != 0 {
				t.Fatalf("dead letters after failures that were not the messages' fault: %+v", ls)
			}
		})
	}
}

// sqliteBusy is SQLITE_BUSY as the SQLite driver reports it (an error with a Code).
type sqliteBusy struct{}

func (sqliteBusy) Error() string { return "database is locked (5) (SQLITE_BUSY)" }
func (sqliteBusy) Code() int     { return 5 }
