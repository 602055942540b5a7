package ccmetrics_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/reports/ccmetrics"
	"github.com/wismo/wismo/reports/ccmetrics/ccday"
	"github.com/wismo/wismo/store/storetest"
)

func open(t *testing.T) (*ccday.Day, *ccmetrics.Metrics) {
	t.Helper()
	day, _, _ := ccday.Open(t, storetest.Open(t))
	m := ccmetrics.New(day.DB)
	m.SetClock(func() time.Time { return ccday.Now })
	return day, m
}

func near(got ccmetrics.Rate, want float64) bool { return math.Abs(float64(got)-want) < 1e-9 }

// TestScriptedDay: brand A's day of the ccday fixture, every figure against the answer worked
// out by hand: 10 calls offered, 8 answered within 20 s (SL 80%), one abandoned (10%), ASA
// 145/9 s (waits from the queue entry: calls 4 and 6 spent 40 s and 25 s in the self-service
// menu first), one deflected, one who hung up in the menu (not offered, not timed out), handle
// time talk + hold (45 s on two calls) + wrap-up, occupancy, transfers, FCR 2 of 4.
func TestScriptedDay(t *testing.T) {
	day, m := open(t)
	ctx := context.Background()
	r, err := m.Report(ctx, ccmetrics.Query{Scope: access.Brands(day.BrandA), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupBrand})
	if err != nil {
		t.Fatal(err)
	}
	g := r.Total
	if g.Offered != ccday.Offered || g.Answered != ccday.Answered || g.InSL != ccday.InSL20 || g.Abandoned != ccday.Abandoned ||
		g.Deflected != ccday.Deflected || g.Closed != 1 || g.TimedOut != 0 || g.Hotline != ccday.Hotline {
		t.Fatalf("counts %+v, want offered 10, answered 9, 8 in SL, 1 abandoned, 1 deflected, 1 closed, none timed out of 13 hotline calls", g)
	}
	if g.SLSeconds != 20 || g.SLTarget != 0.8 || !near(g.ServiceLevel, 0.8) {
		t.Errorf("service level %v (target %d s %v), want 80%% against the default 80%% in 20 s", g.ServiceLevel, g.SLSeconds, g.SLTarget)
	}
	if !near(g.AbandonRate, 0.1) || !near(g.Deflection, 1.0/11) {
		t.Errorf("abandon rate %v, deflection %v; want 0.1 and 1/11", g.AbandonRate, g.Deflection)
	}
	if !near(g.ASA, ccday.WaitSum/9.0) || g.MaxWait != 45 {
		t.Errorf("ASA %v, longest answered wait %v; want 145/9 and 45", g.ASA, g.MaxWait)
	}
	if !slices.Equal(g.WaitDist, []int{4, 4, 0, 1, 0, 0}) {
		t.Errorf("wait distribution %v, want ≤10 s: 4, ≤20: 4, ≤60: 1", g.WaitDist)
	}
	wrap := 5*ccday.AnnaWrapS + 4*ccday.BorisWrap
	// Talk is the call's span less its hold: 120 s each, though calls 1 and 6 lasted longer.
	aht := float64(9*ccday.TalkS+ccday.HoldS+wrap) / 9
	if g.Handled != 9 || g.TalkS != 9*ccday.TalkS || g.HoldS != ccday.HoldS || g.WrapS != float64(wrap) || !near(g.AHT, aht) {
		t.Errorf("handled %d, talk %v, hold %v, wrap %v, AHT %v; want 9, 1080, 45, %d, %v", g.Handled, g.TalkS, g.HoldS, g.WrapS, g.AHT, wrap, aht)
	}
	if g.Transfers != ccday.Transfers || !near(g.TransferRate, 1.0/9) {
		t.Errorf("transfers %d (%v), want 1 completed (the cancelled one not counted)", g.Transfers, g.TransferRate)
	}
	if g.FCRResolved != 2 || g.FCRRepeat != 2 || g.FCRPending != 1 || !near(g.FCR, 0.5) {
		t.Errorf("FCR resolved %d, repeat %d, pending %d (%v); want 2, 2, 1 (50%%)", g.FCRResolved, g.FCRRepeat, g.FCRPending, g.FCR)
	}
	busy := 5*(ccday.TalkS+ccday.AnnaWrapS) + 4*(ccday.TalkS+ccday.BorisWrap) + ccday.HoldS // on hold is on the call
	if g.StaffedS != ccday.StaffedS || g.BusyS != float64(busy) || !near(g.Occupancy, float64(busy)/ccday.StaffedS) {
		t.Errorf("staffed %v, busy %v, occupancy %v; want %d, %d", g.StaffedS, g.BusyS, g.Occupancy, ccday.StaffedS, busy)
	}
	if len(r.Rows) != 1 || r.Rows[0].Label != "Brand A" || r.Rows[0].Offered != 10 {
		t.Errorf("brand rows %+v, want brand A only", r.Rows)
	}
	// Each call's wait from its queue entry (queued_at, else wismo's answer), in the drill-down;
	// the abandoned caller's is their 30 s in the queue, without their 20 s in the menu.
	q := ccmetrics.Query{Scope: access.Brands(day.BrandA), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupBrand}
	waits := map[int64]float64{}
	for _, fig := range []ccmetrics.Figure{ccmetrics.FigAnswered, ccmetrics.FigAbandoned} {
		calls, _, err := m.Calls(ctx, q, "", fig)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			waits[c.ID] = c.WaitS
		}
	}
	for i, w := range append(slices.Clone(ccday.Waits), 30) {
		if got := waits[day.Calls[i]]; got != float64(w) {
			t.Errorf("call %d waited %v s, want %d (menu %d s not counted)", i, got, w, ccday.Menus[i])
		}
	}
}

