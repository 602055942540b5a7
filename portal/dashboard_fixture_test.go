package portal

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// dashSeed writes the dashboard's source rows straight into the tables (parcels, contacts,
// calls, cases, agents, recordings): the KPIs are a read model over them, and the fixed
// dataset makes every rate exact.
type dashSeed struct {
	t   testing.TB
	db  *store.DB
	seq int
}

func (s *dashSeed) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.db.SQL.ExecContext(context.Background(), s.db.Rebind(q), args...); err != nil {
		s.t.Fatalf("%v\n%s", err, q)
	}
}

func (s *dashSeed) id(q string, args ...any) int64 {
	s.t.Helper()
	var id int64
	if err := s.db.SQL.QueryRowContext(context.Background(), s.db.Rebind(q+" RETURNING id"), args...).Scan(&id); err != nil {
		s.t.Fatalf("%v\n%s", err, q)
	}
	return id
}

func dts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func dtsp(s string) any {
	if s == "" {
		return nil
	}
	return dts(s)
}

// dashParcel is a parcel of the fixture.
type dashParcel struct {
	brand                         int64
	origin, service, region, zone string
	cod                           bool
	posted, delivered, promised   string
	phase                         string
}

// parcel inserts a parcel to RU and returns its S10 id.
func (s *dashSeed) parcel(p dashParcel) string {
	s.t.Helper()
	s.seq++
	id := tracking.MakeS10("RB", 10000000+s.seq, "GB")
	var cod any
	if p.cod {
		cod = 120000
	}
	if p.phase == "" {
		p.phase = "in_transit"
		if p.delivered != "" {
			p.phase = "delivered"
		}
	}
	created := dts("2026-11-01T00:00:00Z")
	s.exec(`INSERT INTO parcels (id, brand_id, origin_country, destination_country, service_level, kind, weight_g, cod_minor, cod_currency,
		recipient_name, recipient_phone, recipient_region, time_zone, time_zone_rule, promised_date, phase, posted_at, delivered_at,
		fingerprint, created_at, updated_at)
		VALUES (?, ?, ?, 'RU', ?, 'packet', 400, ?, 'RUB', 'Иван Петров', '+79131234567', ?, ?, 'region', ?, ?, ?, ?, 'x', ?, ?)`,
		id, p.brand, p.origin, p.service, cod, p.region, p.zone, p.promised, p.phase, dtsp(p.posted), dtsp(p.delivered), created, created)
	return id
}

// contact inserts a contact attempt (channel sms/email/call) in status with a provider id.
func (s *dashSeed) contact(brand int64, parcel, channel, status, providerID, at string) {
	s.t.Helper()
	s.exec(`INSERT INTO contacts (brand_id, parcel_id, channel, status, recipient, time_zone, provider_id, not_before, due_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, '+79131234567', 'Europe/Moscow', ?, ?, ?, ?, ?)`, brand, parcel, channel, status, providerID, dts(at), dts(at), dts(at), dts(at))
}

// call inserts a finished call (or one in progress when ended is false).
func (s *dashSeed) call(brand int64, parcel, direction, outcome, disposition, at string, agent int64, ended bool) int64 {
	s.t.Helper()
	var answered, endedAt any
	if outcome == "answered" {
		answered = dts(at).Add(10 * time.Second)
	}
	if ended {
		endedAt = dts(at).Add(2 * time.Minute)
	}
	var ag any
	if agent != 0 {
		ag = agent
	}
	return s.id(`INSERT INTO calls (direction, mode, brand_id, parcel_id, agent_id, started_at, answered_at, ended_at, outcome, disposition)
		VALUES (?, 'progressive', ?, ?, ?, ?, ?, ?, ?, ?)`, direction, brand, parcel, ag, dts(at), answered, endedAt, outcome, disposition)
}

// caseRow inserts a case opened at at, with its breached clocks.
func (s *dashSeed) caseRow(brand int64, parcel, at string, frBreached, resBreached, resolved bool) {
	s.t.Helper()
	s.seq++
	opt := func(b bool) any {
		if b {
			return dts(at).Add(48 * time.Hour)
		}
		return nil
	}
	status := "open"
	if resolved {
		status = "resolved"
	}
	s.exec(`INSERT INTO cases (brand_id, number, seq, parcel_id, type, priority, status, source, destination_country, created_at, updated_at,
		resolved_at, first_response_breached_at, resolution_breached_at)
		VALUES (?, ?, ?, ?, 'non_receipt', 'normal', ?, 'phone', 'RU', ?, ?, ?, ?, ?)`,
		brand, "T-"+itoa(s.seq), s.seq, parcel, status, dts(at), dts(at), opt(resolved), opt(frBreached), opt(resBreached))
}

