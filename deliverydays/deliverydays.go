// Package deliverydays lists the delivery days a parcel may be moved to and records the
// customer's choice of one, however it was made: on the tracking page ("web"), told to an
// agent ("agent", "phone") or keyed into an automated call ("robocall"). A choice of another
// day opens a delivery_change case through the case tracker (the path the tracking page's
// form takes: agents see it, and escalate it to the partner post as any case); confirming
// the planned day opens none. It owns the table parcel_choices (docs/delivery-days.md).
//
// Parcels are keyed by their S10 id (a string) everywhere in wismo, so the parcel arguments
// of this API are S10 ids.
package deliverydays

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// The ways a choice is made.
const (
	ViaWeb      = "web"      // the tracking page
	ViaPhone    = "phone"    // a phone menu the customer called
	ViaRobocall = "robocall" // an automated call wismo placed
	ViaAgent    = "agent"    // an agent, on the customer's word
)

// TopicDayChosen is the outbox topic of a recorded choice (its payload a ChoiceView).
const TopicDayChosen = "delivery_day.chosen"

// Vias lists every way a choice is made.
var Vias = []string{ViaWeb, ViaPhone, ViaRobocall, ViaAgent}

// Defaults of the window of days offered.
const (
	DefaultHorizon     = 7  // working days offered at most
	DefaultStorageDays = 30 // calendar days a delivery office keeps an item from its arrival
	maxWalkDays        = 62 // the day walk's bound, so a calendar with no working day cannot loop
)

// ErrNotMovable is Confirm's answer for a parcel that can no longer be delivered (delivered,
// returning, cancelled) or is not yet at its delivery office.
var ErrNotMovable = errors.New("the parcel cannot be moved to another delivery day")

// movable are the phases in which a parcel waits for its delivery and may be moved: at the
// delivery office, out for delivery, after a failed attempt, at the pickup point.
var movable = []tracking.Phase{"at_delivery_office", "out_for_delivery", "delivery_attempted", "ready_for_pickup"}

// Day is a day a parcel may be delivered on.
type Day struct {
	Date    string       // YYYY-MM-DD in the recipient's calendar
	Weekday time.Weekday // of Date
	Planned bool         // the day currently planned
}

// Choice is a customer's choice of a delivery day.
type Choice struct {
	ID         int64
	ParcelID   string // the S10 id
	BrandID    int64
	Date       string // YYYY-MM-DD in the recipient's calendar
	Weekday    time.Weekday
	Via        string
	CallID     int64 // the call it was made in, 0 when none
	At         time.Time
	CaseID     int64  // the delivery_change case, 0 when the planned day was confirmed
	CaseNumber string // that case's number
	Planned    bool   // a confirmation of the planned day
	By         string // who recorded it: "customer:web", "user:alice@shop.test", ...

	seq int64 // its number among the parcel's choices
}

// Desk is the case tracker as this package uses it (*cases.CaseService): the brand's business
// calendar and the opening of delivery_change cases.
type Desk interface {
	Open(ctx context.Context, scope access.Scope, actor cases.Actor, in cases.CaseInput) (*cases.Case, error)
	SLAConfigOf(ctx context.Context, scope access.Scope, brandID int64) (cases.SLAConfigJSON, error)
}

