package ccmetrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/reports/ccmetrics"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// BenchmarkReport: a 30-day report per agent over 30,000 hotline calls of one brand (every
// third one with a parcel, 90% answered by one of 20 agents, the rest abandoned), and the
// wallboard's "today" over the last day of them.
//
//	go test -run '^$' -bench Report -benchtime 5x ./reports/ccmetrics
func BenchmarkReport(b *testing.B) {
	db := storetest.Open(b)
	acc, brands := reportstest.TwoBrands(b, db)
	s := &reportstest.Seed{T: b, DB: db}
	brand := brands.A.ID
	queue := s.ID(`INSERT INTO hotline_queues (name, brand_id) VALUES ('A support', ?)`, brand)
	var agents []int64
	for i := range 20 {
		agents = append(agents, s.Agent(acc, "agent"+string(rune('a'+i))+"@a.example", "available", "2026-11-01T00:00:00Z", brand))
	}
	start := reportstest.Time("2026-11-01T00:00:00Z")
	const calls = 30_000
	err := db.WriteTx(context.Background(), func(tx store.Tx) error {
		for i := range calls {
			at := start.Add(time.Duration(i) * (30 * 24 * time.Hour / calls))
			parcel := ""
			if i%3 == 0 {
				parcel = "RB" + string(rune('0'+i%10)) + "0000000GB"
			}
			if i%10 == 9 {
				if _, err := tx.ExecContext(context.Background(), db.Rebind(`INSERT INTO calls (direction, mode, brand_id, queue_id, parcel_id, started_at, answered_at, ended_at, outcome, hangup_side)
					VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, ?, 'abandoned', 'customer')`), brand, queue, parcel, at, at.Add(2*time.Second), at.Add(40*time.Second)); err != nil {
					return err
				}
				continue
			}
			agent := agents[i%len(agents)]
			ans, end := at.Add(time.Duration(5+i%40)*time.Second), at.Add(time.Duration(120+i%200)*time.Second)
			var id int64
			if err := tx.QueryRowContext(context.Background(), db.Rebind(`INSERT INTO calls (direction, mode, brand_id, queue_id, agent_id, parcel_id, started_at, answered_at, ended_at, outcome, hangup_side)
				VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?, ?, ?, 'answered', 'customer') RETURNING id`), brand, queue, agent, parcel, at, at.Add(2*time.Second), end).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(context.Background(), db.Rebind(`INSERT INTO call_legs (call_id, kind, agent_id, started_at, answered_at, ended_at, outcome) VALUES (?, 'agent', ?, ?, ?, ?, 'answered')`),
				id, agent, ans.Add(-3*time.Second), ans, end); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	m := ccmetrics.New(db)
	end := start.Add(30 * 24 * time.Hour)
	m.SetClock(func() time.Time { return end.Add(-time.Minute) }) // "today" is the last day: 1,000 calls
	q := ccmetrics.Query{Scope: access.Brands(brand), From: start, To: end, Group: ccmetrics.GroupAgent}
	b.Run("30days", func(b *testing.B) {
		for b.Loop() {
			r, err := m.Report(context.Background(), q)
			if err != nil || r.Total.Offered != calls {
				b.Fatalf("%d offered, want %d (%v)", r.Total.Offered, calls, err)
			}
		}
	})
	b.Run("today", func(b *testing.B) {
		for b.Loop() {
			if f, err := m.Today(context.Background(), access.Brands(brand), time.UTC); err != nil || f.Offered != calls/30 {
				b.Fatalf("today: %d offered, want %d (%v)", f.Offered, calls/30, err)
			}
		}
	})
}
