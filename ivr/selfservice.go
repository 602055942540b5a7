package ivr

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// Answers the hotline's self-service records on its call row (calls.ivr_answer; keys in
// calls.ivr_keys); AnswerDay + YYYY-MM-DD when the caller chose a delivery day.
const (
	AnswerStatus   = "status"    // heard the status, then went on to the queue (0, no key, nothing usable)
	AnswerNotFound = "not_found" // keyed digits (or 0) that found no parcel: the queue
)

// Outcomes of wismo_hotline_selfservice_total.
const (
	OutcomeDeflected = "deflected" // the call ended without an agent after the caller heard the status
	OutcomeAgent     = "agent"     // the caller reached an agent after the status
)

// Parcels reads a parcel as the public tracking page shows it (*tracking.Service).
type Parcels interface {
	Parcel(ctx context.Context, scope access.Scope, rawID string) (tracking.ParcelView, error)
	ParcelsBySerial(ctx context.Context, scope access.Scope, digits string) ([]tracking.ParcelView, error)
}

// Keying in tracking numbers is throttled: a caller's number gets MaxLookups lookups an hour
// (every call together), and one call three tries.
const (
	MaxLookups     = 6
	lookupsPer     = time.Hour
	triesPerCall   = 3
	trackingDigits = 9 // the S10 serial and its check digit
)

// SelfService is the hotline's self-service before the queue (issue 19 item 1, the core):
// a caller whose number matched a parcel (callcenter.Call.ParcelID) hears that parcel's status
// in their language, built from the tracking page's customer words (trackwords) in cached
// fragments, then a menu: 1 hear it again, 2 another delivery day (deliverydays, via phone),
// 0 or no key the queue. callcenter.Config.SelfService.
type SelfService struct {
	Eng      *telephony.Endpoint
	Prompts  *Prompts
	Parcels  Parcels
	Words    *trackwords.Cache // the brand's overrides (nil: the catalog's words)
	Settings *Settings
	Days     Days
	DB       *store.DB // the call row's ivr_answer, ivr_keys (nil: not written)
	Log      *slog.Logger
	Collect  Collect // timeouts of a question (defaults: one key, 6 s after the prompt)
	Count    *prometheus.CounterVec
	Now      func() time.Time

	mu      sync.Mutex
	lookups map[string][]time.Time // a caller's number: when it looked parcels up (the last hour)
}

// NewSelfServiceCounter is wismo_hotline_selfservice_total{outcome}; register it once.
func NewSelfServiceCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_hotline_selfservice_total",
		Help: "Hotline callers who heard their parcel's status before the queue, by outcome: deflected (the call ended without an agent), agent."},
		[]string{"outcome"})
}

