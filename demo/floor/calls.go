package floor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/demo"
)

// ConferenceNumber is the demo conference's third party: the partner post's desk (a number
// of the fictional 555 range, which the demo carrier answers as a person).
const ConferenceNumber = "+74955550147"

// agentCalls are the demo agent's answered, recorded calls of the history, oldest first,
// inbound (hotline) ones first.
func agentCalls(ctx context.Context, d demo.WorkspaceDeps, agent int64) ([]callcenter.Call, error) {
	rows, err := d.DB.SQL.QueryContext(ctx, d.DB.Rebind(`SELECT id, brand_id FROM calls WHERE agent_id = ? AND outcome = 'answered'
		AND recording_id IS NOT NULL ORDER BY CASE WHEN mode = 'hotline' THEN 0 ELSE 1 END, started_at`), agent)
	if err != nil {
		return nil, err
	}
	type ref struct{ id, brand int64 }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.brand); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	var out []callcenter.Call
	for _, r := range refs {
		c, err := d.Calls.Get(ctx, access.Brands(r.brand), r.id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// transfers: on the first two hotline calls of the demo agent, the agent consulted the
// supervisor halfway through and handed the customer over (an attended transfer, completed):
// the agent's leg ends there and the supervisor's leg talks to the end (the call is the
// supervisor's then). On a third call the
// agent added the partner post's desk (a conference). callcenter/transfer writes these rows
// only from a live call and has no store API to record a past one, so the demo writes the
// rows as its store does (one row per transfer, its brand).
func transfers(ctx context.Context, d demo.WorkspaceDeps, who people, sum *Summary) error {
	calls, err := agentCalls(ctx, d, who.agent)
	if err != nil {
		return err
	}
	if len(calls) < 3 {
		return fmt.Errorf("the demo agent has %d recorded calls, want 3", len(calls))
	}
	for _, c := range calls[:2] {
		if c.AnsweredAt == nil || c.EndedAt == nil {
			continue
		}
		mid := c.AnsweredAt.Add(c.EndedAt.Sub(*c.AnsweredAt) / 2).Truncate(time.Second)
		consult, handed := mid.Add(-6*time.Second), mid
		for _, g := range c.Legs {
			if g.Kind == callcenter.LegAgent && g.AgentID == who.agent {
				g.EndedAt, g.HangupSide = &handed, callcenter.LegAgent
				if err := d.Calls.UpdateLeg(ctx, &g); err != nil {
					return err
				}
			}
		}
		sup := callcenter.Leg{CallID: c.ID, Kind: callcenter.LegAgent, AgentID: who.supervisor, From: c.From,
			To: fmt.Sprintf("webrtc:%d", who.supervisor), SIPCallID: "webrtc-consult-" + c.SIPCallID, Codec: "PCMU",
			StartedAt: consult, AnsweredAt: &consult, EndedAt: c.EndedAt, SIPStatus: 200, Outcome: callcenter.Answered,
			HangupSide: c.HangupSide}
		if err := d.Calls.AddLeg(ctx, &sup); err != nil {
			return err
		}
		c.AgentID = who.supervisor // who had the call last, as a live transfer records it
		if err := d.Calls.Update(ctx, &c); err != nil {
			return err
		}
		t := transfer.Transfer{BrandID: c.BrandID, CallID: c.ID, Kind: "attended", FromAgentID: who.agent, ToAgentID: who.supervisor,
			Outcome: "completed", StartedAt: consult, EndedAt: &handed}
		if err := transfer.Log(ctx, d.DB, &t); err != nil {
			return err
		}
		sum.Transfers++
	}
	c := calls[2]
	if c.AnsweredAt != nil && c.EndedAt != nil {
		at := c.AnsweredAt.Add(3 * time.Second)
		t := transfer.Transfer{BrandID: c.BrandID, CallID: c.ID, Kind: "conference", FromAgentID: who.agent, ToNumber: ConferenceNumber,
			Outcome: "completed", StartedAt: at, EndedAt: c.EndedAt}
		if err := transfer.Log(ctx, d.DB, &t); err != nil {
			return err
		}
		sum.Conferences++
	}
	return nil
}

// monitored: the supervisor listened to the demo agent's fourth recorded call, then
// whispered a hint to the agent until the call ended (callcenter/monitor writes its log only
// from a live session, so the demo writes the row as its store does).
func monitored(ctx context.Context, d demo.WorkspaceDeps, who people, sum *Summary) error {
	calls, err := agentCalls(ctx, d, who.agent)
	if err != nil {
		return err
	}
	if len(calls) < 4 || calls[3].AnsweredAt == nil || calls[3].EndedAt == nil {
		return nil
	}
	c := calls[3]
	listen, whisper := c.AnsweredAt.Add(time.Second), c.AnsweredAt.Add(4*time.Second)
	modes, err := json.Marshal([]map[string]string{{"mode": "listen", "at": listen.UTC().Format(time.RFC3339)},
		{"mode": "whisper", "at": whisper.UTC().Format(time.RFC3339)}})
	if err != nil {
		return err
	}
	if _, err := d.DB.SQL.ExecContext(ctx, d.DB.Rebind(`INSERT INTO monitor_sessions (brand_id, call_id, user_id, mode, modes,
		started_at, ended_at) VALUES (?, ?, ?, 'whisper', ?, ?, ?)`), c.BrandID, c.ID, who.supervisor, string(modes), listen, *c.EndedAt); err != nil {
		return err
	}
	sum.Monitored++
	return nil
}
