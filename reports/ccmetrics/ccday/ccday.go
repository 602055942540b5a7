// Package ccday writes a scripted day of the contact center straight into the tables the
// metrics read (calls, call_legs, agent_states and so agent_state_log, call_transfers,
// callback_requests, inbound_messages, cases), for the metrics' tests and the wallboard's: two
// brands, and every figure of brand A's day known by hand (the constants below).
package ccday

import (
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store"
)

// The day is 2026-12-01 (UTC); Now is a week later, when first contacts before 10:00 of the
// day have closed their 7-day window and later ones have not.
var (
	From = reportstest.Time("2026-12-01T00:00:00Z")
	To   = reportstest.Time("2026-12-02T00:00:00Z")
	Now  = reportstest.Time("2026-12-08T10:00:00Z")
)

// Brand A's hotline calls, one every 10 minutes from 09:00 in queue "A support": calls 0-8 are
// answered after Waits seconds (queue entry to the agent's answer), 0-4 by Anna and 5-8 by
// Boris; call 9 is abandoned after 30 s. Then one caller deflected by the self-service
// (10:40) and one after hours (10:50), and one who hung up in the self-service menu (10:55).
var Waits = []int{5, 10, 10, 15, 45, 20, 20, 12, 8}

// Menus are the seconds each of calls 0-9 spent in the self-service menu between wismo's
// answer and the queue (calls.queued_at, 00042); -1: an older call without queued_at, whose
// wait counts from wismo's answer. A wait measured from the answer would be 85 s for call 4
// and 45 s for call 6 (outside 20 s).
var Menus = []int{0, 0, 0, 0, 40, -1, 25, -1, -1, 20}

// Holds are the seconds the customer of calls 0-8 was on hold (calls.hold_ms): the call
// lasts TalkS of talk plus its hold.
var Holds = []int{0, 30, 0, 0, 0, 0, 15, 0, 0}

// What brand A's day adds up to, by hand.
const (
	Offered   = 10 // 9 answered + 1 abandoned; the deflected and the after-hours call are not offered
	Answered  = 9
	InSL20    = 8 // every wait but 45 s is within 20 s: SL 80%
	InSL10    = 4 // 5, 10, 10, 8 within 10 s: SL 40% with a 10 s target
	Abandoned = 1 // abandon rate 10%
	Deflected = 1 // deflection 1 / (1 + 10)
	WaitSum   = 145
	TalkS     = 120 // every answered call talks 2 minutes
	AnnaWrapS = 30  // Anna's wrap-up after each call
	BorisWrap = 60  // Boris's
	Transfers = 1   // call 1: Anna completed a transfer; call 2's was cancelled
	HoldS     = 45  // calls 1 (Anna, 30 s) and 6 (Boris, 15 s)
	AnnaHoldS = 30
	Hotline   = 13           // 10 queued, the deflected, the after-hours and the menu hang-up calls
	StaffedS  = 2 * 3 * 3600 // both agents available or on calls 09:00-12:00, then paused
)

// Day is the scripted day's ids.
type Day struct {
	DB                    *store.DB
	BrandA, BrandB        int64
	QueueA, QueueB        int64
	Anna, Boris, Zed      int64
	Calls                 []int64 // brand A's hotline calls 0-9
	DeflectedID, ClosedID int64
	MenuHangupID          int64 // hung up in the self-service menu: never queued, not offered
	CallsB                []int64
	Parcels               []string // P1..P5 of brand A
}

