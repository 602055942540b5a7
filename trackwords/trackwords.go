// Package trackwords is the one source of customer words (issue 18): what a tracking event, its
// reason and its action mean to a person waiting for a parcel, in English and Russian, from the
// track catalog (i18n/catalog/*/track*.json, keys "track.event.<code>", "track.reason.<code>",
// "track.action.<code>", "track.return.*", phase names) with the brand's overrides in front
// (package branding, brand_looks.words). The tracking page (portal), message templates and call
// scripts (scripts: .parcel.status_words, .parcel.status_detail) speak from it.
//
// It owns no table; Cache reads brand_looks through branding.
package trackwords

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/tracking"
)

// Words is the track catalog in one language with a brand's overrides in front.
type Words struct {
	loc   i18n.Locale
	brand map[string]string // keys without "track."
}

// LangOf is the catalog language of a recipient's language tag: Russian for ru, ru-RU...,
// English otherwise.
func LangOf(tag string) i18n.Lang {
	if t := strings.ToLower(tag); t == "ru" || strings.HasPrefix(t, "ru-") {
		return i18n.RU
	}
	return i18n.EN
}

// For returns the words of lang (a language tag) with brand's overrides (keys as the track
// catalog's without "track."; nil for none).
func For(lang string, brand map[string]string) Words {
	return Words{loc: i18n.New(LangOf(lang), nil), brand: brand}
}

// Get is the customer words under track.<key>: the brand's, else the catalog's, else or.
func (w Words) Get(key, or string) string {
	if s, ok := w.brand[key]; ok && s != "" {
		return s
	}
	if i18n.Default().Has("track." + key) {
		return w.loc.T("track." + key)
	}
	return or
}

// Event is what one event says to the customer: Label, the sentence for the event; Detail, the
// reason and the action ("" when it has none).
type Event struct{ Label, Detail string }

// Events words a parcel's events, in their (time) order. After the attempt that sent the
// parcel back, a scan is no news of the delivery: it reads as the way back.
func (w Words) Events(evs []tracking.EventView) []Event {
	out := make([]Event, len(evs))
	returning := false
	for i, e := range evs {
		ev := Event{Label: w.Get("event."+e.Code, w.Get(string(e.Phase), string(e.Phase)))}
		switch {
		case returning && e.Code == "EMI":
			ev.Label = w.Get("return.EMI", ev.Label)
		case returning:
			ev.Label = w.Get("return.moving", ev.Label)
		}
		var detail []string
		if e.Reason != "" {
			if s := w.Get("reason."+e.Reason, ""); s != "" {
				detail = append(detail, s)
			}
		}
		if e.Action != "" {
			if s := w.Get("action."+e.Action, ""); s != "" {
				detail = append(detail, s)
			}
		}
		ev.Detail = strings.Join(detail, ". ")
		out[i] = ev
		if e.Code == "EMH" && e.Action == tracking.ActionReturnToSender {
			returning = true
		}
	}
	return out
}

// Latest words the parcel's latest event (its events are in time order); with no event, the
// phase name.
func (w Words) Latest(p tracking.ParcelView) Event {
	if n := len(p.Events); n > 0 {
		return w.Events(p.Events)[n-1]
	}
	return Event{Label: w.Get(string(p.Phase), "")}
}

// Looks reads a brand's look (*branding.Service).
type Looks interface {
	Get(ctx context.Context, brand int64) (branding.Look, error)
}

// Cache keeps brands' overrides for a minute, so a message per event costs no query; a change
// in the brand editor reaches messages within that minute. A nil *Cache has no overrides.
type Cache struct {
	looks Looks
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	m     map[int64]cached
}

type cached struct {
	words branding.Words
	until time.Time
}

// NewCache returns a cache over looks.
func NewCache(looks Looks) *Cache {
	return &Cache{looks: looks, ttl: time.Minute, now: time.Now, m: map[int64]cached{}}
}

// Brand is a brand's overrides in a language tag's catalog language (nil: none, or the look
// could not be read: the catalog's words are used).
func (c *Cache) Brand(ctx context.Context, brand int64, lang string) map[string]string {
	if c == nil || c.looks == nil {
		return nil
	}
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[brand]
	c.mu.Unlock()
	if !ok || now.After(e.until) {
		l, err := c.looks.Get(ctx, brand)
		if err != nil {
			return nil
		}
		e = cached{words: l.Words, until: now.Add(c.ttl)}
		c.mu.Lock()
		c.m[brand] = e
		c.mu.Unlock()
	}
	return e.words[string(LangOf(lang))]
}

// Fill adds the customer words of the parcel's latest event to a template's parcel map:
// status_words (the event) and status_detail (its reason and action); and at import customs
// the duties due, written in the recipient's language, and the post's link to pay them
// (duties, duties_pay_url; "" for none).
func Fill(parcel map[string]any, p tracking.ParcelView, brand map[string]string) {
	w := For(p.Recipient.Language, brand)
	ev := w.Latest(p)
	parcel["status_words"], parcel["status_detail"] = ev.Label, ev.Detail
	parcel["duties"], parcel["duties_pay_url"] = "", ""
	if d := DutiesDue(p.Events); d != nil {
		parcel["duties"], parcel["duties_pay_url"] = w.Duties(*d), d.PayURL
	}
}

// DutiesDue is the duties of the latest customs event that carries them, among the events since
// the parcel reached import customs (tracking/duties.go); nil when none, or once it left customs.
func DutiesDue(evs []tracking.EventView) *tracking.DutiesView {
	for i := len(evs) - 1; i >= 0 && evs[i].Phase == "customs"; i-- {
		if d := evs[i].Duties; d != nil {
			return d
		}
	}
	return nil
}

// Duties writes duties due in w's language: "Duties to pay: ₽1,250.00" / "Пошлины к оплате:
// 1 250,00 ₽".
func (w Words) Duties(d tracking.DutiesView) string {
	return w.loc.T("track.duties_due", "amount", w.loc.Money(d.Amount, d.Currency))
}
