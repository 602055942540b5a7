package casepages_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// The agent sees the customer's choice of a delivery day on the case page's timeline, in
// their language: the day, how it was made and the call it was made in.
func TestCasePageShowsTheCustomersDeliveryDayChoice(t *testing.T) {
	e := newEnv(t, nil)
	const item = "RB123456785GB"
	e.Upsert(e.ScopeA(), trackingtest.Parcel(item))
	for i, c := range []string{"EMA", "EMC", "EMD", "EMG", "EDG", "EMH"} {
		ev := trackingtest.Event(item, c, time.Date(2026, 11, 13+i, 6, 0, 0, 0, time.UTC).Format(time.RFC3339))
		if c == "EMH" {
			ev.Reason, ev.Action = "ABSENT", "REDELIVERY"
		}
		if res := e.Events(e.ScopeA(), ev); res[0].Status != tracking.StatusAccepted {
			t.Fatalf("event %s: %+v", c, res[0])
		}
	}
	days := deliverydays.New(e.DB, e.Cases, deliverydays.WithClock(func() time.Time { return e.Now }))
	e.Cases.AddTimelineSource(days)
	offered, err := days.Days(context.Background(), e.BrandA, item)
	if err != nil || len(offered) < 3 || offered[2].Date != "2026-11-25" || offered[2].Planned {
		t.Fatalf("days %+v, %v", offered, err)
	}
	ch, err := days.Choose(context.Background(), e.BrandA, item, "2026-11-25", deliverydays.ViaRobocall, 17)
	if err != nil || ch.CaseNumber == "" {
		t.Fatalf("choice %+v, %v", ch, err)
	}
	for lang, want := range map[string][]string{
		"en": {"Delivery day", "Customer chose delivery on Wed 25.11.2026 in an automated call (call 17)"},
		"ru": {"День доставки", "Клиент выбрал доставку на ср 25.11.2026 в автоматическом звонке (звонок 17)"},
	} {
		_, page, _ := e.login("agent@a.example", lang).get("/cases/" + ch.CaseNumber)
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("the %s case page lacks %q", lang, w)
			}
		}
	}
}
