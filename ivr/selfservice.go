package ivr

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/throttle"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// Answers the hotline's self-service records on its call row (calls.ivr_answer; keys in
// calls.ivr_keys); AnswerDay + YYYY-MM-DD when the caller chose a delivery day.
const (
	AnswerStatus    = "status"    // heard the status, then hung up or went on to the queue
	AnswerSMS       = "sms"       // heard the status and asked for the tracking link by SMS
	AnswerNotFound  = "not_found" // keyed digits (or 0) that found no parcel: the queue
	AnswerThrottled = "throttled" // keyed too many tracking numbers: the queue
)

// Outcomes of wismo_hotline_selfservice_total and values of calls.self_service.
const (
	OutcomeDeflected = "deflected" // resolved by self-service: the call ended there, no queue
	OutcomeQueue     = "queue"     // went on to the queue after the status, reached no agent
	OutcomeAgent     = "agent"     // reached an agent after the status
)

// DispositionSelfService is the disposition of a hotline call resolved by self-service (its
// outcome is answered, its agent none).
const DispositionSelfService = "self_service"

// Parcels reads a parcel as the public tracking page shows it (*tracking.Service).
type Parcels interface {
	Parcel(ctx context.Context, scope access.Scope, rawID string) (tracking.ParcelView, error)
	ParcelsBySerial(ctx context.Context, scope access.Scope, digits string) ([]tracking.ParcelView, error)
}

// Keying in tracking numbers is throttled (package throttle): a caller's number gets
// MaxLookups lookups an hour (every call together), all callers together GlobalLookups a
// minute (defaults; WISMO_HOTLINE_LOOKUPS_PER_NUMBER, WISMO_HOTLINE_LOOKUPS), and one call
// three tries.
const (
	MaxLookups     = 6
	GlobalLookups  = 6000 // 100 a second: about what a 1,000-line hotline keys at full load
	lookupsPer     = time.Hour
	triesPerCall   = 3
	trackingDigits = 9 // the S10 serial and its check digit
)

// SelfService is the hotline's self-service before the queue (issue 19 item 1; docs/ivr.md):
// the brand's greeting; a caller whose number matched a parcel (callcenter.Call.ParcelID)
// hears that parcel's status in their language, built from the tracking page's customer words
// (trackwords) in cached fragments; any other caller keys in the tracking number's digits.
// Then a menu (HotlineMenu): again, another delivery day (deliverydays, via phone), the
// tracking link by SMS, an agent (the queue). Changes and the SMS need the caller's number to
// be the recipient's. callcenter.Config.SelfService.
type SelfService struct {
	Eng       *telephony.Endpoint
	Prompts   *Prompts
	Parcels   Parcels
	Words     *trackwords.Cache // the brand's overrides (nil: the catalog's words)
	Settings  *Settings
	Days      Days
	SMS       Planner   // plans the tracking link's SMS (*dialer.Service; nil: no SMS option)
	PublicURL string    // base of the tracking link: PublicURL/track/{id}
	DB        *store.DB // the call row's ivr_answer, ivr_keys, self_service (nil: not written)
	Log       *slog.Logger
	Collect   Collect // timeouts of a question (defaults: one key, 6 s after the prompt)
	// FragmentWait bounds the wait for one status fragment (default FragmentWait).
	FragmentWait time.Duration
	// NumberLookups a calling number may key in an hour (default MaxLookups), AllLookups all
	// callers together in a minute (default GlobalLookups).
	NumberLookups, AllLookups int
	Count                     *prometheus.CounterVec
	Now                       func() time.Time

	once                   sync.Once
	perNumber, all, smsPer *throttle.Rate
}

// NewSelfServiceCounter is wismo_hotline_selfservice_total{outcome}; register it once.
func NewSelfServiceCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_hotline_selfservice_total",
		Help: "Hotline callers who heard their parcel's status before the queue, by outcome: deflected (resolved there, no queue), queue (no agent reached), agent."},
		[]string{"outcome"})
}

func (s *SelfService) init() {
	s.once.Do(func() {
		if s.NumberLookups <= 0 {
			s.NumberLookups = MaxLookups
		}
		if s.AllLookups <= 0 {
			s.AllLookups = GlobalLookups
		}
		s.perNumber = throttle.NewRate(throttle.Limit{Events: s.NumberLookups, Window: lookupsPer}, 0, s.now)
		s.all = throttle.NewRate(throttle.Limit{Events: s.AllLookups, Window: time.Minute}, 1, s.now)
		s.smsPer = throttle.NewRate(throttle.Limit{Events: MaxLinkSMS, Window: 24 * time.Hour}, 0, s.now)
	})
}

