// Package floor gives the contact-center floor of the demo something real to show, after
// demo.Workspace, through the domains' own services: the agent's languages and skill and the
// hotline queue's routing (callcenter/routing), queued hotline calls that were abandoned or
// deflected by the self-service (the wallboard's and report's figures, reports/ccmetrics),
// transfers and a conference on calls of the history (callcenter/transfer's table, the call
// page), a supervisor who listened then whispered (callcenter/monitor's log), a scorecard per
// brand and two scored reviews (recordings/review), transcripts of the recorded calls
// (recordings/transcribe, engine "demo-script": the texts the demo voices were spoken from),
// and a brand's retention with a case on legal hold (recordings/retention).
package floor

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/routing"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/store"
)

// SupervisorEmail is the demo supervisor's login (demo.Run makes it).
const SupervisorEmail = "supervisor@demo.wismo"

// HoldReason is the demo's legal hold.
const HoldReason = "customer complaint under review"

// Summary says what Create made.
type Summary struct {
	QueueID     int64 `json:"queue_id"`
	QueueCalls  int   `json:"queue_calls"`
	Transfers   int   `json:"transfers"`
	Conferences int   `json:"conferences"`
	Monitored   int   `json:"monitored"`
	Scorecards  int   `json:"scorecards"`
	Reviews     int   `json:"reviews"`
	Transcribed int   `json:"transcribed"`
	Holds       int   `json:"holds"`
	// StateChanges are the agents' past state changes written for the history (states.go).
	StateChanges int `json:"state_changes"`
}

// Queue makes the demo hotline's queue (every brand, demo.HotlineNumber) through the call
// center, before demo.Workspace writes the hotline calls into it; serve's ensureDemoHotline
// finds it made. It returns the queue's id.
func Queue(ctx context.Context, db *store.DB, log *slog.Logger) (int64, error) {
	return addQueue(ctx, db, log, callcenter.Queue{Name: "Demo hotline", Ring: 15 * time.Second, MaxWait: 2 * time.Minute}, demo.HotlineNumber)
}

// CustomsNumber rings the first brand's own queue, its customs desk.
const CustomsNumber = "+78005550101"

