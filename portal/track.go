package portal

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/geo"
)

// The public tracking page: anyone with a tracking number sees the parcel's phases and scans,
// with no personal data (no name, phone, address or e-mail is ever rendered).

type trackPage struct {
	Lang, Other, Query, Error string
	Parcel                    *trackParcel
}

type trackParcel struct {
	ID, PhaseLabel, Tone, Service, From, To, Promised, DeliveredOn, Signature, COD, Zone string
	Late                                                                                 bool
	Steps                                                                                []trackStep
	Events                                                                               []trackEvent
}

type trackStep struct{ Label, State string }

type trackEvent struct{ ISO, When, Label, Detail, Place string }

// journey is the main path a parcel's phase is shown on.
var journey = []cases.Phase{"posted", "in_transit", "arrived", "at_sorting_center", "at_delivery_office", cases.PhaseDelivered}

// stepOf places every phase on the journey.
var stepOf = map[cases.Phase]int{
	cases.PhaseRegistered: -1, "posted": 0, "export": 1, "in_transit": 1, "arrived": 2, "customs": 2,
	"at_sorting_center": 3, "at_delivery_office": 4, "out_for_delivery": 4, "ready_for_pickup": 4,
	"delivery_attempted": 4, cases.PhaseDelivered: 5,
}

func trackRoutes(app *fiber.App, d Deps) {
	app.Get("/track", func(c *fiber.Ctx) error {
		if id := strings.TrimSpace(c.Query("id")); id != "" {
			return c.Redirect("/track/"+strings.ReplaceAll(id, "/", ""), fiber.StatusSeeOther)
		}
		return renderTrack(c, trackPage{})
	})
	app.Get("/track/:id", func(c *fiber.Ctx) error {
		lang := language(c)
		t := translator(lang)
		raw, err := url.PathUnescape(c.Params("id"))
		if err != nil {
			raw = c.Params("id")
		}
		page := trackPage{Query: raw}
		id, err := cases.ParseS10(raw)
		if err != nil {
			page.Error = fmt.Sprintf(t("badid"), raw)
			c.Status(fiber.StatusBadRequest)
			return renderTrack(c, page)
		}
		page.Query = id
		// The S10 id is the global key: the public page looks parcels up by it alone.
		v, err := d.Cases.Parcel(c.UserContext(), access.Operator(), id)
		if errors.Is(err, cases.ErrNotFound) {
			page.Error = t("notfound")
			c.Status(fiber.StatusNotFound)
			return renderTrack(c, page)
		}
		if err != nil {
			return err
		}
		page.Parcel = publicView(v, lang)
		return renderTrack(c, page)
	})
}

func renderTrack(c *fiber.Ctx, p trackPage) error {
	p.Lang = language(c)
	p.Other = "ru"
	if p.Lang == "ru" {
		p.Other = "en"
	}
	var buf bytes.Buffer
	if err := pages[p.Lang].ExecuteTemplate(&buf, "track.html", p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// publicView renders what a customer may see of a parcel: no name, phone, address or e-mail;
// times in the recipient's zone.
func publicView(v cases.ParcelView, lang string) *trackParcel {
	t := translator(lang)
	loc, err := geo.LoadZone(v.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	p := &trackParcel{ID: v.ID, PhaseLabel: t(string(v.Phase)), Service: t(string(v.ServiceLevel)),
		From: v.OriginCountry, To: v.DestinationCountry, Late: v.Late, Zone: v.Recipient.TimeZone, Tone: "warn"}
	switch v.Phase {
	case cases.PhaseDelivered:
		p.Tone = "ok"
	case cases.PhaseReturning, cases.PhaseReturned, "cancelled", "delivery_attempted":
		p.Tone = "bad"
	}
	if v.PromisedDate != "" {
		if d, err := time.Parse("2006-01-02", v.PromisedDate); err == nil {
			p.Promised = d.Format("02.01.2006")
		}
	}
	if v.DeliveredAt != nil {
		p.DeliveredOn = v.DeliveredAt.In(loc).Format("02.01.2006 15:04")
	}
	if v.COD != nil {
		p.COD = v.COD.Amount + " " + v.COD.Currency
	}
	if s, ok := stepOf[v.Phase]; ok {
		for i, ph := range journey {
			state := "todo"
			switch {
			case i < s:
				state = "done"
			case i == s:
				state = "current"
			}
			p.Steps = append(p.Steps, trackStep{Label: t(string(ph)), State: state})
		}
	}
	for i := len(v.Events) - 1; i >= 0; i-- { // newest first
		e := v.Events[i]
		ev := trackEvent{ISO: e.OccurredAt.Format(time.RFC3339), When: e.OccurredAt.In(loc).Format("02.01.2006 15:04"), Label: t(string(e.Phase))}
		if lang == "en" && e.Meaning != "" {
			ev.Label = e.Meaning
		}
		if e.Reason != "" {
			if r, ok := cases.LookupReason(e.Reason); ok && lang == "en" {
				ev.Detail = r.Meaning
			}
		}
		ev.Place = strings.Trim(strings.Join([]string{e.Location, e.Country}, ", "), ", ")
		if e.Signature != "" {
			p.Signature = initials(e.Signature)
		}
		p.Events = append(p.Events, ev)
	}
	return p
}

// initials masks a signer's name for the public page: "Ivan Petrov" -> "I. P.".
func initials(name string) string {
	var out []string
	for _, w := range strings.Fields(name) {
		r := []rune(strings.TrimRight(w, "."))
		if len(r) > 0 {
			out = append(out, string(r[0])+".")
		}
	}
	return strings.Join(out, " ")
}
