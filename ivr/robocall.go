package ivr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
)

// ModeRobocall is the campaign mode of automated calls.
const ModeRobocall = "robocall"

// Answers a robocall records on its call row (calls.ivr_answer).
const (
	AnswerConfirm = "confirm" // the planned day
	AnswerDay     = "day:"    // + YYYY-MM-DD: another day
	AnswerAgent   = "agent"   // the customer asked for a person
	AnswerNone    = "none"    // no usable key
)

// Days is the delivery-days service as the robocall uses it (*deliverydays.Service).
type Days interface {
	Days(ctx context.Context, brandID int64, parcelID string) ([]deliverydays.Day, error)
	Choose(ctx context.Context, brandID int64, parcelID string, date, via string, callID int64) (deliverydays.Choice, error)
	Confirm(ctx context.Context, brandID int64, parcelID string, via string, callID int64) (deliverydays.Choice, error)
}

// Transferer takes an answered leg into the brand's hotline queue (*callcenter.Center): key 0.
type Transferer interface {
	Transfer(ctx context.Context, customer *telephony.Leg, brand int64, parcel, phone string) error
}

// Promiser plans a callback (*callback.Service): what key 0 does until robocalls can join the
// hotline queue live.
type Promiser interface {
	Promise(ctx context.Context, p callcenter.Promise) (int64, error)
}

// Robocall places the calls of robocall campaigns (a dialer.CallPlacer in front of the call
// center's): it dials the customer, plays the brand's prompt with the parcel's data in the
// customer's language, collects a key and records the answer on the call and the parcel.
// Calls of other campaigns go to Next.
type Robocall struct {
	DB       *store.DB
	Eng      *telephony.Endpoint
	Prompts  *Prompts
	Settings *Settings
	Days     Days
	Calls    *callcenter.CallLog
	Outcomes callcenter.OutcomeRecorder
	Next     dialer.CallPlacer // the call center's placer (nil: robocalls only)
	Queue    Transferer        // key 0: the brand's hotline queue (nil, or no queue: Agents)
	Agents   Promiser          // key 0 without a queue: a callback (nil: the answer is recorded only)
	Log      *slog.Logger
	Lines    int     // robocalls at once (default 4)
	Collect  Collect // timeouts of each question (defaults: one key, 8 s)

	base  context.Context
	lines chan struct{}
}

var (
	_ dialer.CallPlacer    = (*Robocall)(nil)
	_ dialer.AgentCapacity = (*Robocall)(nil)
)