// TestGroups: per agent (Anna's 5 calls, her transfer and her time), per queue, per hour.
func TestGroups(t *testing.T) {
	day, m := open(t)
	ctx := context.Background()
	q := ccmetrics.Query{Scope: access.Brands(day.BrandA), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupAgent}
	r, err := m.Report(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]ccmetrics.Figures{}
	for _, g := range r.Rows {
		rows[g.Label] = g
	}
	anna, boris := rows["anna@a.example"], rows["boris@a.example"]
	if anna.Answered != 5 || anna.InSL != 4 || anna.Transfers != 1 || anna.Handled != 5 || anna.WrapS != 5*ccday.AnnaWrapS ||
		anna.BusyS != 5*(ccday.TalkS+ccday.AnnaWrapS)+ccday.AnnaHoldS || anna.StaffedS != 3*3600 ||
		anna.HoldS != ccday.AnnaHoldS || !near(anna.AHT, float64(5*(ccday.TalkS+ccday.AnnaWrapS)+ccday.AnnaHoldS)/5) {
		t.Errorf("Anna %+v", anna)
	}
	if boris.Answered != 4 || boris.InSL != 4 || boris.Transfers != 0 || !near(boris.ASA, 15) || boris.HoldS != ccday.HoldS-ccday.AnnaHoldS {
		t.Errorf("Boris %+v", boris)
	}
	// The abandoned and deflected calls have no agent: their row is agent 0.
	if none := rows[""]; none.Abandoned != 1 || none.Deflected != 1 || none.Answered != 0 {
		t.Errorf("calls without an agent %+v", none)
	}

	q.Group = ccmetrics.GroupQueue
	if r, err = m.Report(ctx, q); err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || r.Rows[0].Label != "A support" || r.Rows[0].Offered != 10 || r.Rows[0].Occupancy.Valid() {
		t.Errorf("queue rows %+v, want A support with 10 offered and no occupancy", r.Rows)
	}

	q.Group = ccmetrics.GroupHour
	if r, err = m.Report(ctx, q); err != nil {
		t.Fatal(err)
	}
	byHour := map[string]ccmetrics.Figures{}
	for _, g := range r.Rows {
		byHour[g.Label] = g
	}
	// 09:00-09:50: calls 0-5 (one answered after 45 s); 10:00-10:30: 6-9 (9 abandoned).
	if h := byHour["2026-12-01 09:00"]; h.Offered != 6 || h.InSL != 5 || h.StaffedS != 2*3600 {
		t.Errorf("09:00 %+v", h)
	}
	if h := byHour["2026-12-01 10:00"]; h.Offered != 4 || h.Abandoned != 1 || h.Deflected != 1 || !near(h.ServiceLevel, 0.75) {
		t.Errorf("10:00 %+v", h)
	}
	// Hours in the viewer's zone: Moscow is UTC+3.
	q.Loc, _ = time.LoadLocation("Europe/Moscow")
	if r, err = m.Report(ctx, q); err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].Label != "2026-12-01 12:00" {
		t.Errorf("first hour in Moscow %q", r.Rows[0].Label)
	}
}

