package deliverydays_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const item = "RB123456785GB" // to Novosibirsk (UTC+7)

// world is a parcel of brand A after a failed attempt on Thursday 19 November 2026; the clock
// reads Friday 20 November, 12:00 UTC (19:00 in Novosibirsk).
func world(t *testing.T, phase ...string) (*casestest.Env, *deliverydays.Service) {
	t.Helper()
	e := casestest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(item))
	codes := []string{"EMA", "EMC", "EMD", "EMG", "EDG", "EMH"}
	if len(phase) > 0 {
		codes = phase
	}
	at := time.Date(2026, 11, 12, 6, 0, 0, 0, time.UTC)
	for _, c := range codes {
		ev := trackingtest.Event(item, c, at.Format(time.RFC3339))
		if c == "EMH" {
			ev.Reason, ev.Action = "ABSENT", "REDELIVERY"
		}
		if res := e.Events(e.ScopeA(), ev); res[0].Status != tracking.StatusAccepted {
			t.Fatalf("event %s: %+v", c, res[0])
		}
		at = at.Add(24 * time.Hour)
	}
	s := deliverydays.New(e.DB, e.Cases, deliverydays.WithClock(func() time.Time { return e.Now }))
	e.Cases.AddTimelineSource(s)
	return e, s
}

func dates(days []deliverydays.Day) string {
	var out []string
	for _, d := range days {
		s := d.Date
		if d.Planned {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestDaysAreTheNextWorkingDaysInTheRecipientsCalendar: from Monday (Friday evening in
// Novosibirsk), weekends skipped, seven days, the first planned.
func TestDaysAreTheNextWorkingDaysInTheRecipientsCalendar(t *testing.T) {
	e, s := world(t)
	days, err := s.Days(context.Background(), e.BrandA, item)
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-11-23* 2026-11-24 2026-11-25 2026-11-26 2026-11-27 2026-11-30 2026-12-01"
	if got := dates(days); got != want {
		t.Fatalf("days %s, want %s", got, want)
	}
	if days[0].Weekday != time.Monday {
		t.Errorf("weekday of %s: %s", days[0].Date, days[0].Weekday)
	}
	// At 18:00 UTC on Sunday it is Monday 01:00 in Novosibirsk: Monday is today, not offered.
	e.Now = time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	days, _ = s.Days(context.Background(), e.BrandA, item)
	if !strings.HasPrefix(dates(days), "2026-11-24* ") {
		t.Errorf("on Monday morning in Novosibirsk the days are %s, want from Tuesday", dates(days))
	}
}

// TestDaysSkipTheBrandsHolidaysAndStopAtTheStorageDeadline.
func TestDaysSkipTheBrandsHolidaysAndStopAtTheStorageDeadline(t *testing.T) {
	e, _ := world(t)
	ctx := context.Background()
	cfg, err := e.Cases.SLAConfigOf(ctx, e.ScopeA(), e.BrandA)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Holidays = []string{"2026-11-24"}
	cfg.Hours["sat"] = [][2]string{{"10:00", "14:00"}}
	if _, err := e.Cases.SetSLAConfig(ctx, e.ScopeA(), e.BrandA, cfg); err != nil {
		t.Fatal(err)
	}
	// Arrived at the delivery office on 15 November: kept until 25 November with 10 days.
	s := deliverydays.New(e.DB, e.Cases, deliverydays.WithClock(func() time.Time { return e.Now }), deliverydays.WithStorageDays(10))
	days, err := s.Days(ctx, e.BrandA, item)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dates(days), "2026-11-21 2026-11-23* 2026-11-25"; got != want { // the promised day (23rd) stays planned
		t.Fatalf("days %s, want %s (Saturday open, the 24th a holiday, storage until the 25th)", got, want)
	}
}

// TestNoDaysOnceDeliveredOrReturningOrBeforeTheOffice.
func TestNoDaysOnceDeliveredOrReturningOrBeforeTheOffice(t *testing.T) {
	for name, codes := range map[string][]string{
		"delivered":  {"EMA", "EMC", "EMD", "EMG", "EMI"},
		"in transit": {"EMA", "EMC"},
		"cancelled":  {"EMA", "EMC", "EMD", "EDX"},
	} {
		t.Run(name, func(t *testing.T) {
			e, s := world(t, codes...)
			days, err := s.Days(context.Background(), e.BrandA, item)
			if err != nil || len(days) != 0 {
				t.Fatalf("days %v, %v; want none", days, err)
			}
			_, err = s.Choose(context.Background(), e.BrandA, item, "2026-11-23", "web", 0)
			var ve *input.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != "date" || !strings.Contains(ve.Fields[0].Message, "cannot be moved") {
				t.Fatalf("choose on a %s parcel: %v", name, err)
			}
			if _, err := s.Confirm(context.Background(), e.BrandA, item, "robocall", 0); !errors.Is(err, deliverydays.ErrNotMovable) {
				t.Fatalf("confirm on a %s parcel: %v", name, err)
			}
		})
	}
}

// TestChoosingAnotherDayOpensOneDeliveryChangeCase: the choice is recorded with its call, a
// delivery_change case opens, the same choice again is the same choice, and the timeline says
// it in the agents' words.
func TestChoosingAnotherDayOpensOneDeliveryChangeCase(t *testing.T) {
	e, s := world(t)
	ctx := context.Background()
	c, err := s.Choose(ctx, e.BrandA, item, "2026-11-25", "robocall", 42)
	if err != nil {
		t.Fatal(err)
	}
	if c.CaseID == 0 || c.Planned || c.Weekday != time.Wednesday || c.CallID != 42 || c.Via != "robocall" {
		t.Fatalf("choice %+v", c)
	}
	again, err := s.Choose(ctx, e.BrandA, item, "2026-11-25", "robocall", 42)
	if err != nil || again.ID != c.ID || again.CaseID != c.CaseID {
		t.Fatalf("the same choice again: %+v, %v (first %+v)", again, err, c)
	}
	if n := e.Count(`SELECT COUNT(*) FROM cases WHERE brand_id = ? AND type = 'delivery_change'`, e.BrandA); n != 1 {
		t.Fatalf("%d delivery_change cases, want 1", n)
	}
	v, err := e.Cases.Detail(ctx, e.ScopeA(), c.CaseNumber, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.Source != cases.SourceCall || v.Type != cases.TypeDeliveryChange {
		t.Errorf("case %s: type %s, source %s", v.Number, v.Type, v.Source)
	}
	found := false
	for _, en := range v.Timeline {
		if en.Kind == "choice" {
			found = true
			if want := "Customer chose delivery on Wed 25.11.2026 in an automated call (call 42)"; en.Summary != want {
				t.Errorf("timeline line %q, want %q", en.Summary, want)
			}
		}
	}
	if !found {
		t.Errorf("the case's timeline has no choice: %+v", v.Timeline)
	}
	// The choice is now the planned day.
	days, _ := s.Days(ctx, e.BrandA, item)
	if !strings.Contains(dates(days), "2026-11-25*") {
		t.Errorf("after the choice the days are %s, want the 25th planned", dates(days))
	}
	// Confirming it now opens nothing more.
	conf, err := s.Confirm(ctx, e.BrandA, item, "robocall", 43)
	if err != nil || conf.ID != c.ID {
		t.Fatalf("confirm after the choice: %+v, %v", conf, err)
	}
}

// TestConfirmingThePlannedDayOpensNoCase.
func TestConfirmingThePlannedDayOpensNoCase(t *testing.T) {
	e, s := world(t)
	c, err := s.Confirm(context.Background(), e.BrandA, item, "robocall", 7)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Planned || c.CaseID != 0 || c.Date != "2026-11-23" {
		t.Fatalf("confirmation %+v", c)
	}
	if n := e.Count(`SELECT COUNT(*) FROM cases`); n != 0 {
		t.Fatalf("%d cases after a confirmation", n)
	}
	l, err := s.Latest(context.Background(), e.BrandA, item)
	if err != nil || l == nil || l.ID != c.ID {
		t.Fatalf("latest %+v, %v", l, err)
	}
}

// TestChooseRefusesADayNotOffered names the field and lists the days.
func TestChooseRefusesADayNotOffered(t *testing.T) {
	e, s := world(t)
	for _, d := range []string{"2026-11-21", "2026-11-20", "23.11.2026", ""} {
		_, err := s.Choose(context.Background(), e.BrandA, item, d, "web", 0)
		var ve *input.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "date" {
			t.Fatalf("choose %q: %v", d, err)
		}
	}
	_, err := s.Choose(context.Background(), e.BrandA, item, "2026-11-24", "fax", 0)
	var ve *input.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "via" {
		t.Fatalf("via fax: %v", err)
	}
}

// TestAnotherBrandSeesNoParcel: brand B asking about brand A's parcel is not found, and
// writes nothing.
func TestAnotherBrandSeesNoParcel(t *testing.T) {
	e, s := world(t)
	ctx := context.Background()
	if _, err := s.Days(ctx, e.BrandB, item); !errors.Is(err, tracking.ErrNotFound) {
		t.Fatalf("days as brand B: %v", err)
	}
	if _, err := s.Choose(ctx, e.BrandB, item, "2026-11-24", "web", 0); !errors.Is(err, tracking.ErrNotFound) {
		t.Fatalf("choose as brand B: %v", err)
	}
	if n := e.Count(`SELECT COUNT(*) FROM parcel_choices`); n != 0 {
		t.Fatalf("%d choices written", n)
	}
	if _, err := s.TimelineFor(ctx, access.Brands(e.BrandB), []string{item}); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentIdenticalChoicesOpenOneCase.
func TestConcurrentIdenticalChoicesOpenOneCase(t *testing.T) {
	e, s := world(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Choose(context.Background(), e.BrandA, item, "2026-11-26", "web", 0)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.Count(`SELECT COUNT(*) FROM parcel_choices`); n != 1 {
		t.Errorf("%d choices, want 1", n)
	}
	if n := e.Count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}