// Service lists days and records choices.
type Service struct {
	db          *store.DB
	desk        Desk
	now         func() time.Time
	horizon     int
	storageDays int

	mu      sync.RWMutex
	changed []func(brandID int64, parcelID string)
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces the clock (tests, the demo).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithHorizon sets how many working days are offered at most.
func WithHorizon(n int) Option { return func(s *Service) { s.horizon = max(n, 1) } }

// WithStorageDays sets how many calendar days a delivery office keeps an item.
func WithStorageDays(n int) Option { return func(s *Service) { s.storageDays = max(n, 1) } }

// New returns the service over db, opening cases and reading brands' calendars through desk.
func New(db *store.DB, desk Desk, opts ...Option) *Service {
	s := &Service{db: db, desk: desk, now: time.Now, horizon: DefaultHorizon, storageDays: DefaultStorageDays}
	for _, o := range opts {
		o(s)
	}
	return s
}

// OnChoice registers fn, called after a choice was recorded (the tracking page drops the
// parcel's cached page).
func (s *Service) OnChoice(fn func(brandID int64, parcelID string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changed = append(s.changed, fn)
}

func (s *Service) notify(brandID int64, parcelID string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, fn := range s.changed {
		fn(brandID, parcelID)
	}
}

// plan is what a parcel's days are computed from.
type plan struct {
	parcel *tracking.Parcel
	days   []Day
	latest *Choice
}

// Days lists the valid days a parcel of brandID may be moved to, oldest first, the planned
// one marked; none when the parcel cannot be moved. A parcel of another brand is
// tracking.ErrNotFound.
func (s *Service) Days(ctx context.Context, brandID int64, parcelID string) ([]Day, error) {
	p, err := s.plan(ctx, brandID, parcelID)
	return p.days, err
}

// Latest returns the choice in force for a parcel (the newest), or nil.
func (s *Service) Latest(ctx context.Context, brandID int64, parcelID string) (*Choice, error) {
	id, err := tracking.ParseS10(parcelID)
	if err != nil {
		return nil, fmt.Errorf("parcel %q: %w", parcelID, tracking.ErrNotFound)
	}
	return latest(ctx, s.db, s.db.SQL, brandID, id)
}

func (s *Service) plan(ctx context.Context, brandID int64, parcelID string) (plan, error) {
	id, err := tracking.ParseS10(parcelID)
	if err != nil {
		return plan{}, fmt.Errorf("parcel %q: %w", parcelID, tracking.ErrNotFound)
	}
	scope := access.Brands(brandID)
	p, err := tracking.ReadParcel(ctx, s.db, s.db.SQL, scope, id)
	if err != nil {
		return plan{}, err
	}
	out := plan{parcel: p}
	if out.latest, err = latest(ctx, s.db, s.db.SQL, brandID, id); err != nil {
		return out, err
	}
	if p.Returning || !slices.Contains(movable, p.Phase) {
		return out, nil
	}
	loc, err := geo.LoadZone(p.Recipient.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	cal, err := s.desk.SLAConfigOf(ctx, scope, brandID)
	if err != nil {
		return out, fmt.Errorf("calendar of brand %d: %w", brandID, err)
	}
	working := workingDays(cal)
	evs, err := tracking.AttachedEvents(ctx, s.db, s.db.SQL, brandID, id)
	if err != nil {
		return out, err
	}
	// The storage deadline runs from the first arrival at the delivery office (or wherever
	// the parcel waits for delivery).
	arrived := p.PhaseAt
	for _, e := range evs {
		if c, ok := tracking.LookupEventCode(e.Code); ok && slices.Contains(movable, c.Phase) {
			at := e.OccurredAt
			arrived = &at
			break
		}
	}
	today := civil(s.now().In(loc))
	last := today.AddDate(0, 0, maxWalkDays)
	if arrived != nil {
		if deadline := civil(arrived.In(loc)).AddDate(0, 0, s.storageDays); deadline.Before(last) {
			last = deadline
		}
	}
	for d := today.AddDate(0, 0, 1); !d.After(last) && len(out.days) < s.horizon; d = d.AddDate(0, 0, 1) {
		if working(d) {
			out.days = append(out.days, Day{Date: d.Format(time.DateOnly), Weekday: d.Weekday()})
		}
	}
	planned := -1
	if out.latest != nil {
		planned = slices.IndexFunc(out.days, func(d Day) bool { return d.Date == out.latest.Date })
	}
	if planned < 0 {
		planned = slices.IndexFunc(out.days, func(d Day) bool { return d.Date == p.PromisedDate })
	}
	if planned < 0 && len(out.days) > 0 {
		planned = 0
	}
	if planned >= 0 {
		out.days[planned].Planned = true
	}
	return out, nil
}

// civil is t's calendar day as a UTC midnight (day arithmetic free of DST).
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// workingDays reads the brand's business calendar as delivery days: a weekday with opening
// hours that is not a holiday.
func workingDays(cal cases.SLAConfigJSON) func(time.Time) bool {
	var open [7]bool
	for wd, name := range [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		open[wd] = len(cal.Hours[name]) > 0
	}
	holidays := map[string]bool{}
	for _, h := range cal.Holidays {
		holidays[h] = true
	}
	return func(d time.Time) bool { return open[d.Weekday()] && !holidays[d.Format(time.DateOnly)] }
}

// Choose records the customer's choice of date (one of Days) for a parcel, made via one of
// Vias in call callID (0: none). Another day than the planned one opens a delivery_change
// case; the planned day is a confirmation (no case). The same choice again changes nothing
// and returns the recorded one.
func (s *Service) Choose(ctx context.Context, brandID int64, parcelID string, date, via string, callID int64) (Choice, error) {
	return s.ChooseBy(ctx, brandID, parcelID, date, via, callID, "")
}

// Confirm records that the customer keeps the planned day.
func (s *Service) Confirm(ctx context.Context, brandID int64, parcelID string, via string, callID int64) (Choice, error) {
	p, err := s.plan(ctx, brandID, parcelID)
	if err != nil {
		return Choice{}, err
	}
	for _, d := range p.days {
		if d.Planned {
			return s.ChooseBy(ctx, brandID, parcelID, d.Date, via, callID, "")
		}
	}
	return Choice{}, fmt.Errorf("parcel %s (%s): %w", p.parcel.ID, p.parcel.Phase, ErrNotMovable)
}

// ChooseBy is Choose recorded as made by who (an actor label such as "user:alice@shop.test";
// empty: the customer, through via).
func (s *Service) ChooseBy(ctx context.Context, brandID int64, parcelID string, date, via string, callID int64, who string) (Choice, error) {
	if _, fe := input.OneOf("via", via, Vias); fe != nil {
		return Choice{}, input.Invalid(fe)
	}
	if who == "" {
		who = "customer:" + via
	}
	p, err := s.plan(ctx, brandID, parcelID)
	if err != nil {
		return Choice{}, err
	}
	date = strings.TrimSpace(date)
	i := slices.IndexFunc(p.days, func(d Day) bool { return d.Date == date })
	if i < 0 {
		return Choice{}, input.Invalid(dateError(p, date))
	}
	planned := p.days[i].Planned
	var c Choice
	var fresh bool // this call recorded the choice, or claimed the opening of its stuck case
	err = s.inTx(ctx, func(tx store.Tx) error {
		now := s.now().UTC()
		cur, err := latest(ctx, s.db, tx, brandID, p.parcel.ID)
		if err != nil {
			return err
		}
		if cur != nil && cur.Date == date {
			c, fresh = *cur, false
			if c.CaseID == 0 && !c.Planned {
				// A case that was being opened by a request that died: claim it once its
				// claim ran out.
				res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE parcel_choices SET opening_until = ?
					WHERE id = ? AND case_id = 0 AND (opening_until IS NULL OR opening_until < ?)`), now.Add(time.Minute), c.ID, now)
				if err != nil {
					return fmt.Errorf("claim choice %d: %w", c.ID, err)
				}
				n, _ := res.RowsAffected()
				fresh = n == 1
			}
			return nil
		}
		seq := int64(1)
		if cur != nil {
			seq = cur.seq + 1
		}
		var until *time.Time
		if !planned {
			u := now.Add(time.Minute)
			until = &u
		}
		c = Choice{ParcelID: p.parcel.ID, BrandID: brandID, Date: date, Weekday: p.days[i].Weekday, Via: via, CallID: callID,
			At: now, Planned: planned, By: who, seq: seq}
		fresh = true
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO parcel_choices (brand_id, parcel_id, seq, day, planned, via,
			call_id, chosen_by, opening_until, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			brandID, c.ParcelID, seq, date, planned, via, callID, who, store.TimeArg(until), now).Scan(&c.ID); err != nil {
			return err
		}
		// Every node's tracking page cache drops the parcel's page on this message.
		return outbox.Write(ctx, s.db, tx, []outbox.Entry{{Topic: TopicDayChosen, BrandID: brandID, ItemID: c.ParcelID,
			Payload: c.View()}}, now)
	})
	if err != nil {
		return Choice{}, fmt.Errorf("choose a delivery day: %w", err)
	}
	if !fresh {
		return c, nil
	}
	if !c.Planned {
		if err := s.openCase(ctx, p, &c); err != nil {
			return Choice{}, err
		}
	}
	s.notify(brandID, c.ParcelID)
	return c, nil
}

// openCase opens the choice's delivery_change case and links it. When the case tracker
// refuses, the choice is taken back: the customer may try again.
func (s *Service) openCase(ctx context.Context, p plan, c *Choice) error {
	source := cases.SourceCall
	switch c.Via {
	case ViaWeb:
		source = cases.SourceFeedbackForm
	case ViaAgent:
		source = cases.SourceAgent
	}
	note := fmt.Sprintf("The customer chose delivery on %s, %s (%s).", c.Weekday, c.Date, viaWords[c.Via])
	if c.CallID != 0 {
		note += fmt.Sprintf(" Call %d.", c.CallID)
	}
	cs, err := s.desk.Open(ctx, access.Brands(c.BrandID), cases.Actor{Label: c.By}, cases.CaseInput{Parcels: []string{c.ParcelID},
		Type: string(cases.TypeDeliveryChange), Source: string(source), Subject: "New delivery day: " + c.Date, Note: note})
	if err != nil {
		if _, derr := s.db.SQL.ExecContext(ctx, s.db.Rebind(`DELETE FROM parcel_choices WHERE id = ? AND case_id = 0`), c.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return fmt.Errorf("choose a delivery day: open the case: %w", err)
	}
	c.CaseID, c.CaseNumber = cs.ID, cs.Number
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE parcel_choices SET case_id = ?, case_number = ?, opening_until = NULL
			WHERE id = ?`), cs.ID, cs.Number, c.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("choose a delivery day: link case %s: %w", cs.Number, err)
	}
	return nil
}

// viaWords say how a choice was made, in the agents' timeline.
var viaWords = map[string]string{ViaWeb: "on the tracking page", ViaPhone: "by phone", ViaRobocall: "in an automated call", ViaAgent: "through an agent"}

// dateError says why date is not one of the parcel's days.
func dateError(p plan, date string) *input.FieldError {
	if len(p.days) == 0 {
		why := "it is " + strings.ReplaceAll(string(p.parcel.Phase), "_", " ")
		if p.parcel.Returning || p.parcel.Phase == tracking.PhaseReturning {
			why = "it is being returned to the sender"
		}
		return input.Errorf("date", "parcel %s cannot be moved to another delivery day now: %s", p.parcel.ID, why)
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return input.Errorf("date", "must be a date YYYY-MM-DD, got %q", date)
	}
	list := make([]string, len(p.days))
	for i, d := range p.days {
		list[i] = d.Date
	}
	return input.Errorf("date", "%s is not a day parcel %s may be delivered on; the days are %s", date, p.parcel.ID, strings.Join(list, ", "))
}

// inTx runs fn in a write transaction, again when a concurrent writer took the same seq.
func (s *Service) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.db.WriteTx(ctx, fn); err == nil || !store.Retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

const choiceCols = `id, brand_id, parcel_id, seq, day, planned, via, call_id, chosen_by, case_id, case_number, created_at`

func scanChoice(sc interface{ Scan(...any) error }) (*Choice, error) {
	var c Choice
	if err := sc.Scan(&c.ID, &c.BrandID, &c.ParcelID, &c.seq, &c.Date, &c.Planned, &c.Via, &c.CallID, &c.By, &c.CaseID,
		&c.CaseNumber, &c.At); err != nil {
		return nil, err
	}
	c.At = c.At.UTC()
	if d, err := time.Parse(time.DateOnly, c.Date); err == nil {
		c.Weekday = d.Weekday()
	}
	return &c, nil
}

// latest reads the choice in force for a parcel of a brand (nil: none).
func latest(ctx context.Context, db *store.DB, q store.Tx, brandID int64, parcelID string) (*Choice, error) {
	c, err := scanChoice(q.QueryRowContext(ctx, db.Rebind(`SELECT `+choiceCols+` FROM parcel_choices
		WHERE brand_id = ? AND parcel_id = ? ORDER BY seq DESC LIMIT 1`), brandID, parcelID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("choice of parcel %s: %w", parcelID, err)
	}
	return c, nil
}

// History lists a parcel's choices, oldest first.
func (s *Service) History(ctx context.Context, brandID int64, parcelID string) ([]Choice, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT `+choiceCols+` FROM parcel_choices
		WHERE brand_id = ? AND parcel_id = ? ORDER BY seq`), brandID, parcelID)
	if err != nil {
		return nil, fmt.Errorf("choices of parcel %s: %w", parcelID, err)
	}
	defer rows.Close()
	var out []Choice
	for rows.Next() {
		c, err := scanChoice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}