// Start sets the context calls run under (they outlive the dialer's PlaceCall).
func (r *Robocall) Start(base context.Context) {
	if r.Lines <= 0 {
		r.Lines = 4
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
	r.base, r.lines = base, make(chan struct{}, r.Lines)
}

// FreeAgents implements dialer.AgentCapacity: the call center's free agents, plus the free
// robocall lines for the brands with robocalls due (robocalls need no agent). A brand's agent
// calls claimed on those lines and finding no agent are handed back, no attempt, as before.
func (r *Robocall) FreeAgents(ctx context.Context, brands []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if cp, ok := r.Next.(dialer.AgentCapacity); ok {
		n, err := cp.FreeAgents(ctx, brands)
		if err != nil {
			return nil, err
		}
		out = n
	}
	free := r.Lines - len(r.lines)
	if free <= 0 || len(brands) == 0 {
		return out, nil
	}
	rows, err := r.DB.SQL.QueryContext(ctx, r.DB.Rebind(`SELECT DISTINCT c.brand_id FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
		WHERE c.channel = 'call' AND c.status = 'planned' AND c.due_at <= ? AND k.status = 'running' AND k.mode = ?`), time.Now().UTC(), ModeRobocall)
	if err != nil {
		return nil, fmt.Errorf("brands with robocalls due: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b int64
		if rows.Scan(&b) == nil {
			out[b] += free
		}
	}
	return out, rows.Err()
}

// campaignMode is the mode of campaign id of brand ("" when there is none).
func (r *Robocall) campaignMode(ctx context.Context, brand, id int64) (string, error) {
	var mode string
	err := r.DB.SQL.QueryRowContext(ctx, r.DB.Rebind(`SELECT mode FROM campaigns WHERE id = ? AND brand_id = ?`), id, brand).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return mode, err
}

// PlaceCall implements dialer.CallPlacer.
func (r *Robocall) PlaceCall(ctx context.Context, req dialer.CallRequest) error {
	mode, err := r.campaignMode(ctx, req.BrandID, req.CampaignID)
	if err != nil {
		return fmt.Errorf("contact %d: %w: %w", req.ContactID, dialer.ErrNotSent, err)
	}
	if mode != ModeRobocall {
		if r.Next == nil {
			return fmt.Errorf("contact %d: %w: no call center", req.ContactID, dialer.ErrNotSent)
		}
		return r.Next.PlaceCall(ctx, req)
	}
	select {
	case r.lines <- struct{}{}:
	default:
		return fmt.Errorf("contact %d: %w: every robocall line is busy", req.ContactID, dialer.ErrNotSent)
	}
	call := callcenter.Call{Direction: callcenter.Outbound, Mode: ModeRobocall, BrandID: req.BrandID, ParcelID: req.ParcelID,
		CampaignRef: strconv.FormatInt(req.CampaignID, 10), ContactRef: strconv.FormatInt(req.ContactID, 10),
		From: r.Eng.CallerID(req.CallerID), To: req.To, StartedAt: time.Now().UTC()}
	if err := r.Calls.Create(ctx, &call); err != nil {
		<-r.lines
		return fmt.Errorf("contact %d: %w: %w", req.ContactID, dialer.ErrNotSent, err)
	}
	go func() {
		defer func() { <-r.lines }()
		outcome, disposition := r.run(r.base, req, &call)
		if err := r.Outcomes.RecordCallOutcome(r.base, req.ContactID, string(outcome), disposition, "robocall", time.Time{}); err != nil {
			r.Log.Error("robocall outcome not handed to the dialer", "contact", req.ContactID, "call", call.ID, "err", err)
		}
	}()
	return nil
}

// run dials, talks and logs one robocall; it returns the attempt's outcome and, for an
// answered call, its disposition (no agent will give one): reached when the customer keyed an
// answer, no_answer when they did not (the algorithm retries it after its spacing).
func (r *Robocall) run(ctx context.Context, req dialer.CallRequest, call *callcenter.Call) (callcenter.Outcome, string) {
	log := r.Log.With("call", call.ID, "contact", req.ContactID, "parcel", req.ParcelID)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	leg, err := r.Eng.Dial(ctx, telephony.DialRequest{To: req.To, CallerID: req.CallerID, RingTimeout: 30 * time.Second,
		OnRinging: func() { call.RingingAt = ptr(time.Now().UTC()) }}, func(id string) { call.SIPCallID = id })
	end := func(o callcenter.Outcome, side string) callcenter.Outcome {
		call.Outcome, call.HangupSide, call.EndedAt = o, side, ptr(time.Now().UTC())
		if err := r.Calls.Update(context.WithoutCancel(ctx), call); err != nil {
			log.Error("robocall not logged", "err", err)
		}
		return o
	}
	if err != nil {
		o, status := telephony.OutcomeOf(err)
		call.SIPStatus = status
		return end(callcenter.Outcome(o), callcenter.SideSystem), ""
	}
	call.AnsweredAt, call.SIPStatus = ptr(leg.AnsweredAt.UTC()), leg.Status
	r.Calls.Update(ctx, call)
	answer, keys := r.Talk(ctx, leg, req.BrandID, req.ParcelID, req.To, req.Language, call.ID)
	if _, err := r.DB.SQL.ExecContext(context.WithoutCancel(ctx), r.DB.Rebind(`UPDATE calls SET ivr_answer = ?, ivr_keys = ? WHERE id = ? AND brand_id = ?`),
		answer, keys, call.ID, req.BrandID); err != nil {
		log.Error("robocall answer not recorded", "err", err)
	}
	log.Info("robocall answered", "answer", answer, "keys", keys)
	side := callcenter.SideSystem
	if leg.EndedBy() == telephony.EndedRemote {
		side = callcenter.LegCustomer // the customer hung up
	}
	leg.Hangup(context.WithoutCancel(ctx), "")
	disposition := "reached"
	if answer == AnswerNone {
		disposition = "no_answer"
	}
	return end(callcenter.Answered, side), disposition
}

func ptr[T any](v T) *T { return &v }

// lang is the prompt language of a contact: its recipient's, else English.
func lang(l string) string {
	if p, ok := i18n.Parse(l); ok {
		return string(p)
	}
	return "en"
}

// Talk runs the robocall's dialogue on an answered leg: the prompt with the parcel's data,
// then by key: confirm the planned day, list other days and take one, or ask for an agent.
// No key (or a key that means nothing) repeats the question once. phone is the customer's
// (E.164). It returns the answer and the keys as pressed.
func (r *Robocall) Talk(ctx context.Context, leg *telephony.Leg, brand int64, parcel, phone, language string, callID int64) (string, string) {
	lg := lang(language)
	loc := i18n.New(i18n.Lang(lg), time.UTC)
	pt, err := r.Settings.Prompt(ctx, brand, PromptRobocall, lg)
	if err != nil {
		r.Log.Error("robocall prompt", "err", err)
		pt = PromptText{Lang: lg, Keys: DefaultKeys}
	}
	days, err := r.Days.Days(ctx, brand, parcel)
	if err != nil || len(days) == 0 {
		r.Log.Warn("robocall: no delivery days for the parcel", "parcel", parcel, "err", err)
		r.say(ctx, leg, brand, "robocall.no_days", lg, loc.T("ivr.robocall.no_days"))
		return AnswerNone, ""
	}
	planned := days[0]
	for _, d := range days {
		if d.Planned {
			planned = d
		}
	}
	name, _ := r.Settings.BrandName(ctx, brand)
	text := pt.Render(i18n.Default(), Fields{Brand: name, Parcel: parcel, Date: day(planned.Date)})
	audio, _ := r.Prompts.Audio(ctx, brand, PromptRobocall, lg, text)
	c := r.Collect
	if c.FirstDigit == 0 {
		c.FirstDigit = 8 * time.Second
	}
	c.MaxDigits = 1
	var keys string
	for try := 0; try < 2; try++ {
		res, err := PlayCollect(ctx, r.Eng, leg, audio, c)
		keys += res.Digits
		if err != nil || res.Stop == StopHangup {
			return AnswerNone, keys
		}
		switch res.Digits {
		case pt.Keys.Confirm:
			if _, err := r.Days.Confirm(ctx, brand, parcel, deliverydays.ViaRobocall, callID); err != nil {
				r.Log.Error("robocall confirmation not recorded", "parcel", parcel, "err", err)
				return AnswerNone, keys
			}
			r.say(ctx, leg, brand, "robocall.confirmed", lg, loc.T("ivr.robocall.confirmed", "date", SpokenDate(loc, day(planned.Date))))
			return AnswerConfirm, keys
		case pt.Keys.OtherDays:
			answer, more := r.otherDays(ctx, leg, brand, parcel, lg, loc, days, callID, c)
			return answer, keys + more
		case pt.Keys.Agent:
			r.say(ctx, leg, brand, "robocall.to_agent", lg, loc.T("ivr.robocall.to_agent"))
			if r.Queue != nil { // the caller waits for an agent as a hotline caller; returns when it ends
				err := r.Queue.Transfer(ctx, leg, brand, parcel, phone)
				if err == nil {
					return AnswerAgent, keys
				}
				r.Log.Warn("robocall: key 0 not put through to the hotline queue", "parcel", parcel, "err", err)
			}
			if r.Agents != nil {
				if _, err := r.Agents.Promise(ctx, callcenter.Promise{BrandID: brand, ParcelID: parcel, Phone: phone, Source: "queue",
					CallID: callID, At: time.Now(), Actor: "robocall"}); err != nil {
					r.Log.Warn("robocall: callback for key 0 not planned", "parcel", parcel, "err", err)
				}
			}
			return AnswerAgent, keys
		}
	}
	r.say(ctx, leg, brand, "robocall.no_answer", lg, loc.T("ivr.robocall.no_answer"))
	return AnswerNone, keys
}

// otherDays offers the days other than the planned one by key (1 to 9) and takes the choice.
func (r *Robocall) otherDays(ctx context.Context, leg *telephony.Leg, brand int64, parcel, lg string, loc i18n.Locale,
	days []deliverydays.Day, callID int64, c Collect) (string, string) {
	var options []deliverydays.Day
	var text string
	for _, d := range days {
		if d.Planned || len(options) == 9 {
			continue
		}
		options = append(options, d)
		text += loc.T("ivr.robocall.day_option", "key", strconv.Itoa(len(options)), "date", SpokenDate(loc, day(d.Date))) + " "
	}
	if len(options) == 0 {
		r.say(ctx, leg, brand, "robocall.no_days", lg, loc.T("ivr.robocall.no_days"))
		return AnswerNone, ""
	}
	audio, _ := r.Prompts.Audio(ctx, brand, "robocall.days", lg, text)
	var keys string
	for try := 0; try < 2; try++ {
		res, err := PlayCollect(ctx, r.Eng, leg, audio, c)
		keys += res.Digits
		if err != nil || res.Stop == StopHangup {
			return AnswerNone, keys
		}
		n, _ := strconv.Atoi(res.Digits)
		if n >= 1 && n <= len(options) {
			d := options[n-1]
			if _, err := r.Days.Choose(ctx, brand, parcel, d.Date, deliverydays.ViaRobocall, callID); err != nil {
				r.Log.Error("robocall choice not recorded", "parcel", parcel, "day", d.Date, "err", err)
				return AnswerNone, keys
			}
			r.say(ctx, leg, brand, "robocall.chosen", lg, loc.T("ivr.robocall.chosen", "date", SpokenDate(loc, day(d.Date))))
			return AnswerDay + d.Date, keys
		}
	}
	r.say(ctx, leg, brand, "robocall.no_answer", lg, loc.T("ivr.robocall.no_answer"))
	return AnswerNone, keys
}

// say plays a short text to its end (no keys taken).
func (r *Robocall) say(ctx context.Context, leg *telephony.Leg, brand int64, name, lg, text string) {
	audio, _ := r.Prompts.Audio(ctx, brand, name, lg, text)
	r.Eng.Play(ctx, leg, audio, false)
}

// day reads a YYYY-MM-DD date.
func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}
