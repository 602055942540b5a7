package cases

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// env is a fresh database with two brands and a partner post for GB.
type env struct {
	t              *testing.T
	db             *store.DB
	acc            *access.Service
	svc            *Service
	brandA, brandB int64
	keyA, keyB     string
	postGB         access.Scope
	postKeyGB      string
	now            time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.Open(t)
	e := &env{t: t, db: db, acc: access.NewService(db), svc: NewService(db, storetest.Logger(t), nil),
		now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	e.svc.SetClock(func() time.Time { return e.now })
	ctx := context.Background()
	a, ka, err := e.acc.CreateBrand(ctx, "Brand A")
	if err != nil {
		t.Fatal(err)
	}
	b, kb, err := e.acc.CreateBrand(ctx, "Brand B")
	if err != nil {
		t.Fatal(err)
	}
	p, kp, err := e.acc.CreatePost(ctx, "GB", "Royal Mail")
	if err != nil {
		t.Fatal(err)
	}
	e.brandA, e.brandB, e.keyA, e.keyB = a.ID, b.ID, ka, kb
	e.postGB, e.postKeyGB = access.PostScope(p.ID, "GB"), kp
	return e
}

func (e *env) scopeA() access.Scope { return access.Brands(e.brandA) }
func (e *env) scopeB() access.Scope { return access.Brands(e.brandB) }

// parcel returns a valid parcel input from GB to Novosibirsk.
func parcel(id string) ParcelInput {
	return ParcelInput{ID: id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB",
		DestinationCountry: "RU", COD: &MoneyInput{Amount: "1200.00", Currency: "RUB"},
		Recipient: RecipientInput{Name: "Петров Иван", Phone: "+7 913 123-45-67", Email: "ivan@example.com",
			Address: "ул. Ленина 1, Новосибирск", Region: "RU-NVS"}}
}

func event(id, code, at string) EventInput {
	return EventInput{ItemID: id, Code: code, OccurredAt: at, Office: "GBLONA", Location: "London", Country: "GB", TimeZone: "Europe/London"}
}

func (e *env) upsert(scope access.Scope, ps ...ParcelInput) []Result {
	e.t.Helper()
	items := make([]ParcelItem, len(ps))
	for i, p := range ps {
		items[i].Input = p
	}
	res, err := e.svc.UpsertParcels(context.Background(), scope, items)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) events(scope access.Scope, evs ...EventInput) []Result {
	e.t.Helper()
	items := make([]EventItem, len(evs))
	for i, ev := range evs {
		items[i].Input = ev
	}
	res, err := e.svc.IngestEvents(context.Background(), scope, items)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL.QueryRow(e.db.Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// messages counts the outbox messages of topic (any when empty) about item (any when empty):
// a batch's messages share one outbox row, so rows are not messages.
func (e *env) messages(topic, item string) int {
	e.t.Helper()
	msgs, err := outbox.All(context.Background(), e.db, topic)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if item == "" || m.ItemID == item {
			n++
		}
	}
	return n
}

func statuses(res []Result) []Status {
	out := make([]Status, len(res))
	for i, r := range res {
		out[i] = r.Status
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
