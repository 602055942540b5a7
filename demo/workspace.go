package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// AgentEmail is the demo agent's login.
const AgentEmail = "agent@demo.wismo"

// WorkspaceDeps are the services the demo agent's workspace is made through.
type WorkspaceDeps struct {
	DB         *store.DB
	Parcels    *tracking.Service
	Cases      *cases.CaseService
	Calls      *callcenter.CallLog
	Recordings *recordings.Service
	Dialer     *dialer.Service
	Log        *slog.Logger
	// Voice is a demo voice clip as 8 kHz samples (carrier.Clip: the demo carrier's voices,
	// which import this package in their tests).
	Voice func(lang, name string) ([]int16, error)
	// HotlineQueue is the demo hotline's queue (demo/floor.Queue) its calls came through; 0: none.
	HotlineQueue int64
}

// WorkspaceSummary says what Workspace made.
type WorkspaceSummary struct {
	Campaigns  int `json:"campaigns"`
	Calls      int `json:"calls"`
	Recordings int `json:"recordings"`
	AgentCases int `json:"agent_cases"`
	Escalated  int `json:"escalated"`
	Closed     int `json:"closed"`
}

// Workspace gives the demo agent something real on every page, after Run and Cases: an
// outbound campaign per brand, a call history of the last days (hotline, preview and campaign
// calls; the answered ones recorded to stereo WAVs of the demo voices, customer left, agent
// right, through the recordings service), and cases assigned to the agent: some due soon,
// some past their SLA, some escalated to a partner post and waiting for its answer, some
// closed. now is the demo's clock; cases change at the service's own clock.
func Workspace(ctx context.Context, d WorkspaceDeps, seed int64, now time.Time) (WorkspaceSummary, error) {
	var sum WorkspaceSummary
	now = now.UTC().Truncate(time.Second)
	var agentID int64
	if err := d.DB.SQL.QueryRowContext(ctx, d.DB.Rebind(`SELECT id FROM users WHERE email = ?`), AgentEmail).Scan(&agentID); err != nil {
		return sum, fmt.Errorf("demo workspace: the demo agent: %w", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0xca11))
	campaigns, err := demoCampaigns(ctx, d)
	if err != nil {
		return sum, err
	}
	sum.Campaigns = len(campaigns)
	if err := demoCalls(ctx, d, r, agentID, campaigns, now, &sum); err != nil {
		return sum, err
	}
	if err := agentCases(ctx, d, agentID, &sum); err != nil {
		return sum, err
	}
	d.Log.Info("demo workspace created", "campaigns", sum.Campaigns, "calls", sum.Calls, "recordings", sum.Recordings,
		"agent_cases", sum.AgentCases, "escalated", sum.Escalated, "closed", sum.Closed)
	return sum, nil
}