// TestServiceLevelTargets: a queue's target overrides the brand's and the default; a wrong
// value is refused naming the field; another brand's queue is refused.
func TestServiceLevelTargets(t *testing.T) {
	day, m := open(t)
	ctx := context.Background()
	sa := access.Brands(day.BrandA)
	if err := m.SetTarget(ctx, sa, ccmetrics.Target{BrandID: day.BrandA, Seconds: 30, Target: 0.9}, "sup"); err != nil {
		t.Fatal(err)
	}
	if err := m.SetTarget(ctx, sa, ccmetrics.Target{BrandID: day.BrandA, QueueID: day.QueueA, Seconds: 10, Target: 0.7}, "sup"); err != nil {
		t.Fatal(err)
	}
	r, err := m.Report(ctx, ccmetrics.Query{Scope: sa, From: ccday.From, To: ccday.To, Group: ccmetrics.GroupQueue})
	if err != nil {
		t.Fatal(err)
	}
	if g := r.Total; g.InSL != ccday.InSL10 || !near(g.ServiceLevel, 0.4) || g.SLSeconds != 10 || g.SLTarget != 0.7 {
		t.Errorf("with the queue's 10 s target: %d in SL (%v, %d s %v), want 4 (40%%)", g.InSL, g.ServiceLevel, g.SLSeconds, g.SLTarget)
	}
	for _, c := range []struct {
		t     ccmetrics.Target
		field string
	}{
		{ccmetrics.Target{BrandID: day.BrandA, Seconds: 0, Target: 0.8}, "seconds"},
		{ccmetrics.Target{BrandID: day.BrandA, Seconds: 20, Target: 80}, "target"},
		{ccmetrics.Target{BrandID: day.BrandA, QueueID: day.QueueB, Seconds: 20, Target: 0.8}, "queue_id"},
	} {
		var ve *input.ValidationError
		if err := m.SetTarget(ctx, sa, c.t, "sup"); !errors.As(err, &ve) || ve.Fields[0].Field != c.field {
			t.Errorf("SetTarget(%+v) = %v, want a validation error naming %s", c.t, err, c.field)
		}
	}
	if err := m.SetTarget(ctx, sa, ccmetrics.Target{BrandID: day.BrandB, Seconds: 20, Target: 0.8}, "sup"); !errors.Is(err, access.ErrNotFound) {
		t.Errorf("brand B's target set by brand A: %v, want not found", err)
	}
	list, err := m.Targets(ctx, access.Brands(day.BrandB))
	if err != nil || len(list) != 0 {
		t.Errorf("brand B sees targets %+v %v, want none", list, err)
	}
}

// TestBrandIsolation: brand B's scope sees only its 2 calls; brand A's figures hold none of
// B's; a partner post's scope sees nothing.
func TestBrandIsolation(t *testing.T) {
	day, m := open(t)
	ctx := context.Background()
	r, err := m.Report(ctx, ccmetrics.Query{Scope: access.Brands(day.BrandB), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupAgent})
	if err != nil {
		t.Fatal(err)
	}
	if g := r.Total; g.Offered != 2 || g.Answered != 1 || g.Abandoned != 1 || !near(g.ASA, 100) || g.StaffedS == 0 {
		t.Errorf("brand B %+v, want its own 2 calls and Zed's time", g)
	}
	for _, row := range r.Rows {
		if row.Label == "anna@a.example" || row.Label == "boris@a.example" {
			t.Errorf("brand B sees brand A's agent %s", row.Label)
		}
	}
	calls, n, err := m.Calls(ctx, ccmetrics.Query{Scope: access.Brands(day.BrandA), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupBrand}, "", ccmetrics.FigOffered)
	if err != nil || n != 10 {
		t.Fatalf("brand A's offered calls: %d %v", n, err)
	}
	for _, c := range calls {
		if slices.Contains(day.CallsB, c.ID) {
			t.Errorf("brand A's drill-down lists brand B's call %d", c.ID)
		}
	}
	r, err = m.Report(ctx, ccmetrics.Query{Scope: access.PostScope(1, "GB"), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupBrand})
	if err != nil || r.Total.Hotline != 0 || len(r.Rows) != 0 {
		t.Errorf("a post's scope: %+v %v, want nothing", r.Total, err)
	}
}

