// Package trackingtest gives tests of tracking and of the packages above it a fresh database
// with two brands and a partner post, the tracking service on a fixed clock, valid inputs,
// and the parcel API behind real authentication.
//
// A test that writes parcels (or cases) on SQLite must link package textkey, which registers
// the wismo_search_key function the search triggers call; linking tracking (as this package
// does) is enough. A test that inserted parcels with raw SQL and linked neither would fail with
// "no such function: wismo_search_key".
package trackingtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// Env is a fresh database with two brands (A and B, with API keys) and a partner post for GB.
type Env struct {
	T              *testing.T
	DB             *store.DB
	Access         *access.Service
	Tracking       *tracking.Service
	BrandA, BrandB int64
	KeyA, KeyB     string
	PostGB         access.Scope
	PostKeyGB      string
	Now            time.Time
}

// Start is the time tests start at: the Env clock reads Now, which starts here.
var Start = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// New returns a fresh Env for t.
func New(t *testing.T) *Env {
	t.Helper()
	db := storetest.Open(t)
	e := &Env{T: t, DB: db, Access: access.NewService(db), Tracking: tracking.NewService(db, storetest.Logger(t), nil),
		Now: Start}
	e.Tracking.SetClock(func() time.Time { return e.Now })
	ctx := context.Background()
	a, ka, err := e.Access.CreateBrand(ctx, "Brand A")
	if err != nil {
		t.Fatal(err)
	}
	b, kb, err := e.Access.CreateBrand(ctx, "Brand B")
	if err != nil {
		t.Fatal(err)
	}
	p, kp, err := e.Access.CreatePost(ctx, "GB", "Royal Mail")
	if err != nil {
		t.Fatal(err)
	}
	e.BrandA, e.BrandB, e.KeyA, e.KeyB = a.ID, b.ID, ka, kb
	e.PostGB, e.PostKeyGB = access.PostScope(p.ID, "GB"), kp
	return e
}

// ScopeA and ScopeB are the brands' scopes.
func (e *Env) ScopeA() access.Scope { return access.Brands(e.BrandA) }
func (e *Env) ScopeB() access.Scope { return access.Brands(e.BrandB) }

// Parcel returns a valid parcel input from GB to Novosibirsk.
func Parcel(id string) tracking.ParcelInput {
	return tracking.ParcelInput{ID: id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB",
		DestinationCountry: "RU", COD: &tracking.MoneyInput{Amount: "1200.00", Currency: "RUB"},
		Recipient: tracking.RecipientInput{Name: "Петров Иван", Phone: "+7 913 123-45-67", Email: "ivan@example.com",
			Address: "ул. Ленина 1, Новосибирск", Region: "RU-NVS"}}
}

// Event returns a valid event of item id at time at (RFC 3339), scanned in London.
func Event(id, code, at string) tracking.EventInput {
	return tracking.EventInput{ItemID: id, Code: code, OccurredAt: at, Office: "GBLONA", Location: "London", Country: "GB", TimeZone: "Europe/London"}
}

// Upsert stores parcels as scope and returns the results.
func (e *Env) Upsert(scope access.Scope, ps ...tracking.ParcelInput) []tracking.Result {
	e.T.Helper()
	items := make([]tracking.ParcelItem, len(ps))
	for i, p := range ps {
		items[i].Input = p
	}
	res, err := e.Tracking.UpsertParcels(context.Background(), scope, items)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}

// Events ingests events as scope and returns the results.
func (e *Env) Events(scope access.Scope, evs ...tracking.EventInput) []tracking.Result {
	e.T.Helper()
	items := make([]tracking.EventItem, len(evs))
	for i, ev := range evs {
		items[i].Input = ev
	}
	res, err := e.Tracking.IngestEvents(context.Background(), scope, items)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}

// Count runs a COUNT query (with ? placeholders).
func (e *Env) Count(query string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.DB.SQL.QueryRow(e.DB.Rebind(query), args...).Scan(&n); err != nil {
		e.T.Fatalf("%s: %v", query, err)
	}
	return n
}

// Messages counts the outbox messages of topic (any when empty) about item (any when empty):
// a batch's messages share one outbox row, so rows are not messages.
func (e *Env) Messages(topic, item string) int {
	e.T.Helper()
	msgs, err := outbox.All(context.Background(), e.DB, topic)
	if err != nil {
		e.T.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if item == "" || m.ItemID == item {
			n++
		}
	}
	return n
}

// Statuses lists the statuses of results.
func Statuses(res []tracking.Result) []tracking.Status {
	out := make([]tracking.Status, len(res))
	for i, r := range res {
		out[i] = r.Status
	}
	return out
}

// JSON marshals v.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// API is the parcel API of e behind real authentication, with more routes mounted after it
// (the case API, search...), and an error handler answering as the product's does.
func (e *Env) API(more ...func(fiber.Router)) *fiber.App {
	app := fiber.New(fiber.Config{BodyLimit: 64 << 20, ErrorHandler: func(c *fiber.Ctx, err error) error {
		code := fiber.StatusInternalServerError
		if fe, ok := err.(*fiber.Error); ok {
			code = fe.Code
		}
		return c.Status(code).JSON(fiber.Map{"error": fiber.Map{"status": code, "message": err.Error()}})
	}})
	app.Use(access.Authenticate(e.Access))
	tracking.Routes(app, e.Tracking)
	for _, m := range more {
		m(app)
	}
	return app
}

// Call sends a request with key and decodes the JSON answer into out (if not nil).
func Call(t testing.TB, app *fiber.App, method, path, key, contentType string, body []byte, out any) int {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType == "" {
		contentType = "application/json"
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := app.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}
