package casepages

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/macros"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/transcriptview"
	"github.com/wismo/wismo/tracking"
)

// casePage is the /cases/{number} page's data.
type casePage struct {
	Case        cases.CaseView
	BrandName   string
	Parcel      *tracking.ParcelView
	Phases      []phaseStep
	Others      []tracking.ParcelRef // other parcels of the same recipient
	Timeline    []item
	Assignees   []access.Staff
	Assignee    string
	Mine        bool
	Types       []cases.CaseType
	Priorities  []cases.Priority
	Resolutions []string
	Templates   []conversation.Template
	Macros      []macros.Macro
	CanReply    bool
	CallURL     string
	Promised    *time.Time // the parcel's promised date
	Flash       string
	Error       string
	Now         time.Time
	Cards       []template.HTML // Options.Cards
}

type phaseStep struct {
	Phase         tracking.Phase
	Done, Current bool
}

// item is one timeline line as the page shows it.
type item struct {
	cases.TimelineEntry
	Fields    map[string]any // the entry's data as JSON fields (call outcome, SMS text and status...)
	Text      string         // what happened, in the viewer's language
	AudioURL  string         // a call's recording, played through the permission-checked API
	TalkURL   string         // its talk strip (recordings/talk), through the same checks
	ReviewURL string         // its quality review page (portal/quality)
	// Its transcript (transcript.go): the dialogue, or why there is none.
	Transcript transcriptview.View
}

// mainLine is the phase bar: the phases a parcel passes on its way to the recipient.
var mainLine = []tracking.Phase{"registered", "posted", "in_transit", "arrived", "customs", "at_delivery_office", "out_for_delivery", "delivered"}

func (p *pages) show(c *fiber.Ctx) error {
	L := p.locale(c)
	flash := ""
	if d := c.Query("done"); d != "" && slices.Contains([]string{"assigned", "updated", "noted", "escalated", "linked", "merged", "replied", "macro"}, d) {
		flash = L.T("cases.done." + d)
	}
	return p.render(c, c.Params("number"), brandOf(c), flash, "")
}

// render draws the case page (the status is the caller's); a merged duplicate redirects to
// the case it was merged into.
func (p *pages) render(c *fiber.Ctx, number string, brand int64, flash, errText string) error {
	ctx := c.UserContext()
	pr := access.PrincipalOf(c)
	L := p.locale(c)
	v, err := p.o.Cases.Detail(ctx, pr.Scope, number, brand)
	if errors.Is(err, cases.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, L.T("cases.notfound", "number", number))
	}
	if errors.Is(err, cases.ErrAmbiguous) {
		return fiber.NewError(fiber.StatusConflict, L.T("cases.ambiguous", "number", number))
	}
	if err != nil {
		return err
	}
	if v.MergedInto != "" && errText == "" {
		return c.Redirect(portal.CaseURL(v.MergedInto, v.BrandID), fiber.StatusMovedPermanently)
	}
	d := casePage{Case: v, Types: cases.CaseTypes, Priorities: cases.Priorities, Flash: flash, Error: errText, Now: time.Now()}
	if b, err := p.o.Access.Brand(ctx, v.BrandID); err == nil {
		d.BrandName = b.Name
	}
	if d.Assignees, err = p.o.Access.BrandStaff(ctx, pr.Scope, v.BrandID); err != nil {
		return err
	}
	if v.AssigneeID != nil {
		d.Mine = pr.User != nil && pr.User.ID == *v.AssigneeID
		for _, a := range d.Assignees {
			if a.ID == *v.AssigneeID {
				d.Assignee = a.Email
			}
		}
		if d.Assignee == "" {
			d.Assignee = fmt.Sprintf("#%d", *v.AssigneeID)
		}
	}
	if d.Resolutions, err = p.o.Cases.ResolutionCodes(ctx, v.BrandID); err != nil {
		return err
	}
	if err := p.parcel(c, &d); err != nil {
		return err
	}
	people := map[int64]string{}
	for _, a := range d.Assignees {
		people[a.ID] = a.Email
	}
	for _, e := range v.Timeline {
		it := toItem(e)
		if !trimChanged(&it) || deliveredAttempt(it) {
			continue
		}
		if id, ok := it.Fields["agent_id"].(float64); ok && people[int64(id)] != "" {
			it.Fields["agent"] = people[int64(id)] // a call's agent by name, not by number
		}
		it.Text = describe(L, it, people)
		if d, ok := it.Fields["disposition"].(string); ok && it.Kind == "call" {
			it.Fields["disposition"] = disposition(L, d)
		}
		if err := p.transcript(ctx, pr.Scope, &it); err != nil {
			return err
		}
		d.Timeline = append(d.Timeline, it)
	}
	slices.Reverse(d.Timeline) // newest first
	if p.o.Replier != nil {
		d.CanReply = true
		if d.Templates, err = p.o.Replier.ReplyTemplates(ctx, v.BrandID); err != nil {
			return err
		}
	}
	if p.o.Macros != nil {
		if d.Macros, err = p.o.Macros.List(ctx, pr.Scope, v.BrandID); err != nil {
			return err
		}
	}
	for _, k := range p.o.Cards {
		h, err := k.Draw(c, v)
		if err != nil {
			return err
		}
		d.Cards = append(d.Cards, h)
	}
	return portal.RenderPage(c, p.page, "case.html", v.Number, d)
}