// TestDrillDown: each figure's calls are exactly the calls it counted.
func TestDrillDown(t *testing.T) {
	day, m := open(t)
	ctx := context.Background()
	q := ccmetrics.Query{Scope: access.Brands(day.BrandA), From: ccday.From, To: ccday.To, Group: ccmetrics.GroupAgent}
	ids := func(key string, f ccmetrics.Figure) []int64 {
		t.Helper()
		calls, n, err := m.Calls(ctx, q, key, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, c := range calls {
			out = append(out, c.ID)
		}
		if n != len(out) {
			t.Errorf("%s: %d calls, %d listed", f, n, len(out))
		}
		return out
	}
	c := day.Calls
	for _, tc := range []struct {
		key  string
		fig  ccmetrics.Figure
		want []int64
	}{
		{"", ccmetrics.FigInSL, []int64{c[0], c[1], c[2], c[3], c[5], c[6], c[7], c[8]}},
		{"", ccmetrics.FigOutsideSL, []int64{c[4]}},
		{"", ccmetrics.FigAbandoned, []int64{c[9]}},
		{"", ccmetrics.FigDeflected, []int64{day.DeflectedID}},
		{"", ccmetrics.FigClosed, []int64{day.ClosedID}},
		{"", ccmetrics.FigTimedOut, []int64{}}, // the menu hang-up was never queued
		{"", ccmetrics.FigHotline, append(slices.Clone(c), day.DeflectedID, day.ClosedID, day.MenuHangupID)},
		{"", ccmetrics.FigTransfers, []int64{c[1]}},
		{"", ccmetrics.FigFCRRepeat, []int64{c[0], c[3]}},
		{"", ccmetrics.FigFCRResolv, []int64{c[1], c[2]}},
		{"", ccmetrics.FigFCRPend, []int64{c[7]}},
		{strconv.FormatInt(day.Anna, 10), ccmetrics.FigHandled, c[:5]},
		{strconv.FormatInt(day.Boris, 10), ccmetrics.FigAnswered, c[5:9]},
		{strconv.FormatInt(day.Boris, 10), ccmetrics.FigTransfers, []int64{}},
	} {
		if got := ids(tc.key, tc.fig); !slices.Equal(got, tc.want) {
			t.Errorf("%s of %q: calls %v, want %v", tc.fig, tc.key, got, tc.want)
		}
	}
	var ve *input.ValidationError
	if _, _, err := m.Calls(ctx, q, "", "everything"); !errors.As(err, &ve) || ve.Fields[0].Field != "figure" {
		t.Errorf("unknown figure: %v, want a validation error naming figure", err)
	}
}

// TestAgentStateLog: the trigger of migration 00037 keeps every change of agent_states, and
// an update that changes nothing adds no row.
func TestAgentStateLog(t *testing.T) {
	day, _ := open(t)
	ctx := context.Background()
	count := func() int {
		var n int
		if err := day.DB.SQL.QueryRowContext(ctx, day.DB.Rebind(`SELECT COUNT(*) FROM agent_state_log WHERE user_id = ?`), day.Anna).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Anna: available, 5 calls of 4 changes each, paused, offline.
	if n := count(); n != 1+5*4+2 {
		t.Errorf("Anna's state log has %d rows, want 23", n)
	}
	if _, err := day.DB.SQL.ExecContext(ctx, day.DB.Rebind(`UPDATE agent_states SET idle_since = since WHERE user_id = ?`), day.Anna); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 23 {
		t.Errorf("an update of idle_since alone logged a state: %d rows", n)
	}
}
