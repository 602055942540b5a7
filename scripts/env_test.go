package scripts

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// env is a database with a brand, the cases service, a dialer on the log channel and the
// scripts service, all on one test clock.
type env struct {
	t      testing.TB
	db     *store.DB
	acc    *access.Service
	cs     *tracking.Service
	dialer *dialer.Service
	svc    *Service
	brand  int64
	key    string
	mu     sync.Mutex
	now    time.Time
}

func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *env) set(t time.Time)  { e.mu.Lock(); e.now = t; e.mu.Unlock() }

func newEnv(t testing.TB) *env {
	t.Helper()
	e := open(t, parseTime("2026-11-20T06:00:00Z"))
	b, key, err := e.acc.CreateBrand(context.Background(), "Matryoshka Market")
	if err != nil {
		t.Fatal(err)
	}
	e.brand, e.key = b.ID, key
	return e
}

// open wires the services over a fresh database with the clock at now, and no brand yet.
func open(t testing.TB, now time.Time) *env {
	t.Helper()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	e := &env{t: t, db: db, acc: access.NewService(db), cs: tracking.NewService(db, log, nil), now: now}
	e.cs.SetClock(e.clock)
	var err error
	if e.dialer, err = dialer.New(db, log, dialer.Options{Now: e.clock, PublicURL: "http://wismo.test"}); err != nil {
		t.Fatal(err)
	}
	e.svc = New(db, log, Options{PublicURL: "http://wismo.test", Planner: e.dialer, Parcels: e.cs, Brands: e.acc, Now: e.clock})
	return e
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// parcel registers a parcel to a recipient in Novosibirsk; cod in roubles or "" for none.
func (e *env) parcel(id, cod string, mutate ...func(*tracking.ParcelInput)) {
	e.t.Helper()
	in := tracking.ParcelInput{ID: id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "RU",
		Recipient: tracking.RecipientInput{Name: "Петров Иван", Phone: "+79131234567", Email: "ivan@example.com",
			Address: "ул. Ленина 1, Новосибирск", Region: "RU-NVS", Language: "ru"}}
	if cod != "" {
		in.COD = &tracking.MoneyInput{Amount: cod, Currency: "RUB"}
	}
	for _, m := range mutate {
		m(&in)
	}
	res, err := e.cs.UpsertParcels(context.Background(), access.Brands(e.brand), []tracking.ParcelItem{{Input: in}})
	if err != nil || res[0].Status != tracking.StatusAccepted {
		e.t.Fatalf("parcel %s: %v %+v", id, err, res)
	}
}

// events ingests events; each is "CODE@RFC3339" with optional reason and action.
func (e *env) events(evs ...tracking.EventInput) {
	e.t.Helper()
	items := make([]tracking.EventItem, len(evs))
	for i, ev := range evs {
		items[i].Input = ev
	}
	res, err := e.cs.IngestEvents(context.Background(), access.Brands(e.brand), items)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range res {
		if r.Status == tracking.StatusRejected {
			e.t.Fatalf("event rejected: %+v", r.Error)
		}
	}
}

func ev(id, code, at string) tracking.EventInput {
	return tracking.EventInput{ItemID: id, Code: code, OccurredAt: at, Office: "RUNSKA", Location: "Новосибирск", Country: "RU", TimeZone: "Asia/Novosibirsk"}
}

// consume runs the rules over everything in the outbox. On PostgreSQL a consumer waits for
// the oldest transaction running anywhere on the server (see package outbox), so it polls
// until its cursor has passed the last message.
func (e *env) consume() {
	e.t.Helper()
	var last int64
	if err := e.db.SQL.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&last); err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		n, err := outbox.Consume(context.Background(), e.db, Consumer, 100, e.svc.Handle)
		if err != nil {
			e.t.Fatal(err)
		}
		var at int64
		e.db.SQL.QueryRow(e.db.Rebind(`SELECT COALESCE(MAX(last_id), 0) FROM outbox_cursors WHERE consumer = ?`), Consumer).Scan(&at)
		if at >= last {
			return
		}
		if n == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	e.t.Fatal("the outbox did not drain within 2 minutes")
}

func (e *env) contacts(parcel string) []dialer.Contact {
	e.t.Helper()
	list, err := e.dialer.Contacts(context.Background(), access.Brands(e.brand), parcel)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}