// Serve implements callcenter.Config.SelfService: it returns when the caller goes on to the
// queue, or is gone (hung up, or hung up on after choosing a day: call control logs the call
// answered, resolved here), and gives the function the call center calls at the end of the
// call with whether an agent answered (nil: no status was heard). The parcel whose status
// was heard becomes the call's (c.ParcelID: the queue routes by its recipient's language).
func (s *SelfService) Serve(ctx context.Context, leg *telephony.Leg, c *callcenter.Call) func(agent bool) {
	call := *c
	if call.BrandID == 0 {
		return nil
	}
	s.init()
	lg := callerLang(call.From)
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
		if p.Recipient.Language != "" {
			lg = string(trackwords.LangOf(p.Recipient.Language))
		}
	}
	greeting := s.greeting(ctx, call.BrandID, lg)
	if !matched {
		var answer string
		if p, matched, keyed, answer = s.keyIn(ctx, leg, call, greeting); answer != "" {
			if keyed != "" || answer == AnswerThrottled {
				s.record(call, answer, keyed)
			}
			return nil
		}
		greeting = nil // heard before the question
	}
	if matched && p.Recipient.Language != "" {
		lg = string(trackwords.LangOf(p.Recipient.Language))
	}
	call.ParcelID, c.ParcelID = p.ID, p.ID
	answer, keys := s.menu(ctx, leg, call, p, matched, lg, greeting)
	s.record(call, answer, keyed+keys)
	if leg.EndedBy() != "" { // resolved here: call control logs it answered
		s.resolve(call, OutcomeDeflected)
		return func(bool) {}
	}
	return func(agent bool) {
		if agent {
			s.resolve(call, OutcomeAgent)
		} else {
			s.resolve(call, OutcomeQueue)
		}
	}
}

// greeting is the brand's greeting in lang: its recording, or its text (or the catalog's)
// spoken.
func (s *SelfService) greeting(ctx context.Context, brand int64, lg string) []int16 {
	m, err := s.Settings.HotlineMenu(ctx, brand, lg)
	if err != nil {
		s.Log.Warn("self-service: hotline menu not read", "brand", brand, "err", err)
	}
	name, _ := s.Settings.BrandName(ctx, brand)
	a, _ := s.Prompts.Audio(ctx, brand, PromptHotlineGreeting, lg, m.GreetingText(name))
	return a
}

// promptGap is the silence between the parts of a prompt (300 ms).
const promptGap = 2400

// menu plays the greeting (when not heard yet), the status and the menu, and does what the
// caller keys: the answer for the call row and the keys pressed.
func (s *SelfService) menu(ctx context.Context, leg *telephony.Leg, call callcenter.Call, p tracking.ParcelView, matched bool,
	lg string, greeting []int16) (string, string) {
	loc := i18n.New(i18n.Lang(lg), time.UTC)
	cfg, _ := s.Settings.HotlineMenu(ctx, call.BrandID, lg)
	var options []deliverydays.Day
	if s.Days != nil && matched { // a change needs the caller's number to be the recipient's
		days, _ := s.Days.Days(ctx, call.BrandID, p.ID)
		for _, d := range days {
			if !d.Planned && len(options) < 9 {
				options = append(options, d)
			}
		}
	}
	// The link goes to the calling number, and only when it is the recipient's.
	caller, _ := geo.NormalizePhone(call.From, "")
	offer := menuOffer{days: len(options) > 0, sms: matched && s.SMS != nil && s.DB != nil && caller != "" && caller == p.Recipient.Phone}
	name, _ := s.Settings.BrandName(ctx, call.BrandID)
	menu, _ := s.Prompts.Audio(ctx, call.BrandID, PromptHotlineMenu, lg, cfg.MenuText(name, offer))
	status := s.status(ctx, call.BrandID, lg, loc, p)
	join := func(parts ...[]int16) []int16 {
		n := 0
		for _, a := range parts {
			if len(a) > 0 {
				n += len(a) + promptGap
			}
		}
		out := make([]int16, 0, n) // one allocation: the prompts are seconds long
		for _, a := range parts {
			if len(a) > 0 {
				out = append(out, a...)
				out = out[:len(out)+promptGap] // zeroed by make: the gap's silence
			}
		}
		return out
	}
	prompt := join(greeting, status, menu)
	c := s.Collect
	if c.FirstDigit == 0 {
		c.FirstDigit = 6 * time.Second
	}
	c.MaxDigits, c.NoTerminator = 1, true
	answer, keys := AnswerStatus, ""
	for try := 0; try < 3 && ctx.Err() == nil; try++ {
		res, err := PlayCollect(ctx, s.Eng, leg, prompt, c)
		keys += res.Digits
		prompt = join(status, menu)
		if err != nil || res.Stop == StopHangup {
			break
		}
		switch {
		case res.Digits == cfg.Keys.Again:
			continue
		case res.Digits == cfg.Keys.OtherDays && offer.days:
			d, more := s.otherDay(ctx, leg, call, lg, loc, options, c)
			keys += more
			if d == "" {
				continue
			}
			leg.Hangup(ctx, "") // the caller was served: call control logs the end
			return AnswerDay + d, keys
		case res.Digits == cfg.Keys.SMS && offer.sms:
			answer = AnswerSMS
			said := s.sendLink(ctx, call, p, lg, loc)
			prompt = join(said, menu)
			continue
		}
		break // the agent's key, no key, or a key that means nothing: the queue
	}
	return answer, keys
}

