package reports

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store/storetest"
)

// kpiEnv is reportstest's fixed dataset with the dashboard over it, on the fixture's clock.
type kpiEnv struct {
	dash   *Dashboard
	brandA int64
	world  *reportstest.World
}

func newKPIEnv(t *testing.T) *kpiEnv {
	t.Helper()
	w, _ := reportstest.Open(t)
	dash := NewDashboard(w.DB, cases.NewCaseService(w.DB, storetest.Logger(t), "http://127.0.0.1:8080"))
	dash.SetClock(func() time.Time { return reportstest.Now })
	return &kpiEnv{dash: dash, brandA: w.BrandA, world: w}
}

var dashPeriod = KPIQuery{From: reportstest.Time("2026-11-10T00:00:00Z"), To: reportstest.Time("2026-11-17T00:00:00Z")}

func dashNear(a, b float64) bool { return math.Abs(a-b) < 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }

func TestDashboardKPIs(t *testing.T) {
	e := newKPIEnv(t)
	q := dashPeriod
	q.Scope = access.Brands(e.brandA)
	rep, err := e.dash.KPIs(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	byRegion := map[string]RegionKPI{}
	for _, r := range rep.Regions {
		byRegion[r.Region] = r
	}
	type want struct {
		parcels, contacted, attempts, reached, reachedParcels, toReach, smsSent, smsDelivered, cod, codReturned, delivered, onTime int
		contactRate, answerRate, avgAttempts, smsRate, codRate, onTimeShare                                                        float64
	}
	nan := math.NaN()
	for name, w := range map[string]want{
		// 4 parcels posted in the period; A4 had only a planned call and a suppressed SMS.
		"total": {4, 3, 7, 3, 3, 5, 3, 1, 2, 1, 3, 1, 0.75, 3.0 / 7, 5.0 / 3, 1.0 / 3, 0.5, 1.0 / 3},
		// A5 (posted before the period) counts by its calls: reached on its 2nd attempt.
		"RU-MOW": {2, 2, 6, 2, 2, 4, 3, 1, 1, 0, 2, 1, 1, 2.0 / 6, 2, 1.0 / 3, 0, 0.5},
		"RU-NVS": {2, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0.5, 1, 1, nan, 1, 0},
	} {
		r := rep.Total
		if name != "total" {
			var ok bool
			if r, ok = byRegion[name]; !ok {
				t.Fatalf("no row for region %s: %+v", name, rep.Regions)
			}
		}
		got := want{r.Parcels, r.Contacted, r.CallAttempts, r.CallsReached, r.ReachedParcels, r.AttemptsToReach, r.SMSSent, r.SMSDelivered,
			r.COD, r.CODReturned, r.Delivered, r.OnTime, r.ContactRate, r.AnswerRate, r.AvgAttempts, r.SMSRate, r.CODReturnRate, r.OnTimeP}
		counts := [12]int{got.parcels, got.contacted, got.attempts, got.reached, got.reachedParcels, got.toReach, got.smsSent, got.smsDelivered, got.cod, got.codReturned, got.delivered, got.onTime}
		wantCounts := [12]int{w.parcels, w.contacted, w.attempts, w.reached, w.reachedParcels, w.toReach, w.smsSent, w.smsDelivered, w.cod, w.codReturned, w.delivered, w.onTime}
		if counts != wantCounts {
			t.Errorf("%s counts: got %v, want %v (parcels, contacted, attempts, reached, reached parcels, attempts to reach, SMS sent, delivered, COD, COD returned, delivered, on time)", name, counts, wantCounts)
		}
		rates := [6]float64{got.contactRate, got.answerRate, got.avgAttempts, got.smsRate, got.codRate, got.onTimeShare}
		wantRates := [6]float64{w.contactRate, w.answerRate, w.avgAttempts, w.smsRate, w.codRate, w.onTimeShare}
		for i := range rates {
			if !dashNear(rates[i], wantRates[i]) {
				t.Errorf("%s rate %d (contact, answer, attempts, SMS, COD, on time): got %v, want %v", name, i, rates[i], wantRates[i])
			}
		}
	}
	if len(rep.Regions) != 2 {
		t.Errorf("brand B's regions leak into A's report: %+v", rep.Regions)
	}

	// Transit per lane, judged in the recipient's zone: A2 reached Moscow after midnight.
	if len(rep.Lanes) != 2 {
		t.Fatalf("lanes: %+v", rep.Lanes)
	}
	gb, cn := rep.Lanes[0], rep.Lanes[1]
	if gb.Origin != "GB" || gb.Service != "standard" || gb.Delivered != 2 || gb.OnTime != 1 || gb.Late != 1 || !dashNear(gb.OnTimeShare, 0.5) ||
		!dashNear(gb.MedianDaysLate, 1) || !dashNear(gb.MedianTransitDays, 3) {
		t.Errorf("GB→RU standard: %+v", gb)
	}
	if cn.Origin != "CN" || cn.Service != "economy" || cn.Delivered != 1 || cn.OnTime != 0 || !dashNear(cn.MedianDaysLate, 3) || !dashNear(cn.MedianTransitDays, 4) {
		t.Errorf("CN→RU economy: %+v", cn)
	}

	// Cases opened in the period: one with no breach of three.
	if s := rep.SLA; s.Cases != 3 || s.Compliant != 1 || s.FirstResponseBreached != 2 || s.ResolutionBreached != 1 || s.Resolved != 1 || !dashNear(s.Compliance, 1.0/3) {
		t.Errorf("case SLA: %+v", s)
	}
	if s := rep.SLA.Live; s == nil || s.Open != 3 {
		t.Errorf("live SLA summary for A: want 3 open cases, got %+v", s)
	}

	// The daily series covers every day of the period.
	if len(rep.Days) != 7 || rep.Days[0].Day != "2026-11-10" || rep.Days[6].Day != "2026-11-16" {
		t.Fatalf("days: %+v", rep.Days)
	}
	d12, d13, d14 := rep.Days[2], rep.Days[3], rep.Days[4]
	if d12.Parcels != 4 || d12.Contacted != 3 || d12.CallAttempts != 3 || d12.CallsReached != 2 || d13.CallAttempts != 3 || d13.CallsReached != 1 ||
		d14.CallAttempts != 1 || d14.CallsReached != 0 || rep.Days[0].Parcels != 0 {
		t.Errorf("daily series: %+v", rep.Days)
	}

	// A country filter: nothing goes to Kazakhstan.
	q.Country = "KZ"
	if rep, err := e.dash.KPIs(context.Background(), q); err != nil || rep.Total.Parcels != 0 || rep.SLA.Cases != 0 {
		t.Errorf("country KZ: %+v %v", rep.Total, err)
	}
}