// Serve implements callcenter.Config.SelfService: it returns when the caller goes on to the
// queue (or hung up, or was hung up on after choosing a day), and gives the function the call
// center calls at the end of the call with whether an agent answered (nil: nothing was said).
func (s *SelfService) Serve(ctx context.Context, leg *telephony.Leg, call callcenter.Call) func(agent bool) {
	if call.BrandID == 0 {
		return nil
	}
	var p tracking.ParcelView
	var keyed string               // the digits keyed in, each try ending in #
	matched := call.ParcelID != "" // by the caller's number: the caller is the recipient
	if matched {
		var err error
		p, err = s.Parcels.Parcel(ctx, access.Brands(call.BrandID), call.ParcelID)
		if err != nil || p.BrandID != call.BrandID {
			s.Log.Warn("self-service: parcel not read", "parcel", call.ParcelID, "err", err)
			return nil
		}
	} else {
		var ok bool
		if p, keyed, ok = s.keyIn(ctx, leg, call); !ok {
			if keyed != "" {
				s.record(call, AnswerNotFound, keyed)
			}
			return nil
		}
	}
	lg := callerLang(call.From)
	if p.Recipient.Language != "" {
		lg = string(trackwords.LangOf(p.Recipient.Language))
	}
	loc := i18n.New(i18n.Lang(lg), time.UTC)
	status := s.status(ctx, call.BrandID, lg, loc, p)
	var days []deliverydays.Day
	if s.Days != nil && matched { // a change needs the caller's number to be the recipient's
		days, _ = s.Days.Days(ctx, call.BrandID, p.ID)
	}
	var options []deliverydays.Day
	for _, d := range days {
		if !d.Planned && len(options) < 9 {
			options = append(options, d)
		}
	}
	menuKey := "ivr.self.menu"
	if len(options) == 0 {
		menuKey = "ivr.self.menu_no_days"
	}
	menu, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.menu", lg, loc.T(menuKey))
	prompt := append(append(append([]int16(nil), status...), make([]int16, 2400)...), menu...)
	c := s.Collect
	if c.FirstDigit == 0 {
		c.FirstDigit = 6 * time.Second
	}
	c.MaxDigits, c.NoTerminator = 1, true
	answer, keys := AnswerStatus, keyed
	defer func() { s.record(call, answer, keys) }()
	for try := 0; try < 3 && ctx.Err() == nil; try++ {
		res, err := PlayCollect(ctx, s.Eng, leg, prompt, c)
		keys += res.Digits
		if err != nil || res.Stop == StopHangup {
			break
		}
		if res.Digits == "1" {
			continue // hear it again
		}
		if res.Digits == "2" && len(options) > 0 {
			d, more := s.otherDay(ctx, leg, call, lg, loc, options, c)
			keys += more
			if d == "" {
				continue
			}
			answer = AnswerDay + d
			leg.Hangup(ctx, "") // the caller was served: call control logs the end
		}
		break // 0, no key, or a key that means nothing: the queue
	}
	return func(agent bool) {
		outcome := OutcomeDeflected
		if agent {
			outcome = OutcomeAgent
		}
		if s.Count != nil {
			s.Count.WithLabelValues(outcome).Inc()
		}
	}
}

// keyIn asks a caller whose number matched no parcel for the tracking number's nine digits
// and finds the brand's parcel (the most recently updated when several share them); ok false:
// 0, no key, the tries or the number's lookups used up: the queue.
func (s *SelfService) keyIn(ctx context.Context, leg *telephony.Leg, call callcenter.Call) (tracking.ParcelView, string, bool) {
	lg := callerLang(call.From)
	loc := i18n.New(i18n.Lang(lg), time.UTC)
	ask, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.key_in", lg, loc.T("ivr.self.key_in"))
	c := Collect{MaxDigits: trackingDigits + 1, // # ends it: a 9th digit must not end it and leave # to the menu
		FirstDigit: 8 * time.Second, InterDigit: 4 * time.Second}
	if s.Collect.FirstDigit != 0 {
		c.FirstDigit = s.Collect.FirstDigit
	}
	var keys string
	for try := 0; try < triesPerCall && ctx.Err() == nil; try++ {
		res, err := PlayCollect(ctx, s.Eng, leg, ask, c)
		if res.Digits != "" {
			keys += res.Digits + "#"
		}
		if err != nil || res.Stop == StopHangup || res.Digits == "" || res.Digits == "0" || !s.allow(call.From) {
			return tracking.ParcelView{}, keys, false
		}
		if ps, err := s.Parcels.ParcelsBySerial(ctx, access.Brands(call.BrandID), res.Digits); err == nil && len(ps) > 0 {
			return ps[0], keys, true
		}
		nf, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.not_found", lg, loc.T("ivr.self.not_found"))
		s.Eng.Play(ctx, leg, nf, false)
	}
	return tracking.ParcelView{}, keys, false
}

// allow counts a lookup for the caller's number: false past MaxLookups in the last hour.
func (s *SelfService) allow(from string) bool {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookups == nil {
		s.lookups = map[string][]time.Time{}
	}
	var recent []time.Time
	for _, t := range s.lookups[from] {
		if now.Sub(t) < lookupsPer {
			recent = append(recent, t)
		}
	}
	if len(recent) >= MaxLookups {
		s.lookups[from] = recent
		return false
	}
	s.lookups[from] = append(recent, now)
	if len(s.lookups) > 10000 { // a bound on the memory: forget every number's history
		clear(s.lookups)
	}
	return true
}

