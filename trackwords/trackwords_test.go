package trackwords

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/tracking"
)

// The words of a parcel's events in both languages: the event, its reason and action, the way
// back after a return to sender, a brand's override in front of the catalog.
func TestEventWords(t *testing.T) {
	evs := []tracking.EventView{
		{Code: "EMH", Phase: "delivery_attempted", Reason: "ABSENT", Action: "NOTICE_LEFT"},
		{Code: "EMH", Phase: "delivery_attempted", Action: tracking.ActionReturnToSender},
		{Code: "EMI", Phase: tracking.PhaseDelivered},
	}
	for lang, want := range map[string][]Event{
		"en":    {{"The courier could not deliver the parcel", "Nobody was at home or nobody opened the door. A notice was left: collect the parcel at the post office or ask for another delivery"}},
		"ru-RU": {{"Курьер не смог вручить посылку", "Никого не было дома или дверь не открыли. Оставлено извещение: заберите посылку в отделении или попросите доставить ещё раз"}},
	} {
		got := For(lang, nil).Events(evs)
		if got[0] != want[0] {
			t.Errorf("%s: %+v, want %+v", lang, got[0], want[0])
		}
		if back := For(lang, nil).Get("return.EMI", "?"); got[2].Label != back || back == "?" {
			t.Errorf("%s: the delivery back to the sender reads %q, want %q", lang, got[2].Label, back)
		}
	}
	brand := map[string]string{"event.EMH": "Our courier missed you"}
	if got := For("en", brand).Latest(tracking.ParcelView{Events: evs[:1]}); got.Label != "Our courier missed you" {
		t.Errorf("the brand's words: %+v", got)
	}
	if got := For("de", nil).Latest(tracking.ParcelView{Phase: "in_transit"}); got.Label != "In transit" {
		t.Errorf("no events, another language: %+v", got)
	}
}

type fakeLooks struct{ n int }

func (f *fakeLooks) Get(_ context.Context, brand int64) (branding.Look, error) {
	f.n++
	return branding.Look{BrandID: brand, Words: branding.Words{"ru": {"event.EDD": "v" + string(rune('0'+f.n))}}}, nil
}

// A brand's words are read once a minute, per brand; a nil cache has none.
func TestCacheRereadsAfterAMinute(t *testing.T) {
	looks := &fakeLooks{}
	c := NewCache(looks)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	ctx := context.Background()
	if w := c.Brand(ctx, 1, "ru"); w["event.EDD"] != "v1" {
		t.Fatalf("first read: %v", w)
	}
	now = now.Add(30 * time.Second)
	if w := c.Brand(ctx, 1, "ru"); w["event.EDD"] != "v1" || looks.n != 1 {
		t.Fatalf("within the minute: %v after %d reads", w, looks.n)
	}
	if w := c.Brand(ctx, 1, "en"); w != nil {
		t.Fatalf("English has no overrides: %v", w)
	}
	now = now.Add(time.Minute)
	if w := c.Brand(ctx, 1, "ru"); w["event.EDD"] != "v2" {
		t.Fatalf("after the minute: %v", w)
	}
	var none *Cache
	if w := none.Brand(ctx, 1, "ru"); w != nil {
		t.Fatalf("nil cache: %v", w)
	}
}

// Templates get the duties due at customs in the recipient's language, and nothing once the
// parcel has left customs.
func TestFillDuties(t *testing.T) {
	due := &tracking.DutiesView{Amount: "1250.00", Currency: "RUB", PayURL: "https://pay.example.ru/1"}
	evs := []tracking.EventView{{Code: "EDB", Phase: "customs"}, {Code: "EME", Phase: "customs", Reason: "CUSTOMS_DUTIES", Duties: due}}
	for lang, want := range map[string]string{"ru": "Пошлины к оплате: 1\u00a0250,00\u00a0₽", "en": "Duties to pay: ₽1,250.00"} {
		m := map[string]any{}
		Fill(m, tracking.ParcelView{Phase: "customs", Recipient: tracking.RecipientView{Language: lang}, Events: evs}, nil)
		if m["duties"] != want || m["duties_pay_url"] != due.PayURL {
			t.Errorf("%s: %q %q", lang, m["duties"], m["duties_pay_url"])
		}
	}
	m := map[string]any{}
	Fill(m, tracking.ParcelView{Events: append(evs, tracking.EventView{Code: "EDC", Phase: "arrived"})}, nil)
	if m["duties"] != "" || m["duties_pay_url"] != "" {
		t.Errorf("released: %q %q", m["duties"], m["duties_pay_url"])
	}
}