// agent creates an agent user of brands in state.
func (s *dashSeed) agent(acc *access.Service, email, state, since string, brands ...int64) int64 {
	s.t.Helper()
	u, err := acc.CreateUser(context.Background(), email, "correct horse battery", access.RoleAgent, brands)
	if err != nil {
		s.t.Fatal(err)
	}
	s.exec(`INSERT INTO agent_states (user_id, state, since) VALUES (?, ?, ?)`, u.ID, state, dts(since))
	return u.ID
}

// dashWorld is the fixed dataset of the KPI tests: brand A's story and brand B's, which A's
// supervisor must never see.
type dashWorld struct {
	db             *store.DB
	brandA, brandB int64
	agentA, agentB int64
	recA, recB     int64
	liveCallB      int64
}

// now of the fixture; the period is 2026-11-10 .. 2026-11-16.
var dashNow = dts("2026-11-16T12:00:00Z")

func seedDashWorld(t testing.TB, db *store.DB, acc *access.Service, brandA, brandB int64) *dashWorld {
	s := &dashSeed{t: t, db: db}
	w := &dashWorld{db: db, brandA: brandA, brandB: brandB}
	a, b := brandA, brandB

	// Brand A. Moscow is UTC+3, Novosibirsk UTC+7.
	a1 := s.parcel(dashParcel{brand: a, origin: "GB", service: "standard", region: "RU-MOW", zone: "Europe/Moscow", cod: true,
		posted: "2026-11-12T10:00:00Z", delivered: "2026-11-14T20:00:00Z", promised: "2026-11-14"}) // 23:00 local on the 14th: on time
	a2 := s.parcel(dashParcel{brand: a, origin: "GB", service: "standard", region: "RU-MOW", zone: "Europe/Moscow",
		posted: "2026-11-12T10:00:00Z", delivered: "2026-11-15T22:00:00Z", promised: "2026-11-15"}) // 01:00 local on the 16th: 1 day late
	a3 := s.parcel(dashParcel{brand: a, origin: "GB", service: "standard", region: "RU-NVS", zone: "Asia/Novosibirsk", cod: true,
		posted: "2026-11-12T10:00:00Z", phase: "returned", promised: "2026-11-15"})
	a4 := s.parcel(dashParcel{brand: a, origin: "CN", service: "economy", region: "RU-NVS", zone: "Asia/Novosibirsk",
		posted: "2026-11-12T10:00:00Z", delivered: "2026-11-16T03:00:00Z", promised: "2026-11-13"}) // 10:00 local on the 16th: 3 days late
	a5 := s.parcel(dashParcel{brand: a, origin: "GB", service: "standard", region: "RU-MOW", zone: "Europe/Moscow",
		posted: "2026-11-01T10:00:00Z", promised: "2026-11-20"}) // posted before the period
	s.parcel(dashParcel{brand: a, origin: "GB", service: "standard", region: "RU-MOW", zone: "Europe/Moscow",
		posted: "2026-11-17T10:00:00Z", promised: "2026-11-20"}) // after it

	s.contact(a, a1, "sms", "delivered", "m1", "2026-11-12T11:00:00Z")
	s.contact(a, a1, "call", "done", "", "2026-11-12T11:30:00Z")
	s.contact(a, a2, "sms", "sent", "m2", "2026-11-12T11:00:00Z")
	s.contact(a, a2, "sms", "failed", "m3", "2026-11-13T11:00:00Z") // undeliverable receipt: sent, not delivered
	s.contact(a, a3, "sms", "failed", "", "2026-11-12T11:00:00Z")   // refused before it went out: not sent
	s.contact(a, a3, "call", "done", "", "2026-11-12T11:00:00Z")
	s.contact(a, a4, "sms", "suppressed", "", "2026-11-12T11:00:00Z") // never attempted
	s.contact(a, a4, "call", "planned", "", "2026-11-12T11:00:00Z")

	w.agentA = s.agent(acc, "anna@a.example", "on_call", "2026-11-16T11:58:00Z", a)
	s.agent(acc, "boris@a.example", "available", "2026-11-16T11:00:00Z", a)
	w.agentB = s.agent(acc, "zed@b.example", "paused", "2026-11-16T11:30:00Z", b)

	s.call(a, a1, "outbound", "no_answer", "", "2026-11-12T12:00:00Z", 0, true)
	s.call(a, a1, "outbound", "answered", "reached", "2026-11-12T15:00:00Z", w.agentA, true)
	s.call(a, a2, "outbound", "no_answer", "", "2026-11-13T10:00:00Z", 0, true)
	s.call(a, a2, "outbound", "busy", "", "2026-11-13T14:00:00Z", 0, true)
	s.call(a, a2, "outbound", "answered", "voicemail", "2026-11-14T10:00:00Z", w.agentA, true)
	callA3 := s.call(a, a3, "outbound", "answered", "callback_requested", "2026-11-12T11:00:00Z", w.agentA, true)
	s.call(a, a5, "outbound", "no_answer", "", "2026-11-09T10:00:00Z", 0, true) // before the period, but an attempt to reach
	s.call(a, a5, "outbound", "answered", "reached", "2026-11-13T09:00:00Z", w.agentA, true)
	s.call(a, a4, "inbound", "answered", "reached", "2026-11-14T09:00:00Z", w.agentA, true) // inbound: not an attempt
	s.call(a, a1, "outbound", "answered", "", "2026-11-16T11:59:00Z", w.agentA, false)      // in progress now

	s.caseRow(a, a1, "2026-11-13T09:00:00Z", false, false, true)
	s.caseRow(a, a2, "2026-11-13T09:00:00Z", true, false, false)
	s.caseRow(a, a4, "2026-11-14T09:00:00Z", true, true, false)
	s.caseRow(a, a4, "2026-11-01T09:00:00Z", true, true, false) // before the period

	w.recA = s.id(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at, finished_at) VALUES (?, ?, '/nonexistent/a.wav', 95000, ?, ?)`,
		callA3, a, dts("2026-11-12T11:00:10Z"), dts("2026-11-12T11:02:00Z"))

	// Brand B: one of everything, all of it invisible to A.
	b1 := s.parcel(dashParcel{brand: b, origin: "DE", service: "premium", region: "RU-MOW", zone: "Europe/Moscow", cod: true,
		posted: "2026-11-12T10:00:00Z", delivered: "2026-11-20T10:00:00Z", promised: "2026-11-13", phase: "returning"})
	b2 := s.parcel(dashParcel{brand: b, origin: "DE", service: "premium", region: "RU-SPE", zone: "Europe/Moscow",
		posted: "2026-11-12T10:00:00Z", delivered: "2026-11-14T10:00:00Z", promised: "2026-11-13"})
	s.contact(b, b1, "sms", "delivered", "mb1", "2026-11-12T11:00:00Z")
	s.contact(b, b2, "sms", "delivered", "mb2", "2026-11-12T11:00:00Z")
	callB := s.call(b, b1, "outbound", "answered", "reached", "2026-11-12T12:00:00Z", w.agentB, true)
	s.call(b, b2, "outbound", "answered", "reached", "2026-11-12T12:00:00Z", w.agentB, true)
	w.liveCallB = s.call(b, b2, "outbound", "answered", "", "2026-11-16T11:50:00Z", w.agentB, false)
	s.caseRow(b, b1, "2026-11-13T09:00:00Z", false, false, true)
	w.recB = s.id(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at, finished_at) VALUES (?, ?, '/nonexistent/b.wav', 30000, ?, ?)`,
		callB, b, dts("2026-11-12T12:00:10Z"), dts("2026-11-12T12:01:00Z"))
	qa := s.id(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A support', ?)`, a)
	s.id(`INSERT INTO hotline_queues (name, brand_id) VALUES ('B support', ?)`, b)
	s.id(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, outcome) VALUES ('inbound', 'hotline', ?, ?, ?, ?, '')`,
		a, qa, dts("2026-11-16T11:59:00Z"), dts("2026-11-16T11:59:01Z"))
	return w
}