// parcel fills the main parcel, its phase bar, the recipient's other parcels and the call link.
func (p *pages) parcel(c *fiber.Ctx, d *casePage) error {
	ctx := c.UserContext()
	scope := access.PrincipalOf(c).Scope
	pv, err := p.o.Tracking.Parcel(ctx, scope, d.Case.Parcels[0])
	if errors.Is(err, tracking.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Parcel = &pv
	zone := p.locale(c).Zone
	if zone == nil {
		zone = time.UTC
	}
	if t, err := time.ParseInLocation(time.DateOnly, pv.PromisedDate, zone); err == nil { // a calendar day, shown as such
		d.Promised = &t
	}
	// A phase off the main line (ready for pick-up, a failed attempt) shows after the last
	// main phase before it in delivery order.
	order := tracking.Phases()
	at := slices.Index(order, pv.Phase)
	reached := -1
	for i, ph := range mainLine {
		if o := slices.Index(order, ph); o >= 0 && o <= at {
			reached = i
		}
	}
	onLine := slices.Contains(mainLine, pv.Phase)
	for i, ph := range mainLine {
		d.Phases = append(d.Phases, phaseStep{Phase: ph, Done: i <= reached, Current: onLine && i == reached})
		if !onLine && i == reached {
			d.Phases = append(d.Phases, phaseStep{Phase: pv.Phase, Current: true})
		}
	}
	slices.Reverse(d.Parcel.Events) // newest first
	if d.Others, err = p.o.Tracking.RecipientsOtherParcels(ctx, scope, pv.BrandID, pv.Recipient.Phone, pv.ID); err != nil {
		return err
	}
	phone := d.Case.Contact.Phone
	if phone == "" {
		phone = pv.Recipient.Phone
	}
	if phone != "" {
		d.CallURL = "/desk?" + url.Values{"call": {phone}, "parcel": {pv.ID}, "case": {d.Case.Number},
			"brand": {strconv.FormatInt(d.Case.BrandID, 10)}}.Encode()
	}
	return nil
}

// toItem gives a timeline entry's data as fields, and a call's recording its player.
func toItem(e cases.TimelineEntry) item {
	it := item{TimelineEntry: e}
	if e.Data == nil {
		return it
	}
	if b, err := json.Marshal(e.Data); err == nil {
		json.Unmarshal(b, &it.Fields) //nolint:errcheck // an entry that is not an object shows without fields
	}
	if id, ok := it.Fields["recording_id"].(float64); ok && id > 0 {
		it.AudioURL = "/api/v1/recordings/" + strconv.FormatInt(int64(id), 10) + "/audio"
		if call, ok := it.Fields["id"].(float64); ok && call > 0 {
			it.TalkURL = "/api/v1/calls/" + strconv.FormatInt(int64(call), 10) + "/talk.svg?recording=" + strconv.FormatInt(int64(id), 10)
			it.ReviewURL = "/quality/calls/" + strconv.FormatInt(int64(call), 10)
		}
	}
	return it
}

// deliveredAttempt reports whether it is the webhook attempt that delivered an escalation:
// the case log's "delivered" line says so already, so the page shows it once. Failed
// attempts keep their lines (what went wrong, each time).
func deliveredAttempt(it item) bool {
	code, _ := it.Fields["status_code"].(float64)
	errText, _ := it.Fields["error"].(string)
	return it.Kind == "escalation" && errText == "" && code >= 200 && code < 300
}

// ownLines are the changes the case log gives a line of their own ("assigned to ...",
// "parcels linked: ..."): the "changed: ..." line the same update writes leaves them out.
var ownLines = []string{"assignment", "parcels"}

// trimChanged takes the fields with a line of their own out of a "changed: ..." line, and
// reports whether the line has anything left to say.
func trimChanged(it *item) bool {
	if it.Kind != "case" || it.Fields["change"] != "updated" {
		return true
	}
	fs, ok := it.Fields["fields"].([]any)
	if !ok {
		return true
	}
	keep := []any{}
	for _, f := range fs {
		if s, _ := f.(string); !slices.Contains(ownLines, s) {
			keep = append(keep, f)
		}
	}
	it.Fields["fields"] = keep
	return len(keep) > 0
}