// keyIn asks a caller whose number matched no parcel for the tracking number's nine digits
// (after the greeting) and finds the brand's parcel (pick). answer is "" when a parcel was
// found, else why not (AnswerNotFound: 0, no key, the tries used up; AnswerThrottled: the
// number's or everyone's lookups used up): the queue. matched says the parcel's recipient
// has the caller's number.
func (s *SelfService) keyIn(ctx context.Context, leg *telephony.Leg, call callcenter.Call, greeting []int16) (p tracking.ParcelView, matched bool, keys, answer string) {
	lg := callerLang(call.From)
	loc := i18n.New(i18n.Lang(lg), time.UTC)
	ask, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.key_in", lg, loc.T("ivr.self.key_in"))
	c := Collect{MaxDigits: trackingDigits + 1, // # ends it: a 9th digit must not end it and leave # to the menu
		FirstDigit: 8 * time.Second, InterDigit: 4 * time.Second}
	if s.Collect.FirstDigit != 0 {
		c.FirstDigit = s.Collect.FirstDigit
	}
	prompt := make([]int16, len(greeting)+promptGap, len(greeting)+promptGap+len(ask))
	copy(prompt, greeting)
	prompt = append(prompt, ask...)
	for try := 0; try < triesPerCall && ctx.Err() == nil; try++ {
		c.TypeAhead = try == 0 // the call's first question: keys sent since the answer are its answer
		res, err := PlayCollect(ctx, s.Eng, leg, prompt, c)
		prompt = ask
		if res.Digits != "" {
			keys += res.Digits + "#"
		}
		if err != nil || res.Stop == StopHangup || res.Digits == "" || res.Digits == "0" {
			return p, false, keys, AnswerNotFound
		}
		if !s.allow(call.From) {
			a, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.throttled", lg, loc.T("ivr.self.throttled"))
			s.Eng.Play(ctx, leg, a, false)
			return p, false, keys, AnswerThrottled
		}
		if ps, err := s.Parcels.ParcelsBySerial(ctx, access.Brands(call.BrandID), res.Digits); err == nil && len(ps) > 0 {
			p, matched = pick(ps, call.From)
			return p, matched, keys, ""
		}
		nf, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.not_found", lg, loc.T("ivr.self.not_found"))
		s.Eng.Play(ctx, leg, nf, false)
	}
	return p, false, keys, AnswerNotFound
}

// allow counts a lookup for the caller's number and for everyone: false past MaxLookups of
// the number in the last hour or GlobalLookups of everyone in the last minute.
func (s *SelfService) allow(from string) bool {
	s.init()
	if ok, _ := s.perNumber.Allow(from); !ok {
		return false
	}
	ok, _ := s.all.Allow("all")
	return ok
}

// pick chooses among the brand's parcels whose serial and check digit were keyed (the two
// letters of an S10 number cannot be keyed, RB 12345678 5 GB): the one whose recipient has
// the caller's number (matched), else the one whose last scan was in the caller's country,
// else the most recently updated (ps are in that order).
func pick(ps []tracking.ParcelView, from string) (tracking.ParcelView, bool) {
	caller, _ := geo.NormalizePhone(from, "")
	for _, p := range ps {
		if caller != "" && p.Recipient.Phone == caller {
			return p, true
		}
	}
	if num, err := phonenumbers.Parse(caller, ""); err == nil && caller != "" {
		country := phonenumbers.GetRegionCodeForNumber(num)
		for _, p := range ps {
			if n := len(p.Events); n > 0 && strings.EqualFold(p.Events[n-1].Country, country) {
				return p, false
			}
		}
	}
	return ps[0], false
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
