package portal

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	xlang "golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// The public tracking page: anyone with a tracking number sees the parcel's phases and scans,
// with no personal data (no name, phone, address or e-mail is ever rendered).

type trackPage struct {
	Lang, Other, Query, Error string
	Brand                     string    // the shop's name, in the header of a parcel's page
	Look                      *pageLook // the shop's look (trackbrand.go); nil: neutral
	Parcel                    *trackParcel
	// Communications and the customer's requests (cases), newest first.
	Comms            []trackComm
	CommsUnavailable bool
	Requests         []trackRequest
	Sent             string // the case number a form just opened
	// The forms: shown when the server has a case desk.
	Forms                bool
	CSRF                 string
	Categories           []option
	Feedback, Options    form
	FormError, Open      string // a form-wide message, and which form it is about ("feedback", "options")
	CanChange, CanReturn bool
	MinMessage           int // the message's minimum length, as the server checks it

	// Move is the "choose another delivery day" block (trackdays.go).
	Move *trackMove
	// Ratings offered or given (track_rating.go), and a message about the rating form.
	Ratings     []trackRating
	RatingError string
	// Updates on request (track_updates.go; nil: not offered).
	Updates *trackUpdates
}

type trackParcel struct {
	ID, PhaseLabel, Tone, Service, From, To, Promised, DeliveredOn, Signature, COD, Zone string
	Late                                                                                 bool
	// Outcome replaces the promise when none holds: returning, returned, cancelled, waiting
	// at the pickup point.
	Outcome, OutcomeTone string
	// Expected is the date predicted from recent deliveries (track_promise.go), shown when it
	// differs from the promise; Customs what to do at import customs.
	Expected string
	Customs  *trackCustoms
	Steps    []trackStep
	Events   []trackEvent
	Pickup   *trackPickup // while the parcel waits at a pick-up point (track_pickup.html)
}

type trackPickup struct{ Name, Address, Hours, Deadline, MapLink string }

type trackStep struct{ Label, State string }

type trackEvent struct{ ISO, When, Label, Detail, Place string }

// trackRequest is one of the customer's cases about the parcel.
// Replied says when the service last answered the customer about it (never what).
type trackRequest struct {
	Number, ISO, When, Type, Status, Tone, RepliedISO, Replied string
	Resolved                                                   bool // resolved or closed: the service can be rated
}

type option struct{ Value, Label string }

// journey is the main path a parcel's phase is shown on.
var journey = []tracking.Phase{"posted", "in_transit", "arrived", "at_sorting_center", "at_delivery_office", tracking.PhaseDelivered}

// stepOf places every phase on the journey.
var stepOf = map[tracking.Phase]int{
	tracking.PhaseRegistered: -1, "posted": 0, "export": 1, "in_transit": 1, "arrived": 2, "customs": 2,
	"at_sorting_center": 3, "at_delivery_office": 4, "out_for_delivery": 4, "ready_for_pickup": 4,
	"delivery_attempted": 4, tracking.PhaseDelivered: 5,
}

// trackHandler serves the public tracking page and its forms.
type trackHandler struct {
	d      *Deps
	limits *feedbackLimiter
	now    func() time.Time
	cache  *pageCache
}