// addQueue makes queue q rung by number, unless one is rung by it already.
func addQueue(ctx context.Context, db *store.DB, log *slog.Logger, q callcenter.Queue, number string) (int64, error) {
	var id int64
	err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT q.id FROM hotline_queues q JOIN hotline_numbers n ON n.queue_id = q.id
		WHERE n.number = ?`), number).Scan(&id)
	if err == nil {
		return id, nil
	}
	center := callcenter.NewCenter(callcenter.Config{}, db, nil, nil, nil, log, prometheus.NewRegistry())
	q, err = center.AddQueue(ctx, q, number)
	if err != nil {
		return 0, fmt.Errorf("demo hotline queue %q: %w", q.Name, err)
	}
	return q.ID, nil
}

// people are the demo's agent and supervisor.
type people struct{ agent, supervisor int64 }

// Create makes the floor's demo data; run it after demo.Workspace (and Queue before it).
// now is the demo's clock.
func Create(ctx context.Context, d demo.WorkspaceDeps, now time.Time) (Summary, error) {
	var sum Summary
	now = now.UTC().Truncate(time.Second)
	var who people
	for email, id := range map[string]*int64{demo.AgentEmail: &who.agent, SupervisorEmail: &who.supervisor} {
		if err := d.DB.SQL.QueryRowContext(ctx, d.DB.Rebind(`SELECT id FROM users WHERE email = ?`), email).Scan(id); err != nil {
			return sum, fmt.Errorf("demo floor: %s: %w", email, err)
		}
	}
	brands, err := demo.BrandIDs(ctx, d.DB)
	if err != nil {
		return sum, err
	}
	q, err := Queue(ctx, d.DB, d.Log)
	if err != nil {
		return sum, err
	}
	sum.QueueID = q
	customs, err := addQueue(ctx, d.DB, d.Log, callcenter.Queue{Name: "Customs desk", BrandID: brands[0], Ring: 20 * time.Second,
		MaxWait: 3 * time.Minute}, CustomsNumber)
	if err != nil {
		return sum, err
	}
	steps := []struct {
		what string
		fn   func() error
	}{
		{"routing", func() error { return demoRouting(ctx, d, brands, who, q, customs) }},
		{"queue calls", func() error { return queueCalls(ctx, d, who.agent, map[int64]int64{brands[0]: customs}, q, now, &sum) }},
		{"transfers", func() error { return transfers(ctx, d, who, &sum) }},
		{"monitoring", func() error { return monitored(ctx, d, who, &sum) }},
		{"transcripts", func() error { return transcripts(ctx, d, &sum) }},
		{"quality", func() error { return quality(ctx, d, brands, who, &sum) }},
		{"retention", func() error { return retain(ctx, d, brands, &sum) }},
		{"agent states", func() error { return stateHistory(ctx, d, todayStart(now), &sum) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return sum, fmt.Errorf("demo %s: %w", s.what, err)
		}
	}
	d.Log.Info("demo floor created", "queue_calls", sum.QueueCalls, "transfers", sum.Transfers, "conferences", sum.Conferences,
		"monitored", sum.Monitored, "scorecards", sum.Scorecards, "reviews", sum.Reviews, "transcribed", sum.Transcribed, "holds", sum.Holds,
		"state_changes", sum.StateChanges)
	return sum, nil
}

// demoRouting: the demo agent speaks Russian and English and knows customs for every brand;
// the supervisor speaks English. The shared hotline queue asks for no skill, waits 30 s for a
// speaker of the caller's language and announces the position every 40 s; the first brand's
// customs desk asks for the skill customs and waits 45 s.
func demoRouting(ctx context.Context, d demo.WorkspaceDeps, brands []int64, who people, queue, customs int64) error {
	svc := routing.NewService(d.DB)
	for _, b := range brands {
		if _, err := svc.SetAgent(ctx, routing.AgentRouting{UserID: who.agent, BrandID: b, Languages: []string{"ru", "en"},
			Skills: []string{"customs"}}); err != nil {
			return err
		}
		if _, err := svc.SetAgent(ctx, routing.AgentRouting{UserID: who.supervisor, BrandID: b, Languages: []string{"en"},
			Skills: []string{"customs", "returns"}}); err != nil {
			return err
		}
	}
	if _, err := svc.SetQueue(ctx, routing.QueueRouting{QueueID: queue, Fallback: 30 * time.Second, Announce: 40 * time.Second}); err != nil {
		return err
	}
	_, err := svc.SetQueue(ctx, routing.QueueRouting{QueueID: customs, BrandID: brands[0], Skill: "customs", Fallback: 45 * time.Second,
		Announce: 30 * time.Second})
	return err
}

// queueFates are the queue calls' fates, in turn: answered by the demo agent after a wait (in
// seconds), abandoned in the queue, deflected by the self-service.
var queueFates = []struct {
	fate string
	wait int
}{{"answered", 9}, {"abandoned", 50}, {"answered", 12}, {"answered", 34}, {"deflected", 0}, {"answered", 6},
	{"answered", 17}, {"abandoned", 15}, {"answered", 11}, {"answered", 8}, {"answered", 5}, {"answered", 14}}

// queueCalls adds hotline calls through the queue in the hour before now (the wallboard's
// today): some answered by the demo agent after a wait, callers who hung up while queued
// (abandoned) and callers the self-service answered (deflected).
// Calls of a brand in own (a brand's queue) go to its queue, the others to shared.
func queueCalls(ctx context.Context, d demo.WorkspaceDeps, agent int64, own map[int64]int64, shared int64, now time.Time, sum *Summary) error {
	rows, err := d.DB.SQL.QueryContext(ctx, d.DB.Rebind(`SELECT id, brand_id, recipient_phone FROM parcels WHERE recipient_phone <> ''
		AND phase IN ('in_transit', 'customs', 'at_delivery_office', 'out_for_delivery') ORDER BY id LIMIT ?`), len(queueFates))
	if err != nil {
		return err
	}
	type ref struct {
		id    string
		brand int64
		phone string
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.brand, &r.phone); err != nil {
			rows.Close()
			return err
		}
		refs = append(refs, r)
	}
	rows.Close()
	// Every 5 minutes, or closer after midnight so that all are today's on the wallboard.
	step := min(5*time.Minute, now.Sub(todayStart(now))/time.Duration(len(queueFates)+1))
	for i, p := range refs {
		f := queueFates[i]
		at := now.Add(-time.Duration(len(queueFates)-i) * step)
		queue := shared
		if q, ok := own[p.brand]; ok {
			queue = q
		}
		answered, end := at.Add(2*time.Second), at.Add(time.Duration(2+f.wait)*time.Second)
		c := callcenter.Call{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: p.brand, ParcelID: p.id,
			QueueID: queue, From: p.phone, To: demo.HotlineNumber, StartedAt: at, AnsweredAt: &answered, EndedAt: &end,
			SIPStatus: 200, HangupSide: callcenter.LegCustomer, Outcome: callcenter.Abandoned,
			SIPCallID: "demo-queue-" + strconv.FormatInt(at.Unix(), 36)}
		var agentFrom time.Time
		switch f.fate {
		case "answered":
			agentFrom = end
			end = agentFrom.Add(time.Duration(60+5*i) * time.Second)
			if last := now.Add(-time.Second); end.After(last) && last.After(agentFrom) { // over before now
				end = last
			}
			c.AgentID, c.EndedAt, c.Outcome = agent, &end, callcenter.Answered
		case "deflected":
			end = answered.Add(35 * time.Second) // the caller heard the parcel's status
			c.Outcome = callcenter.Answered
		}
		if err := d.Calls.Create(ctx, &c); err != nil {
			return err
		}
		legs := []callcenter.Leg{{CallID: c.ID, Kind: callcenter.LegCustomer, From: c.From, To: c.To, SIPCallID: c.SIPCallID, Codec: "PCMU",
			StartedAt: at, AnsweredAt: &answered, EndedAt: &end, SIPStatus: 200, Outcome: c.Outcome, HangupSide: callcenter.LegCustomer}}
		if c.AgentID != 0 {
			legs = append(legs, callcenter.Leg{CallID: c.ID, Kind: callcenter.LegAgent, AgentID: agent, From: c.From,
				To: "webrtc:" + strconv.FormatInt(agent, 10), SIPCallID: "webrtc-" + c.SIPCallID, Codec: "PCMU", StartedAt: agentFrom.Add(-3 * time.Second),
				AnsweredAt: &agentFrom, EndedAt: &end, SIPStatus: 200, Outcome: callcenter.Answered, HangupSide: callcenter.LegCustomer})
		}
		for _, g := range legs {
			if err := d.Calls.AddLeg(ctx, &g); err != nil {
				return err
			}
		}
		scope := access.Brands(p.brand)
		switch f.fate {
		case "deflected":
			if err := d.Calls.SetDisposition(ctx, scope, c.ID, "self_service"); err != nil {
				return err
			}
		case "answered":
			if err := d.Calls.SetDisposition(ctx, scope, c.ID, callcenter.DispReached); err != nil {
				return err
			}
		}
		sum.QueueCalls++
	}
	return nil
}

// todayStart is the later of now's midnights in UTC and in Moscow (the demo staff's zone): the
// start of the wallboard's today for either.
func todayStart(now time.Time) time.Time {
	start := now.Truncate(24 * time.Hour)
	if msk, err := time.LoadLocation("Europe/Moscow"); err == nil {
		local := now.In(msk)
		if m := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, msk).UTC(); m.After(start) {
			start = m
		}
	}
	return start
}
