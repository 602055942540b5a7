package routing

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// TestTransferToQueueFollowsTheRoutingOrder: a call transferred to a queue (the offer
// callcenter/transfer makes: the call's parcel, the target queue, waiting for nobody) is
// offered first to the agent who speaks the recipient's language and has the queue's skill,
// though an English-only agent was idle longer; then to anyone of the brand.
func TestTransferToQueueFollowsTheRoutingOrder(t *testing.T) {
	ctx := context.Background()
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(parcelID)) // the recipient speaks Russian
	log := storetest.Logger(t)
	agents := callcenter.NewAgents(e.DB, "wismo", e.Access)
	center := callcenter.NewCenter(callcenter.Config{}, e.DB, agents, recordings.NewService(e.DB, t.TempDir(), log), e.Tracking, log, nil)
	svc := NewService(e.DB)
	center.UseRouter(NewRouter(svc, e.Tracking, log))
	q, err := center.AddQueue(ctx, callcenter.Queue{Name: "A returns", BrandID: e.BrandA, Ring: 8 * time.Second, MaxWait: time.Minute}, hotline)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetQueue(ctx, QueueRouting{QueueID: q.ID, Skill: "returns", Fallback: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	agent := func(name string, idleSince time.Time, langs, skills []string) int64 {
		u, err := e.Access.CreateUser(ctx, name+"@example.com", "a login password 1", access.RoleAgent, []int64{e.BrandA})
		if err != nil {
			t.Fatal(err)
		}
		if err := agents.SetState(ctx, u.ID, callcenter.Available); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.SQL.ExecContext(ctx, e.DB.Rebind(`UPDATE agent_states SET idle_since = ? WHERE user_id = ?`), idleSince, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetAgent(ctx, AgentRouting{UserID: u.ID, BrandID: e.BrandA, Languages: langs, Skills: skills}); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	en := agent("english", now.Add(-time.Hour), []string{"en"}, []string{"returns"})
	ru := agent("russian", now.Add(-time.Minute), []string{"ru", "en"}, []string{"returns"})
	from := agent("transferring", now.Add(-2*time.Hour), []string{"ru"}, []string{"returns"})

	call := callcenter.Call{ID: 1, BrandID: e.BrandA, QueueID: q.ID, ParcelID: parcelID}
	got, err := center.Ranked(ctx, callcenter.Offer{Call: call}, map[int64]bool{from: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range got {
		ids = append(ids, a.UserID)
	}
	if len(ids) != 2 || ids[0] != ru || ids[1] != en {
		t.Fatalf("a Russian recipient's call transferred to the queue is offered to %v; want the Russian speaker %d first, then the English agent %d (idle longer)", ids, ru, en)
	}
}