func trackRoutes(app *fiber.App, d Deps) {
	lim := d.FeedbackLimits
	if lim.PerIP == (Limit{}) && lim.PerParcel == (Limit{}) {
		lim.PerIP, lim.PerParcel = DefaultFeedbackLimits.PerIP, DefaultFeedbackLimits.PerParcel
	}
	h := &trackHandler{d: &d, now: time.Now}
	h.limits = newFeedbackLimiter(lim, h.now)
	h.cache = d.TrackCache
	app.Get("/track", func(c *fiber.Ctx) error {
		if id := strings.TrimSpace(c.Query("id")); id != "" {
			return c.Redirect("/track/"+url.PathEscape(strings.ReplaceAll(id, "/", "")), fiber.StatusSeeOther)
		}
		return renderTrack(c, trackPage{})
	})
	app.Get("/track/:id", func(c *fiber.Ctx) error {
		p, id, ok := h.start(c)
		if !ok {
			return renderTrack(c, p)
		}
		sent := c.Query("sent")
		if sent == "" { // a confirmation is rendered for its visitor alone
			if html, ok := h.cache.get(p.Lang, id); ok {
				return sendTrack(c, withToken(html, csrfToken(c, h.d.SecureCookies)))
			}
		}
		v, ok, err := h.load(c, &p, id)
		if err != nil || !ok {
			if err == nil {
				return renderTrack(c, p)
			}
			return err
		}
		if sent != "" {
			for _, r := range p.Requests { // only a number of this parcel's requests is confirmed
				if r.Number == sent {
					p.Sent = sent
				}
			}
			return renderTrack(c, p)
		}
		token := p.CSRF
		if p.CSRF != "" { // the forms' and ratings' token is the visitor's: never cached
			p.CSRF = csrfSlot
		}
		html, err := executeTrack(c, p)
		if err != nil {
			return err
		}
		h.cache.put(p.Lang, id, v.BrandID, html)
		return sendTrack(c, withToken(html, token))
	})
	formRoutes(app, h)
	dayRoutes(app, h)
	ratingRoutes(app, h)
	updatesRoutes(app, h)
}

// start reads the page's language and tracking number; a malformed number is a helpful 400.
func (h *trackHandler) start(c *fiber.Ctx) (trackPage, string, bool) {
	lang := language(c)
	t := translator(lang)
	raw := tracking.ParcelParam(c)
	page := trackPage{Lang: lang, Query: raw}
	id, err := tracking.ParseS10(raw)
	if err != nil {
		shown := []rune(raw)
		if len(shown) > 40 { // echo enough to recognise, not a page of it
			shown = append(shown[:40], '…')
		}
		page.Error = fmt.Sprintf(t("badid"), string(shown))
		c.Status(fiber.StatusBadRequest)
		return page, "", false
	}
	page.Query = id
	return page, id, true
}

