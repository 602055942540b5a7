package portal

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/eta"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestPromisePerDemoPhase: each phase of the demo's stories, over HTTP in both languages: the
// phase, the badge (the promise with its weekday and "on time" or "late" only while the parcel
// is on its way; delivered: the day and who signed; returning and cancelled: that, never a
// promise) and, at customs, what the customer must do.
func TestPromisePerDemoPhase(t *testing.T) {
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	parcels := tracking.NewService(db, log, reg)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	if _, err := demo.Run(ctx, demo.Options{Parcels: 12, Seed: 3, Now: now}, acc, parcels, log); err != nil {
		t.Fatal(err)
	}
	app := New(Deps{Log: log, DB: db, Access: acc, Cases: parcels, Registry: reg})
	byPhase := map[tracking.Phase]tracking.ParcelView{}
	rows, err := db.SQL.Query(`SELECT id FROM parcels ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id) //nolint:errcheck
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		v, err := parcels.Parcel(ctx, access.Operator(), id)
		if err != nil {
			t.Fatal(err)
		}
		lastSig := func(v tracking.ParcelView) string { return v.Events[len(v.Events)-1].Signature }
		if prev, ok := byPhase[v.Phase]; !ok || v.Phase == tracking.PhaseDelivered && lastSig(prev) == "" && lastSig(v) != "" {
			byPhase[v.Phase] = v
		}
	}
	f := &fixture{app: app}
	type want struct{ en, ru, notEN, notRU []string }
	promise := func(v tracking.ParcelView) want {
		d, _ := time.Parse("2006-01-02", v.PromisedDate)
		badgeEN, badgeRU := `<span class="pill ok">On time</span>`, `<span class="pill ok">В срок</span>`
		if v.Late {
			badgeEN, badgeRU = `<span class="pill bad">Late</span>`, `<span class="pill bad">Задерживается</span>`
		}
		return want{en: []string{"Expected by", dayText(d, "en"), badgeEN}, ru: []string{"Ожидается до", dayText(d, "ru"), badgeRU},
			notEN: []string{"Delivered on", "Returning to the sender"}, notRU: []string{"Вручено<"}}
	}
	noPromise := want{notEN: []string{"Expected by", "On time", ">Late<"}, notRU: []string{"Ожидается до", "В срок", ">Задерживается<"}}
	join := func(a, b want) want {
		return want{append(a.en, b.en...), append(a.ru, b.ru...), append(a.notEN, b.notEN...), append(a.notRU, b.notRU...)}
	}
	for _, tc := range []struct {
		phase tracking.Phase
		want  func(v tracking.ParcelView) want
	}{
		{"posted", func(v tracking.ParcelView) want {
			return join(promise(v), want{en: []string{"Posted"}, ru: []string{"Принята почтой"}})
		}},
		{"in_transit", func(v tracking.ParcelView) want {
			return join(promise(v), want{en: []string{"In transit"}, ru: []string{"В пути"}})
		}},
		{"customs", func(v tracking.ParcelView) want {
			return join(promise(v), want{en: []string{"What you need to do", "Pay the import duties and taxes"},
				ru: []string{"Что нужно сделать", "Оплатите таможенные пошлины"}})
		}},
		{"delivery_attempted", func(v tracking.ParcelView) want {
			return join(promise(v), want{en: []string{"Delivery attempted"}, ru: []string{"Неудачная попытка вручения"}})
		}},
		{"ready_for_pickup", func(v tracking.ParcelView) want {
			return join(noPromise, want{en: []string{"Waiting for you at the pickup point"}, ru: []string{"Ждёт вас в пункте выдачи"}})
		}},
		{tracking.PhaseDelivered, func(v tracking.ParcelView) want {
			zone, _ := geo.LoadZone(v.Recipient.TimeZone)
			at := v.DeliveredAt.In(zone)
			w := join(noPromise, want{en: []string{"Delivered on", dayText(at, "en") + ", " + at.Format("15:04"), `class="pill ok">Delivered<`},
				ru: []string{"Вручено", dayText(at, "ru") + ", " + at.Format("15:04")}, notEN: []string{"What you need to do"}})
			if sig := v.Events[len(v.Events)-1].Signature; sig != "" {
				w.en = append(w.en, "Signed by", initials(sig))
				w.ru = append(w.ru, "Получил(а)", initials(sig))
			}
			return w
		}},
		{tracking.PhaseReturning, func(v tracking.ParcelView) want {
			return join(noPromise, want{en: []string{"Returning to the sender: no delivery is expected"}, ru: []string{"Возвращается отправителю: доставки не будет"}})
		}},
		{"cancelled", func(v tracking.ParcelView) want {
			return join(noPromise, want{en: []string{"Cancelled: the parcel will not be delivered"}, ru: []string{"Отменена: посылка не будет доставлена"}})
		}},
	} {
		t.Run(string(tc.phase), func(t *testing.T) {
			v, ok := byPhase[tc.phase]
			if !ok {
				t.Fatalf("the demo has no parcel in phase %s", tc.phase)
			}
			w := tc.want(v)
			for _, lang := range []string{"en", "ru"} {
				r := f.do(t, "GET", "/track/"+v.ID+"?lang="+lang, "", "")
				if r.status != 200 {
					t.Fatalf("%s: status %d", lang, r.status)
				}
				wants, nots := w.en, w.notEN
				if lang == "ru" {
					wants, nots = w.ru, w.notRU
				}
				for _, s := range wants {
					if !strings.Contains(r.body, s) {
						t.Errorf("%s page of %s lacks %q", lang, v.ID, s)
					}
				}
				for _, s := range nots {
					if strings.Contains(r.body, s) {
						t.Errorf("%s page of %s shows %q", lang, v.ID, s)
					}
				}
			}
		})
	}
}

// Beside the promise, the page shows the date predicted from recent deliveries, with its
// weekday, in both languages.
func TestPageShowsExpectedDate(t *testing.T) {
	est := eta.New(nil, nil)
	f := newFixture(t, func(d *Deps) { d.Cases.SetExpecter(est.Fill) })
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	est.SetClock(func() time.Time { return clock })
	est.SetStats(map[eta.Key]eta.Stat{{Origin: "GB", Destination: "RU", Level: "standard", Phase: "posted"}: {Parcels: eta.MinParcels, Days: 25}})
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","location":"London","country":"GB"}]}`)
	nsk, _ := time.LoadLocation("Asia/Novosibirsk")
	want := eta.AddWorkingDays(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), 25, nsk)
	for lang, words := range map[string][]string{"en": {"Most likely by", dayText(want, "en")}, "ru": {"Скорее всего, к", dayText(want, "ru")}} {
		r := f.do(t, "GET", "/track/RB123456785GB?lang="+lang, "", "")
		for _, w := range words {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
	}
}
