// Package reportstest writes the rows the reports read straight into the domains' tables
// (parcels, contacts, calls, cases, agents, recordings), and a fixed dataset of two brands
// whose every rate is known. It links tracking, and so textkey: parcels written here fire
// the search triggers, which call wismo_search_key.
package reportstest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// Seed writes the dashboard's source rows straight into the tables (parcels, contacts,
// calls, cases, agents, recordings): the KPIs are a read model over them, and the fixed
// dataset makes every rate exact.
type Seed struct {
	T   testing.TB
	DB  *store.DB
	Seq int
}

// Exec runs a statement, failing the test on an error.
func (s *Seed) Exec(q string, args ...any) {
	s.T.Helper()
	if _, err := s.DB.SQL.ExecContext(context.Background(), s.DB.Rebind(q), args...); err != nil {
		s.T.Fatalf("%v\n%s", err, q)
	}
}

// ID runs an INSERT and returns the id it made.
func (s *Seed) ID(q string, args ...any) int64 {
	s.T.Helper()
	var id int64
	if err := s.DB.SQL.QueryRowContext(context.Background(), s.DB.Rebind(q+" RETURNING id"), args...).Scan(&id); err != nil {
		s.T.Fatalf("%v\n%s", err, q)
	}
	return id
}

// Time parses an RFC 3339 time of the fixture.
func Time(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func timeOrNil(s string) any {
	if s == "" {
		return nil
	}
	return Time(s)
}

// Parcel is a parcel of the fixture.
type Parcel struct {
	Brand                         int64
	Origin, Service, Region, Zone string
	COD                           bool
	Posted, Delivered, Promised   string
	Phase                         string
}

// Parcel inserts a parcel to RU and returns its S10 id.
func (s *Seed) Parcel(p Parcel) string {
	s.T.Helper()
	s.Seq++
	id := tracking.MakeS10("RB", 10000000+s.Seq, "GB")
	var cod any
	if p.COD {
		cod = 120000
	}
	if p.Phase == "" {
		p.Phase = "in_transit"
		if p.Delivered != "" {
			p.Phase = "delivered"
		}
	}
	created := Time("2026-11-01T00:00:00Z")
	s.Exec(`INSERT INTO parcels (id, brand_id, origin_country, destination_country, service_level, kind, weight_g, cod_minor, cod_currency,
		recipient_name, recipient_phone, recipient_region, time_zone, time_zone_rule, promised_date, phase, posted_at, delivered_at,
		fingerprint, created_at, updated_at)
		VALUES (?, ?, ?, 'RU', ?, 'packet', 400, ?, 'RUB', 'Иван Петров', '+79131234567', ?, ?, 'region', ?, ?, ?, ?, 'x', ?, ?)`,
		id, p.Brand, p.Origin, p.Service, cod, p.Region, p.Zone, p.Promised, p.Phase, timeOrNil(p.Posted), timeOrNil(p.Delivered), created, created)
	return id
}

// Contact inserts a contact attempt (channel sms/email/call) in status with a provider id.
func (s *Seed) Contact(brand int64, parcel, channel, status, providerID, at string) {
	s.T.Helper()
	s.Exec(`INSERT INTO contacts (brand_id, parcel_id, channel, status, recipient, time_zone, provider_id, not_before, due_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, '+79131234567', 'Europe/Moscow', ?, ?, ?, ?, ?)`, brand, parcel, channel, status, providerID, Time(at), Time(at), Time(at), Time(at))
}

// Call inserts a finished call (or one in progress when ended is false).
func (s *Seed) Call(brand int64, parcel, direction, outcome, disposition, at string, agent int64, ended bool) int64 {
	s.T.Helper()
	var answered, endedAt any
	if outcome == "answered" {
		answered = Time(at).Add(10 * time.Second)
	}
	if ended {
		endedAt = Time(at).Add(2 * time.Minute)
	}
	var ag any
	if agent != 0 {
		ag = agent
	}
	return s.ID(`INSERT INTO calls (direction, mode, brand_id, parcel_id, agent_id, started_at, answered_at, ended_at, outcome, disposition)
		VALUES (?, 'progressive', ?, ?, ?, ?, ?, ?, ?, ?)`, direction, brand, parcel, ag, Time(at), answered, endedAt, outcome, disposition)
}

// CaseRow inserts a case opened at at, with its breached clocks.
func (s *Seed) CaseRow(brand int64, parcel, at string, frBreached, resBreached, resolved bool) {
	s.T.Helper()
	s.Seq++
	opt := func(b bool) any {
		if b {
			return Time(at).Add(48 * time.Hour)
		}
		return nil
	}
	status := "open"
	if resolved {
		status = "resolved"
	}
	s.Exec(`INSERT INTO cases (brand_id, number, seq, parcel_id, type, priority, status, source, destination_country, created_at, updated_at,
		resolved_at, first_response_breached_at, resolution_breached_at)
		VALUES (?, ?, ?, ?, 'non_receipt', 'normal', ?, 'phone', 'RU', ?, ?, ?, ?, ?)`,
		brand, "T-"+strconv.Itoa(s.Seq), s.Seq, parcel, status, Time(at), Time(at), opt(resolved), opt(frBreached), opt(resBreached))
}

// Agent creates an agent user of brands in state.
func (s *Seed) Agent(acc *access.Service, email, state, since string, brands ...int64) int64 {
	s.T.Helper()
	u, err := acc.CreateUser(context.Background(), email, "correct horse battery", access.RoleAgent, brands)
	if err != nil {
		s.T.Fatal(err)
	}
	s.Exec(`INSERT INTO agent_states (user_id, state, since) VALUES (?, ?, ?)`, u.ID, state, Time(since))
	return u.ID
}

// World is the fixed dataset of the KPI tests: brand A's story and brand B's, which A's
// supervisor must never see.
type World struct {
	DB             *store.DB
	BrandA, BrandB int64
	AgentA, AgentB int64
	RecA, RecB     int64
	LiveCallB      int64
}

// Now is the fixture's clock; the period is 2026-11-10 .. 2026-11-16.
var Now = Time("2026-11-16T12:00:00Z")

// Open returns a fresh database (store/storetest) with brands A and B and the fixed dataset,
// and the access service over it.
func Open(t testing.TB) (*World, *access.Service) {
	t.Helper()
	db := storetest.Open(t)
	acc, b := TwoBrands(t, db)
	return SeedWorld(t, db, acc, b.A.ID, b.B.ID), acc
}

// Brands are the fixtures' two brands and their API keys.
type Brands struct {
	A, B       access.Brand
	KeyA, KeyB string
}

// TwoBrands creates "Brand A" and "Brand B" in db and returns the access service over it.
func TwoBrands(t testing.TB, db *store.DB) (*access.Service, Brands) {
	t.Helper()
	acc := access.NewService(db)
	var b Brands
	var err error
	if b.A, b.KeyA, err = acc.CreateBrand(context.Background(), "Brand A"); err != nil {
		t.Fatal(err)
	}
	if b.B, b.KeyB, err = acc.CreateBrand(context.Background(), "Brand B"); err != nil {
		t.Fatal(err)
	}
	return acc, b
}

// SeedWorld writes the fixed dataset for brands A and B.
func SeedWorld(t testing.TB, db *store.DB, acc *access.Service, brandA, brandB int64) *World {
	s := &Seed{T: t, DB: db}
	w := &World{DB: db, BrandA: brandA, BrandB: brandB}
	a, b := brandA, brandB

	// Brand A. Moscow is UTC+3, Novosibirsk UTC+7.
	a1 := s.Parcel(Parcel{Brand: a, Origin: "GB", Service: "standard", Region: "RU-MOW", Zone: "Europe/Moscow", COD: true,
		Posted: "2026-11-12T10:00:00Z", Delivered: "2026-11-14T20:00:00Z", Promised: "2026-11-14"}) // 23:00 local on the 14th: on time
	a2 := s.Parcel(Parcel{Brand: a, Origin: "GB", Service: "standard", Region: "RU-MOW", Zone: "Europe/Moscow",
		Posted: "2026-11-12T10:00:00Z", Delivered: "2026-11-15T22:00:00Z", Promised: "2026-11-15"}) // 01:00 local on the 16th: 1 day late
	a3 := s.Parcel(Parcel{Brand: a, Origin: "GB", Service: "standard", Region: "RU-NVS", Zone: "Asia/Novosibirsk", COD: true,
		Posted: "2026-11-12T10:00:00Z", Phase: "returned", Promised: "2026-11-15"})
	a4 := s.Parcel(Parcel{Brand: a, Origin: "CN", Service: "economy", Region: "RU-NVS", Zone: "Asia/Novosibirsk",
		Posted: "2026-11-12T10:00:00Z", Delivered: "2026-11-16T03:00:00Z", Promised: "2026-11-13"}) // 10:00 local on the 16th: 3 days late
	a5 := s.Parcel(Parcel{Brand: a, Origin: "GB", Service: "standard", Region: "RU-MOW", Zone: "Europe/Moscow",
		Posted: "2026-11-01T10:00:00Z", Promised: "2026-11-20"}) // posted before the period
	s.Parcel(Parcel{Brand: a, Origin: "GB", Service: "standard", Region: "RU-MOW", Zone: "Europe/Moscow",
		Posted: "2026-11-17T10:00:00Z", Promised: "2026-11-20"}) // after it

	s.Contact(a, a1, "sms", "delivered", "m1", "2026-11-12T11:00:00Z")
	s.Contact(a, a1, "call", "done", "", "2026-11-12T11:30:00Z")
	s.Contact(a, a2, "sms", "sent", "m2", "2026-11-12T11:00:00Z")
	s.Contact(a, a2, "sms", "failed", "m3", "2026-11-13T11:00:00Z") // undeliverable receipt: sent, not delivered
	s.Contact(a, a3, "sms", "failed", "", "2026-11-12T11:00:00Z")   // refused before it went out: not sent
	s.Contact(a, a3, "call", "done", "", "2026-11-12T11:00:00Z")
	s.Contact(a, a4, "sms", "suppressed", "", "2026-11-12T11:00:00Z") // never attempted
	s.Contact(a, a4, "call", "planned", "", "2026-11-12T11:00:00Z")

	w.AgentA = s.Agent(acc, "anna@a.example", "on_call", "2026-11-16T11:58:00Z", a)
	s.Agent(acc, "boris@a.example", "available", "2026-11-16T11:00:00Z", a)
	w.AgentB = s.Agent(acc, "zed@b.example", "paused", "2026-11-16T11:30:00Z", b)

	s.Call(a, a1, "outbound", "no_answer", "", "2026-11-12T12:00:00Z", 0, true)
	s.Call(a, a1, "outbound", "answered", "reached", "2026-11-12T15:00:00Z", w.AgentA, true)
	s.Call(a, a2, "outbound", "no_answer", "", "2026-11-13T10:00:00Z", 0, true)
	s.Call(a, a2, "outbound", "busy", "", "2026-11-13T14:00:00Z", 0, true)
	s.Call(a, a2, "outbound", "answered", "voicemail", "2026-11-14T10:00:00Z", w.AgentA, true)
	callA3 := s.Call(a, a3, "outbound", "answered", "callback_requested", "2026-11-12T11:00:00Z", w.AgentA, true)
	s.Call(a, a5, "outbound", "no_answer", "", "2026-11-09T10:00:00Z", 0, true) // before the period, but an attempt to reach
	s.Call(a, a5, "outbound", "answered", "reached", "2026-11-13T09:00:00Z", w.AgentA, true)
	s.Call(a, a4, "inbound", "answered", "reached", "2026-11-14T09:00:00Z", w.AgentA, true) // inbound: not an attempt
	s.Call(a, a1, "outbound", "answered", "", "2026-11-16T11:59:00Z", w.AgentA, false)      // in progress now

	s.CaseRow(a, a1, "2026-11-13T09:00:00Z", false, false, true)
	s.CaseRow(a, a2, "2026-11-13T09:00:00Z", true, false, false)
	s.CaseRow(a, a4, "2026-11-14T09:00:00Z", true, true, false)
	s.CaseRow(a, a4, "2026-11-01T09:00:00Z", true, true, false) // before the period

	w.RecA = s.ID(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at, finished_at) VALUES (?, ?, '/nonexistent/a.wav', 95000, ?, ?)`,
		callA3, a, Time("2026-11-12T11:00:10Z"), Time("2026-11-12T11:02:00Z"))

	// Brand B: one of everything, all of it invisible to A.
	b1 := s.Parcel(Parcel{Brand: b, Origin: "DE", Service: "premium", Region: "RU-MOW", Zone: "Europe/Moscow", COD: true,
		Posted: "2026-11-12T10:00:00Z", Delivered: "2026-11-20T10:00:00Z", Promised: "2026-11-13", Phase: "returning"})
	b2 := s.Parcel(Parcel{Brand: b, Origin: "DE", Service: "premium", Region: "RU-SPE", Zone: "Europe/Moscow",
		Posted: "2026-11-12T10:00:00Z", Delivered: "2026-11-14T10:00:00Z", Promised: "2026-11-13"})
	s.Contact(b, b1, "sms", "delivered", "mb1", "2026-11-12T11:00:00Z")
	s.Contact(b, b2, "sms", "delivered", "mb2", "2026-11-12T11:00:00Z")
	callB := s.Call(b, b1, "outbound", "answered", "reached", "2026-11-12T12:00:00Z", w.AgentB, true)
	s.Call(b, b2, "outbound", "answered", "reached", "2026-11-12T12:00:00Z", w.AgentB, true)
	w.LiveCallB = s.Call(b, b2, "outbound", "answered", "", "2026-11-16T11:50:00Z", w.AgentB, false)
	s.CaseRow(b, b1, "2026-11-13T09:00:00Z", false, false, true)
	w.RecB = s.ID(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at, finished_at) VALUES (?, ?, '/nonexistent/b.wav', 30000, ?, ?)`,
		callB, b, Time("2026-11-12T12:00:10Z"), Time("2026-11-12T12:01:00Z"))
	qa := s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A support', ?)`, a)
	s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('B support', ?)`, b)
	// A caller in brand A's queue for a minute (queued_at: in the queue, 00042).
	s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, queued_at, outcome) VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, '')`,
		a, qa, Time("2026-11-16T11:59:00Z"), Time("2026-11-16T11:59:01Z"), Time("2026-11-16T11:59:00Z"))
	return w
}