// load reads the parcel (an unknown one is a helpful 404), its communications and the
// customer's requests into p.
func (h *trackHandler) load(c *fiber.Ctx, p *trackPage, id string) (tracking.ParcelView, bool, error) {
	lang := language(c)
	t := translator(lang)
	// The S10 id is the global key: the public page looks parcels up by it alone.
	v, err := h.d.Cases.Parcel(c.UserContext(), access.Operator(), id)
	if errors.Is(err, tracking.ErrNotFound) {
		p.Error = t("notfound")
		c.Status(fiber.StatusNotFound)
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if h.d.Access != nil {
		if b, err := h.d.Access.Brand(c.UserContext(), v.BrandID); err == nil {
			p.Brand = b.Name
		}
	}
	var words map[string]string
	if h.d.Looks != nil {
		l, err := h.brandLook(c.UserContext(), v.BrandID)
		if err != nil {
			return v, false, err
		}
		p.Look = lookOf(l, lang)
		words = p.Look.Words
	}
	p.Parcel = publicView(v, lang, words)
	loc, err := geo.LoadZone(v.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	log := h.d.Log.With("parcel", id)
	if h.d.Comms != nil {
		list, err := h.d.Comms.ParcelComms(c.UserContext(), v.BrandID, v.ID)
		if err != nil {
			// The page still shows the parcel; the history says it is unavailable.
			log.Error("tracking page: communications", "err", err)
			p.CommsUnavailable = true
		}
		p.Comms = publicComms(list, loc, t)
	}
	if h.d.Requests != nil {
		list, err := h.d.Requests.ParcelRequests(c.UserContext(), v.BrandID, v.ID)
		if err != nil {
			log.Error("tracking page: requests", "err", err)
		}
		for _, cs := range list {
			tone := "warn"
			if !cs.Status.IsOpen() {
				tone = "ok"
			}
			r := trackRequest{Number: cs.Number, ISO: cs.CreatedAt.Format(time.RFC3339),
				When: cs.CreatedAt.In(loc).Format("02.01.2006 15:04"), Type: t("type_" + string(cs.Type)), Status: t("status_" + string(cs.Status)), Tone: tone,
				Resolved: cs.Status == cases.StatusResolved || cs.Status == cases.StatusClosed}
			if cs.RepliedAt.Valid {
				r.RepliedISO, r.Replied = cs.RepliedAt.Time.Format(time.RFC3339), cs.RepliedAt.Time.In(loc).Format("02.01.2006 15:04")
			}
			p.Requests = append(p.Requests, r)
		}
	}
	h.loadRatings(c, p, v)
	h.loadUpdates(c, p, v)
	if h.d.CaseDesk == nil {
		return v, true, nil
	}
	p.Forms = true
	p.MinMessage = minMessageRunes
	p.CSRF = csrfToken(c, h.d.SecureCookies)
	for _, ct := range feedbackCategories {
		p.Categories = append(p.Categories, option{Value: string(ct), Label: t("type_" + string(ct))})
	}
	switch v.Phase {
	case tracking.PhaseDelivered, tracking.PhaseReturning, tracking.PhaseReturned, "cancelled":
	default:
		p.CanChange = true
	}
	p.CanReturn = v.Phase != tracking.PhaseReturning && v.Phase != tracking.PhaseReturned && v.Phase != "cancelled"
	h.loadMove(c, p, v)
	return v, true, nil
}

func renderTrack(c *fiber.Ctx, p trackPage) error {
	html, err := executeTrack(c, p)
	if err != nil {
		return err
	}
	return sendTrack(c, html)
}

func executeTrack(c *fiber.Ctx, p trackPage) ([]byte, error) {
	p.Lang = language(c)
	p.Other = "ru"
	if p.Lang == "ru" {
		p.Other = "en"
	}
	var buf bytes.Buffer
	if err := pages[p.Lang].ExecuteTemplate(&buf, "track.html", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sendTrack(c *fiber.Ctx, html []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(html)
}

// publicView renders what a customer may see of a parcel: no name, phone, address or e-mail;
// times in the recipient's zone.
// A brand's words (trackbrand.go), when given, come before the catalog's.
func publicView(v tracking.ParcelView, lang string, brandWords ...map[string]string) *trackParcel {
	var words map[string]string
	if len(brandWords) > 0 {
		words = brandWords[0]
	}
	t := withWords(translator(lang), words)
	loc, err := geo.LoadZone(v.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	p := &trackParcel{ID: v.ID, PhaseLabel: t(string(v.Phase)), Service: t(string(v.ServiceLevel)),
		From: countryPost(v.OriginCountry, lang), To: countryPost(v.DestinationCountry, lang), Late: v.Late,
		Zone: v.Recipient.TimeZone, Tone: "warn"}
	switch {
	case v.Phase == tracking.PhaseReturned:
		p.Outcome, p.OutcomeTone = t("badge_returned"), "bad"
	case v.Phase == tracking.PhaseReturning || v.Returning:
		p.Outcome, p.OutcomeTone = t("badge_returning"), "bad"
	case v.Phase == "cancelled":
		p.Outcome, p.OutcomeTone = t("badge_cancelled"), "bad"
	case v.Phase == "ready_for_pickup":
		p.Outcome, p.OutcomeTone = t("badge_pickup"), "warn"
	}
	switch v.Phase {
	case tracking.PhaseDelivered:
		p.Tone = "ok"
	case tracking.PhaseReturning, tracking.PhaseReturned, "cancelled", "delivery_attempted":
		p.Tone = "bad"
	}
	if v.PromisedDate != "" {
		if d, err := time.Parse("2006-01-02", v.PromisedDate); err == nil {
			p.Promised = d.Format("02.01.2006")
		}
	}
	if pp := v.Pickup; pp != nil && v.Phase == "ready_for_pickup" {
		p.Pickup = &trackPickup{Name: pp.Name, Address: pp.Address, Hours: pp.Hours, MapLink: pp.MapLink}
		if d, err := time.Parse(time.DateOnly, pp.Deadline); err == nil {
			p.Pickup.Deadline = d.Format("02.01.2006")
		}
	}
	if v.DeliveredAt != nil {
		p.DeliveredOn = v.DeliveredAt.In(loc).Format("02.01.2006 15:04")
	}
	if v.COD != nil {
		p.COD = i18n.New(i18n.Lang(lang), nil).Money(v.COD.Amount, v.COD.Currency) // "8 490,00 ₽" / "₽8,490.00"
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
	// The customer's words for the event, reason and action (never the code list's notes), the
	// way back after the attempt that sent the parcel back: package trackwords, which messages
	// and call scripts speak from too.
	said := trackwords.For(lang, words).Events(v.Events)
	for i := len(v.Events) - 1; i >= 0; i-- { // newest first
		e := v.Events[i]
		ev := trackEvent{ISO: e.OccurredAt.Format(time.RFC3339), When: e.OccurredAt.In(loc).Format("02.01.2006 15:04"),
			Label: said[i].Label, Detail: said[i].Detail}
		ev.Place = strings.Trim(strings.Join([]string{e.Location, countryName(e.Country, lang)}, ", "), ", ")
		if e.Signature != "" {
			p.Signature = initials(e.Signature)
		}
		p.Events = append(p.Events, ev)
	}
	addPromise(p, v, lang, loc)
	return p
}

// customerWords is the catalog's customer sentence under track.<key>, or else.
func customerWords(t func(string) string, key, or string) string {
	if i18n.Default().Has("track." + key) {
		return t(key)
	}
	return or
}

// postOf names the designated postal operator of a country, in the page's language where
// its name differs: the carrier the customer knows for each end of the journey.
var postOf = map[string][2]string{ // country -> {English, Russian}
	"AU": {"Australia Post", "Australia Post"}, "BR": {"Correios", "Correios"}, "BY": {"Belpost", "Белпочта"},
	"CA": {"Canada Post", "Canada Post"}, "CN": {"China Post", "China Post"}, "DE": {"Deutsche Post", "Deutsche Post"},
	"ES": {"Correos", "Correos"}, "FR": {"La Poste", "La Poste"}, "GB": {"Royal Mail", "Royal Mail"},
	"IL": {"Israel Post", "Israel Post"}, "IT": {"Poste Italiane", "Poste Italiane"}, "KR": {"Korea Post", "Korea Post"},
	"KZ": {"Kazpost", "Казпочта"}, "MX": {"Correos de México", "Correos de México"}, "PL": {"Poczta Polska", "Poczta Polska"},
	"RU": {"Russian Post", "Почта России"}, "TR": {"PTT", "PTT"}, "US": {"USPS", "USPS"},
}

// countryPost names a country and, where known, its post: "Turkey · PTT", "Россия · Почта России".
func countryPost(cc, lang string) string {
	name := countryName(cc, lang)
	if p, ok := postOf[cc]; ok {
		i := 0
		if lang == "ru" {
			i = 1
		}
		return name + " · " + p[i]
	}
	return name
}

// countryName names an ISO country in the page's language ("TR" -> "Turkey" / "Турция").
func countryName(cc, lang string) string {
	r, err := xlang.ParseRegion(cc)
	if cc == "" || err != nil {
		return cc
	}
	tag := xlang.English
	if lang == "ru" {
		tag = xlang.Russian
	}
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	return cc
}

var (
	ruWeekdays = [...]string{"вс", "пн", "вт", "ср", "чт", "пт", "сб"}
	ruMonths   = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
)

// dayLabel writes a day for a choice of delivery days: "Mon 7 December" / "пн, 7 декабря".
func dayLabel(d time.Time, lang string) string {
	if lang == "ru" {
		return fmt.Sprintf("%s, %d %s", ruWeekdays[d.Weekday()], d.Day(), ruMonths[d.Month()-1])
	}
	return d.Format("Mon 2 January")
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
