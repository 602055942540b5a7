package dialer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// env is a fresh database with a brand, parcels to contact, and a dialer on a test clock.
type env struct {
	t     *testing.T
	db    *store.DB
	acc   *access.Service
	cs    *tracking.Service
	svc   *Service
	brand int64
	key   string
	clock *testClock
	sms   *fakeSender
	email *fakeSender
}

// testClock is a settable time source.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// fakeSender records messages and answers with the error its next func returns.
type fakeSender struct {
	mu    sync.Mutex
	sent  []Message
	fail  func(m Message) error
	delay time.Duration
}

func (f *fakeSender) Send(ctx context.Context, m Message) (Sent, error) {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(m); err != nil {
			return Sent{Provider: "fake"}, err
		}
	}
	f.sent = append(f.sent, m)
	return Sent{Provider: "fake", IDs: []string{fmt.Sprintf("F%d", m.ContactID)}, Parts: 1, Encoding: "GSM-7"}, nil
}

func (f *fakeSender) messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.sent...)
}

func newEnv(t *testing.T, opts ...func(*Options)) *env {
	t.Helper()
	db := storetest.Open(t)
	e := &env{t: t, db: db, acc: access.NewService(db), cs: tracking.NewService(db, storetest.Logger(t), nil),
		clock: &testClock{t: parseUTC("2026-06-15T12:00:00Z")}, sms: &fakeSender{}, email: &fakeSender{}}
	e.cs.SetClock(e.clock.now)
	b, key, err := e.acc.CreateBrand(context.Background(), "Dialer Shop")
	if err != nil {
		t.Fatal(err)
	}
	e.brand, e.key = b.ID, key
	o := Options{SMS: e.sms, Email: e.email, Now: e.clock.now, PublicURL: "http://wismo.test", Interval: 50 * time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	if e.svc, err = New(db, storetest.Logger(t), o); err != nil {
		t.Fatal(err)
	}
	return e
}

// parcel registers a parcel for the brand with a recipient in zone.
func (e *env) parcel(id, zone string) {
	e.t.Helper()
	res, err := e.cs.UpsertParcels(context.Background(), access.Brands(e.brand), []tracking.ParcelItem{{Input: tracking.ParcelInput{
		ID: id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "RU",
		Recipient: tracking.RecipientInput{Name: "Анна", Phone: "+79131234567", Email: "anna@example.com", TimeZone: zone}}}})
	if err != nil || res[0].Status != tracking.StatusAccepted {
		e.t.Fatalf("parcel %s: %v %+v", id, err, res)
	}
}

// plan plans requests in their own transaction.
func (e *env) plan(reqs ...Request) {
	e.t.Helper()
	for i := range reqs {
		if reqs[i].BrandID == 0 {
			reqs[i].BrandID = e.brand
		}
	}
	if err := e.db.WriteTx(context.Background(), func(tx store.Tx) error { return e.svc.Plan(context.Background(), tx, reqs) }); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) runOnce() int {
	e.t.Helper()
	n, err := e.svc.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) contacts(parcel string) []Contact {
	e.t.Helper()
	list, err := e.svc.Contacts(context.Background(), access.Brands(e.brand), parcel)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL.QueryRow(e.db.Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func sms(parcel, to, zone, text string) Request {
	return Request{ParcelID: parcel, Channel: SMS, To: to, TimeZone: zone, Body: text}
}

func kinds(c Contact) []string {
	var out []string
	for _, l := range c.Log {
		out = append(out, l.Kind)
	}
	return out
}