// demoCampaigns creates a running preview campaign per brand: its calls wait for the agent.
func demoCampaigns(ctx context.Context, d WorkspaceDeps) (map[int64]int64, error) {
	brands, err := BrandIDs(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	out := map[int64]int64{}
	for _, b := range brands {
		c, err := d.Dialer.SaveCampaign(ctx, b, dialer.Campaign{Name: "Cash on delivery: confirm before delivery", Mode: "preview"})
		if err != nil {
			return nil, fmt.Errorf("demo campaign: %w", err)
		}
		if _, err := d.Dialer.SetCampaignStatus(ctx, b, c.ID, "running"); err != nil {
			return nil, fmt.Errorf("demo campaign: %w", err)
		}
		out[b] = c.ID
	}
	return out, nil
}

// BrandIDs are the ids of every brand, in order.
func BrandIDs(ctx context.Context, db *store.DB) ([]int64, error) {
	rows, err := db.SQL.QueryContext(ctx, `SELECT id FROM brands ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// demoCall is one call of the history.
type demoCall struct {
	mode, direction string
	outcome         callcenter.Outcome
	disposition     string
	note            string
}

// callMix is the history: most answered, some not.
var callMix = []demoCall{
	{callcenter.ModeHotline, callcenter.Inbound, callcenter.Answered, callcenter.DispReached, "Customer asked where the parcel is; explained the customs hold."},
	{callcenter.ModePreview, callcenter.Outbound, callcenter.Answered, callcenter.DispReached, "Confirmed the delivery address and the cash on delivery."},
	{callcenter.ModeProgressive, callcenter.Outbound, callcenter.Answered, callcenter.DispCallbackRequested, "Asked to call back after 18:00."},
	{callcenter.ModeHotline, callcenter.Inbound, callcenter.Answered, callcenter.DispReached, "Customer was not home at delivery; arranged a second attempt."},
	{callcenter.ModePreview, callcenter.Outbound, callcenter.NoAnswer, "", ""},
	{callcenter.ModeProgressive, callcenter.Outbound, callcenter.Busy, "", ""},
	{callcenter.ModeHotline, callcenter.Inbound, callcenter.Answered, callcenter.DispReached, "Gave the pickup point's opening hours."},
	{callcenter.ModeProgressive, callcenter.Outbound, callcenter.Answered, callcenter.DispRefused, "Refuses to pay on delivery; the parcel goes back."},
	{callcenter.ModePreview, callcenter.Outbound, callcenter.Answered, callcenter.DispWrongNumber, "Wrong number: not the recipient."},
	{callcenter.ModeHotline, callcenter.Inbound, callcenter.Answered, callcenter.DispReached, "Explained the duty to pay at the post office."},
	{callcenter.ModeProgressive, callcenter.Outbound, callcenter.NoAnswer, "", ""},
	{callcenter.ModePreview, callcenter.Outbound, callcenter.Answered, callcenter.DispReached, "Customer confirmed the new delivery date."},
}

// demoCalls writes the call history: one call per mix entry, about recent parcels whose
// recipients have a phone, in the 3 days before now.
func demoCalls(ctx context.Context, d WorkspaceDeps, r *rand.Rand, agentID int64, campaigns map[int64]int64, now time.Time, sum *WorkspaceSummary) error {
	refs, err := tracking.Refs(ctx, d.DB)
	if err != nil {
		return err
	}
	r.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
	at := now.Add(-72 * time.Hour)
	k := 0
	for _, ref := range refs {
		if k == len(callMix) {
			break
		}
		p, err := d.Parcels.Parcel(ctx, access.Brands(ref.BrandID), ref.ID)
		if err != nil || p.Recipient.Phone == "" {
			continue
		}
		at = at.Add(time.Duration(2+r.IntN(8)) * time.Hour)
		if err := writeCall(ctx, d, callMix[k], p, agentID, campaigns[p.BrandID], at, sum); err != nil {
			return err
		}
		k++
	}
	return nil
}

// HotlineNumber is the demo hotline's number (cmd/wismo's demo carrier calls it).
const HotlineNumber = "+78005550100"

func writeCall(ctx context.Context, d WorkspaceDeps, m demoCall, p tracking.ParcelView, agentID, campaign int64, at time.Time, sum *WorkspaceSummary) error {
	lang := "en"
	if p.Recipient.Language == "ru" || p.DestinationCountry == "RU" {
		lang = "ru"
	}
	c := callcenter.Call{Direction: m.direction, Mode: m.mode, BrandID: p.BrandID, ParcelID: p.ID, AgentID: agentID,
		From: HotlineNumber, To: p.Recipient.Phone, StartedAt: at, SIPCallID: "demo-" + strconv.FormatInt(at.Unix(), 36)}
	if m.direction == callcenter.Inbound {
		c.From, c.To, c.QueueID = p.Recipient.Phone, HotlineNumber, d.HotlineQueue
	}
	if m.mode == callcenter.ModeProgressive {
		c.CampaignRef = strconv.FormatInt(campaign, 10)
	}
	if err := d.Calls.Create(ctx, &c); err != nil {
		return fmt.Errorf("demo call: %w", err)
	}
	ring := at.Add(2 * time.Second)
	c.RingingAt = &ring
	var talk time.Duration
	if m.outcome == callcenter.Answered {
		answered := at.Add(8 * time.Second)
		c.AnsweredAt = &answered
		rec, length, err := recordCall(ctx, d, c, lang, answered)
		if err != nil {
			return err
		}
		c.RecordingID, talk = rec, length
		sum.Recordings++
	}
	end := at.Add(8*time.Second + talk)
	if m.outcome != callcenter.Answered {
		end = at.Add(30 * time.Second)
	}
	c.EndedAt, c.Outcome = &end, m.outcome
	c.SIPStatus = map[callcenter.Outcome]int{callcenter.Answered: 200, callcenter.NoAnswer: 487, callcenter.Busy: 486}[m.outcome]
	c.HangupSide = callcenter.LegCustomer
	if err := d.Calls.Update(ctx, &c); err != nil {
		return fmt.Errorf("demo call: %w", err)
	}
	for _, g := range []callcenter.Leg{
		{CallID: c.ID, Kind: callcenter.LegCustomer, From: c.From, To: c.To, SIPCallID: c.SIPCallID, Codec: "PCMU",
			StartedAt: at, RingingAt: &ring, AnsweredAt: c.AnsweredAt, EndedAt: &end, SIPStatus: c.SIPStatus, Outcome: m.outcome, HangupSide: c.HangupSide},
		{CallID: c.ID, Kind: callcenter.LegAgent, AgentID: agentID, From: c.From, To: "webrtc:" + strconv.FormatInt(agentID, 10),
			SIPCallID: "webrtc-" + c.SIPCallID, Codec: "PCMU", StartedAt: at, AnsweredAt: c.AnsweredAt, EndedAt: &end,
			SIPStatus: 200, Outcome: callcenter.Answered, HangupSide: c.HangupSide},
	} {
		if err := d.Calls.AddLeg(ctx, &g); err != nil {
			return fmt.Errorf("demo call leg: %w", err)
		}
	}
	if m.disposition != "" {
		scope := access.Brands(p.BrandID)
		if err := d.Calls.SetDisposition(ctx, scope, c.ID, m.disposition); err != nil {
			return fmt.Errorf("demo call: %w", err)
		}
		if err := d.Calls.SetNote(ctx, scope, c.ID, m.note); err != nil {
			return fmt.Errorf("demo call: %w", err)
		}
	}
	sum.Calls++
	return nil
}

// recordCall writes the call's stereo WAV: the customer (left) and the agent (right) take
// turns in the demo voices, as the recorder writes a real call (20 ms frames by timestamp).
func recordCall(ctx context.Context, d WorkspaceDeps, c callcenter.Call, lang string, start time.Time) (int64, time.Duration, error) {
	var turns []struct {
		ch   int
		clip string
	}
	add := func(ch int, clips ...string) {
		for _, cl := range clips {
			turns = append(turns, struct {
				ch   int
				clip string
			}{ch, cl})
		}
	}
	if c.Direction == callcenter.Inbound {
		add(recordings.Left, "caller-complaint")
		add(recordings.Right, "person-reply")
		add(recordings.Left, "caller-bye")
	} else {
		add(recordings.Left, "person-hello")
		add(recordings.Right, "caller-again")
		add(recordings.Left, "person-reply")
		add(recordings.Right, "person-bye")
	}
	a, err := d.Recordings.Start(ctx, c.ID, c.BrandID, start)
	if err != nil {
		return 0, 0, fmt.Errorf("demo recording: %w", err)
	}
	var pos int // samples from the start
	for _, t := range turns {
		samples, err := d.Voice(lang, t.clip)
		if err != nil {
			_, ferr := d.Recordings.Finish(ctx, a, c.BrandID)
			return 0, 0, errors.Join(fmt.Errorf("demo recording: %w", err), ferr)
		}
		for i := 0; i < len(samples); i += 160 {
			frame := samples[i:min(i+160, len(samples))]
			at := start.Add(time.Duration(pos+i) * time.Second / recordings.Rate)
			a.Write(t.ch, uint32(pos+i), at, frame)
		}
		pos += len(samples) + recordings.Rate/2 // half a second between turns
	}
	rec, err := d.Recordings.Finish(ctx, a, c.BrandID)
	if err != nil {
		return 0, 0, fmt.Errorf("demo recording: %w", err)
	}
	return rec.ID, time.Duration(pos) * time.Second / recordings.Rate, nil
}

// agentCases assigns cases to the demo agent: open ones whose SLA falls due soonest and
// ones already past it, escalates some to the partner post of their parcel's origin (they
// wait for its answer), and closes resolved ones.
func agentCases(ctx context.Context, d WorkspaceDeps, agentID int64, sum *WorkspaceSummary) error {
	actor := cases.Actor{Label: "user:" + AgentEmail}
	if err := partnerWebhooks(ctx, d); err != nil {
		return err
	}
	open := `status IN ('new', 'open', 'waiting_customer') AND assignee_id IS NULL`
	picks := []struct {
		where, order string
		n            int
		then         string // "", "escalate", "close"
	}{
		{`status IN ('new', 'open') AND assignee_id IS NULL AND resolution_breached_at IS NULL AND resolution_due > ?`, `resolution_due`, 8, ""},
		{open + ` AND resolution_breached_at IS NOT NULL`, `resolution_due DESC`, 6, ""},
		{open + ` AND origin_country IN ('GB', 'DE', 'CN', 'US')`, `id DESC`, 4, "escalate"},
		{`status = 'resolved' AND assignee_id IS NULL`, `id DESC`, 4, "close"},
	}
	for _, pk := range picks {
		var args []any
		if strings.Contains(pk.where, "?") {
			args = append(args, time.Now().UTC()) // the case service's clock: SLA clocks run on it
		}
		rows, err := d.DB.SQL.QueryContext(ctx, d.DB.Rebind(`SELECT number, brand_id FROM cases WHERE `+pk.where+` ORDER BY `+pk.order+` LIMIT `+strconv.Itoa(pk.n)), args...)
		if err != nil {
			return fmt.Errorf("demo agent cases: %w", err)
		}
		type ref struct {
			number string
			brand  int64
		}
		var refs []ref
		for rows.Next() {
			var x ref
			if err := rows.Scan(&x.number, &x.brand); err != nil {
				rows.Close()
				return err
			}
			refs = append(refs, x)
		}
		rows.Close()
		for _, x := range refs {
			scope := access.Brands(x.brand)
			patch := cases.CasePatch{AssigneeID: &agentID}
			if pk.then == "close" {
				closed := string(cases.StatusClosed)
				patch.Status, patch.Note = &closed, "The customer confirmed: nothing more to do."
			}
			if _, err := d.Cases.Update(ctx, scope, actor, x.number, x.brand, patch); err != nil {
				return fmt.Errorf("demo agent case %s: %w", x.number, err)
			}
			sum.AgentCases++
			switch pk.then {
			case "escalate":
				if _, err := d.Cases.Escalate(ctx, scope, actor, x.number, x.brand, "origin",
					"The recipient says the parcel never arrived: please check the dispatch and send the item's trace."); err != nil {
					return fmt.Errorf("demo escalation of %s: %w", x.number, err)
				}
				sum.Escalated++
			case "close":
				sum.Closed++
			}
		}
	}
	return nil
}

// demoPartnerWebhook is where the demo's partner posts "receive" escalations until a node
// starts: the discard port on loopback, so no demo traffic leaves the machine. `wismo serve`
// in demo mode points the posts at its demo partner posts (package demo/partnerpost).
const demoPartnerWebhook = "http://127.0.0.1:9/escalations"

// partnerWebhooks gives every demo post a webhook, so that cases can be escalated to it.
func partnerWebhooks(ctx context.Context, d WorkspaceDeps) error {
	rows, err := d.DB.SQL.QueryContext(ctx, `SELECT id FROM posts ORDER BY id`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := d.Cases.SetPostWebhook(ctx, access.Operator(), id, demoPartnerWebhook, ""); err != nil {
			return fmt.Errorf("demo partner webhook: %w", err)
		}
	}
	return nil
}