// Seed writes the day into db for brands a and b (made by the caller with acc).
func Seed(t testing.TB, db *store.DB, acc *access.Service, a, b int64) *Day {
	t.Helper()
	s := &reportstest.Seed{T: t, DB: db}
	d := &Day{DB: db, BrandA: a, BrandB: b}
	at := func(hm string) time.Time { return reportstest.Time("2026-12-01T" + hm + ":00Z") }
	d.QueueA = s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A support', ?)`, a)
	d.QueueB = s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('B support', ?)`, b)
	d.Anna = s.Agent(acc, "anna@a.example", "available", "2026-12-01T09:00:00Z", a)
	d.Boris = s.Agent(acc, "boris@a.example", "available", "2026-12-01T09:00:00Z", a)
	d.Zed = s.Agent(acc, "zed@b.example", "available", "2026-12-01T09:00:00Z", b)
	state := func(agent int64, st string, when time.Time) {
		s.Exec(`UPDATE agent_states SET state = ?, since = ? WHERE user_id = ?`, st, when, agent)
	}
	for i := 0; i < 6; i++ {
		d.Parcels = append(d.Parcels, s.Parcel(reportstest.Parcel{Brand: a, Origin: "GB", Service: "standard", Region: "RU-MOW", Zone: "Europe/Moscow",
			Posted: "2026-11-28T10:00:00Z", Promised: "2026-12-05"}))
	}
	parcelOf := map[int]string{0: d.Parcels[0], 1: d.Parcels[1], 2: d.Parcels[2], 3: d.Parcels[3], 7: d.Parcels[4]}

	// answered writes a hotline call picked up 2 s after it began, queued after menu seconds
	// in the self-service (-1: queued_at NULL, as older calls), answered by agent after wait
	// seconds in the queue, talking TalkS and holding hold seconds, then wrapping up for wrap
	// seconds.
	answered := func(brand, queue, agent int64, parcel string, start time.Time, menu, wait, hold, wrap int) int64 {
		picked := start.Add(2 * time.Second)
		var queued *time.Time
		if menu >= 0 {
			q := picked.Add(time.Duration(menu) * time.Second)
			queued = &q
		}
		ans := picked.Add(time.Duration(max(menu, 0)+wait) * time.Second)
		end := ans.Add(time.Duration(TalkS+hold) * time.Second)
		id := s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, agent_id, parcel_id, started_at, answered_at, queued_at, ended_at, hold_ms,
			outcome, hangup_side, disposition) VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'answered', 'customer', 'reached')`,
			brand, queue, agent, parcel, start, picked, queued, end, hold*1000)
		s.Exec(`INSERT INTO call_legs (call_id, kind, started_at, answered_at, ended_at, outcome) VALUES (?, 'customer', ?, ?, ?, 'answered')`, id, start, picked, end)
		s.Exec(`INSERT INTO call_legs (call_id, kind, agent_id, started_at, answered_at, ended_at, outcome) VALUES (?, 'agent', ?, ?, ?, ?, 'answered')`,
			id, agent, ans.Add(-3*time.Second), ans, end)
		state(agent, "ringing", ans.Add(-3*time.Second))
		state(agent, "on_call", ans)
		state(agent, "wrap_up", end)
		state(agent, "available", end.Add(time.Duration(wrap)*time.Second))
		return id
	}
	for i, w := range Waits {
		agent, wrap := d.Anna, AnnaWrapS
		if i >= 5 {
			agent, wrap = d.Boris, BorisWrap
		}
		d.Calls = append(d.Calls, answered(a, d.QueueA, agent, parcelOf[i], at("09:00").Add(time.Duration(i)*10*time.Minute), Menus[i], w, Holds[i], wrap))
	}
	// Call 9: the caller hangs up after Menus[9] s in the menu and 30 s in the queue.
	st := at("10:30")
	q9 := st.Add(time.Duration(2+Menus[9]) * time.Second)
	d.Calls = append(d.Calls, s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, queued_at, ended_at, outcome, hangup_side)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, ?, 'abandoned', 'customer')`, a, d.QueueA, st, st.Add(2*time.Second), q9, q9.Add(30*time.Second)))
	st = at("10:40")
	d.DeflectedID = s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, ended_at, outcome, hangup_side, ivr_answer)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, 'abandoned', 'customer', 'status')`, a, d.QueueA, st, st.Add(2*time.Second), st.Add(50*time.Second))
	st = at("10:50")
	d.ClosedID = s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, ended_at, outcome, hangup_side)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, 'abandoned', 'system')`, a, d.QueueA, st, st.Add(2*time.Second), st.Add(20*time.Second))
	s.Exec(`INSERT INTO callback_requests (call_id, brand_id, phone, reason, requested_at) VALUES (?, ?, '+79131234567', 'after_hours', ?)`, d.ClosedID, a, st)
	// 10:55: the caller hangs up in the self-service menu (call control logs it answered, as
	// the self-service's end) before the queue: no queued_at, no agent.
	st = at("10:55")
	d.MenuHangupID = s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, ended_at, outcome, hangup_side)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, 'answered', 'customer')`, a, d.QueueA, st, st.Add(2*time.Second), st.Add(25*time.Second))
	state(d.Anna, "paused", at("12:00"))
	state(d.Boris, "paused", at("12:00"))
	state(d.Anna, "offline", at("13:00"))
	state(d.Boris, "offline", at("13:00"))

	// Transfers: Anna completed one on call 1; call 2's was cancelled.
	s.Exec(`INSERT INTO call_transfers (brand_id, call_id, kind, from_agent_id, to_agent_id, outcome, started_at, ended_at) VALUES (?, ?, 'blind', ?, ?, 'completed', ?, ?)`,
		a, d.Calls[1], d.Anna, d.Boris, at("09:11"), at("09:11"))
	s.Exec(`INSERT INTO call_transfers (brand_id, call_id, kind, from_agent_id, to_agent_id, outcome, started_at, ended_at) VALUES (?, ?, 'attended', ?, ?, 'cancelled', ?, ?)`,
		a, d.Calls[2], d.Anna, d.Boris, at("09:21"), at("09:22"))

	// Repeat contacts: P1 writes an SMS three days later (call 0 not resolved); P3 calls again
	// after eight days (outside the window: call 2 resolved); P4's case gets the customer's
	// message two days later (call 3 not resolved); P2 never comes back (call 1 resolved);
	// call 7 (P5, 10:10) is still inside its window at Now.
	s.Exec(`INSERT INTO inbound_messages (brand_id, channel, sender, recipient, parcel_id, outcome, created_at) VALUES (?, 'sms', '+79131234567', '4242', ?, 'case', ?)`,
		a, d.Parcels[0], reportstest.Time("2026-12-04T09:00:00Z"))
	s.Exec(`INSERT INTO calls (direction, mode, brand_id, parcel_id, started_at, outcome) VALUES ('inbound', 'hotline', ?, ?, ?, 'no_answer')`,
		a, d.Parcels[2], reportstest.Time("2026-12-09T09:00:00Z"))
	caseID := s.ID(`INSERT INTO cases (brand_id, number, seq, parcel_id, type, priority, status, source, destination_country, created_at, updated_at)
		VALUES (?, 'A-1', 1, ?, 'non_receipt', 'normal', 'open', 'phone', 'RU', ?, ?)`, a, d.Parcels[5], at("09:40"), at("09:40"))
	s.Exec(`INSERT INTO case_parcels (case_id, parcel_id) VALUES (?, ?)`, caseID, d.Parcels[3])
	s.Exec(`INSERT INTO case_log (case_id, at, kind, summary) VALUES (?, ?, 'message_in', 'where is it')`, caseID, reportstest.Time("2026-12-03T09:00:00Z"))
	// A note on the same case is no customer's contact.
	s.Exec(`INSERT INTO case_log (case_id, at, kind, summary) VALUES (?, ?, 'note', 'called the post')`, caseID, reportstest.Time("2026-12-02T09:00:00Z"))

	// Brand B: one answered after 100 s, one abandoned; none of it may show for brand A.
	d.CallsB = append(d.CallsB, answered(b, d.QueueB, d.Zed, "", at("09:05"), 0, 100, 0, 10))
	st = at("09:30")
	d.CallsB = append(d.CallsB, s.ID(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, ended_at, outcome, hangup_side)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, 'abandoned', 'customer')`, b, d.QueueB, st, st.Add(2*time.Second), st.Add(9*time.Second)))
	return d
}

// Open writes the day into db with brands A and B (reportstest.TwoBrands).
func Open(t testing.TB, db *store.DB) (*Day, *access.Service, reportstest.Brands) {
	t.Helper()
	acc, b := reportstest.TwoBrands(t, db)
	return Seed(t, db, acc, b.A.ID, b.B.ID), acc, b
}