// status is the spoken status of the parcel: "Your parcel from <brand>." "<status words>:
// <place>." "Expected by <date>." — three fragments synthesised (and cached) on their own, so
// every caller whose parcel is at the same stage in the same place shares them. It says what
// the public tracking page says: the brand, the customer words of the latest event, the
// event's place and the expected day; no name, no address.
func (s *SelfService) status(ctx context.Context, brand int64, lg string, loc i18n.Locale, p tracking.ParcelView) []int16 {
	var out []int16
	for _, t := range s.statusTexts(ctx, brand, lg, loc, p) {
		a, err := s.Prompts.Synthesize(ctx, lg, t)
		if err != nil {
			a, _ = s.Prompts.Audio(ctx, brand, "selfservice.status", lg, "")
			return a
		}
		out = append(append(out, a...), make([]int16, 1600)...)
	}
	return out
}

// statusTexts are the fragments of the status sentence.
func (s *SelfService) statusTexts(ctx context.Context, brand int64, lg string, loc i18n.Locale, p tracking.ParcelView) []string {
	name, _ := s.Settings.BrandName(ctx, brand)
	words := trackwords.For(lg, s.Words.Brand(ctx, brand, lg))
	ev := words.Latest(p)
	texts := []string{loc.T("ivr.self.intro", "brand", name)}
	place := ""
	if n := len(p.Events); n > 0 {
		place = p.Events[n-1].Location
	}
	if place != "" {
		texts = append(texts, loc.T("ivr.self.status_at", "status", ev.Label, "place", place))
	} else {
		texts = append(texts, loc.T("ivr.self.status", "status", ev.Label))
	}
	if p.DeliveredAt == nil {
		if d := firstOf(p.ExpectedDate, p.PromisedDate); d != "" {
			texts = append(texts, loc.T("ivr.self.expected", "date", SpokenDate(loc, day(d))))
		}
	}
	return texts
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// otherDay offers options by key (1 to 9) and records the choice (via phone, with the call's
// id): the date chosen ("" none) and the keys.
func (s *SelfService) otherDay(ctx context.Context, leg *telephony.Leg, call callcenter.Call, lg string, loc i18n.Locale,
	options []deliverydays.Day, c Collect) (string, string) {
	audio, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.days", lg, dayOptions(loc, options))
	res, err := PlayCollect(ctx, s.Eng, leg, audio, c)
	if err != nil || res.Stop == StopHangup {
		return "", res.Digits
	}
	n, _ := strconv.Atoi(res.Digits)
	if n < 1 || n > len(options) {
		return "", res.Digits
	}
	d := options[n-1]
	if _, err := s.Days.Choose(ctx, call.BrandID, call.ParcelID, d.Date, deliverydays.ViaPhone, call.ID); err != nil {
		s.Log.Error("self-service: delivery day not recorded", "parcel", call.ParcelID, "day", d.Date, "err", err)
		return "", res.Digits
	}
	done, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.chosen", lg, loc.T("ivr.robocall.chosen", "date", SpokenDate(loc, day(d.Date))))
	s.Eng.Play(ctx, leg, done, false)
	return d.Date, res.Digits
}

// record writes what the caller did on the call row.
func (s *SelfService) record(call callcenter.Call, answer, keys string) {
	if s.DB == nil || call.ID == 0 {
		return
	}
	if _, err := s.DB.SQL.ExecContext(context.Background(), s.DB.Rebind(`UPDATE calls SET ivr_answer = ?, ivr_keys = ? WHERE id = ? AND brand_id = ?`),
		answer, keys, call.ID, call.BrandID); err != nil {
		s.Log.Error("self-service answer not logged", "call", call.ID, "err", err)
	}
}

// dayOptions is "Press 1 for Wednesday 9 December. Press 2 for ..." (the robocall's words).
func dayOptions(loc i18n.Locale, options []deliverydays.Day) string {
	var text string
	for i, d := range options {
		text += loc.T("ivr.robocall.day_option", "key", strconv.Itoa(i+1), "date", SpokenDate(loc, day(d.Date))) + " "
	}
	return text
}
