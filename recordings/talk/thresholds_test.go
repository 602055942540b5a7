package talk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// TestThresholdsChangeFlags: a call with 25 s of dead air and an agent talking 75% of the
// time is flagged for dead air under the defaults; after the brand sets 30 s and 70%, the
// same stored row reads as flagged for the agent's share only; another brand's thresholds
// do not touch it.
func TestThresholdsChangeFlags(t *testing.T) {
	db, b1, b2, callID := twoBrandsAndACall(t)
	ctx := context.Background()
	svc := NewService(db, storetest.Logger(t))
	talkRow(t, db, callID, b1.ID, 0, Metrics{DurationMS: 60000, AgentTalkMS: 3000, CustomerTalkMS: 1000, AgentShare: 0.75, LongestSilenceMS: 25000})
	flags := func() []string {
		got, err := svc.ForCall(ctx, access.Brands(b1.ID), callID)
		if err != nil {
			t.Fatal(err)
		}
		return got[0].Metrics.Flags
	}
	if f := flags(); !slices.Equal(f, []string{FlagDeadAir}) {
		t.Errorf("defaults: flags %v, want [dead_air]", f)
	}
	if err := svc.SetThresholds(ctx, b2.ID, Thresholds{DeadAirMS: 1000, AgentShare: 0.1}); err != nil {
		t.Fatal(err)
	}
	if f := flags(); !slices.Equal(f, []string{FlagDeadAir}) {
		t.Errorf("after brand Two's change: flags %v, want brand One's still [dead_air]", f)
	}
	th, err := ParseThresholds(30, 70)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetThresholds(ctx, b1.ID, th); err != nil {
		t.Fatal(err)
	}
	if f := flags(); !slices.Equal(f, []string{FlagAgentShare}) {
		t.Errorf("30 s and 70%%: flags %v, want [agent_talk_share]", f)
	}
	got, def, err := svc.BrandThresholds(ctx, b1.ID)
	if err != nil || def || got != (Thresholds{30000, 0.7}) {
		t.Errorf("stored thresholds %+v (defaults %v, %v)", got, def, err)
	}
}

// TestParseThresholdsNamesTheField: out-of-range numbers are a 422 naming each field.
func TestParseThresholdsNamesTheField(t *testing.T) {
	_, err := ParseThresholds(0, 101)
	var ve *input.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields[0].Field != "dead_air_seconds" || ve.Fields[1].Field != "agent_talk_share_percent" {
		t.Fatalf("ParseThresholds(0, 101) = %v, want both fields named", err)
	}
	if Errors.Kind(err).Status() != 422 {
		t.Errorf("status %d, want 422", Errors.Kind(err).Status())
	}
}

// TestAggregates: rows inserted with known metrics come back grouped by agent, campaign,
// queue and brand with the averages, totals and flagged counts worked out by hand; a call
// outside the range and another brand's call are left out.
func TestAggregates(t *testing.T) {
	db, b1, b2, _ := twoBrandsAndACall(t)
	ctx := context.Background()
	svc := NewService(db, storetest.Logger(t))
	acc := access.NewService(db)
	ann, err := acc.CreateUser(ctx, "ann@example.com", "a long password 1", access.RoleAgent, []int64{b1.ID})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := acc.CreateUser(ctx, "bob@example.com", "a long password 1", access.RoleAgent, []int64{b1.ID})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	call := func(brand, agent int64, campaign string, at time.Time) int64 {
		var id int64
		var agentArg any
		if agent != 0 {
			agentArg = agent
		}
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, agent_id, campaign_ref, started_at) VALUES ('outbound', ?, ?, ?, ?) RETURNING id`),
			brand, agentArg, campaign, at).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Ann: two calls, 60% and 90% share (flagged), 10 s and 30 s silence (flagged), 1 and 3 interruptions (4 in all).
	talkRow(t, db, call(b1.ID, ann.ID, "c1", day), b1.ID, 0, Metrics{AgentShare: 0.6, AgentTalkMS: 6, CustomerTalkMS: 4, SilenceMS: 10000, LongestSilenceMS: 10000, OvertalkMS: 1000, AgentInterruptions: 1})
	talkRow(t, db, call(b1.ID, ann.ID, "c2", day.Add(time.Hour)), b1.ID, 0, Metrics{AgentShare: 0.9, AgentTalkMS: 9, CustomerTalkMS: 1, SilenceMS: 30000, LongestSilenceMS: 30000, OvertalkMS: 3000, CustomerInterruptions: 2, AgentInterruptions: 1})
	// Bob: one call, 50%, 5 s silence, not flagged.
	talkRow(t, db, call(b1.ID, bob.ID, "c1", day.Add(2*time.Hour)), b1.ID, 0, Metrics{AgentShare: 0.5, AgentTalkMS: 5, CustomerTalkMS: 5, SilenceMS: 5000, LongestSilenceMS: 5000})
	// Outside the range, and brand Two's: not counted.
	talkRow(t, db, call(b1.ID, bob.ID, "c1", day.AddDate(0, 0, -10)), b1.ID, 0, Metrics{AgentShare: 0.99, AgentTalkMS: 1})
	talkRow(t, db, call(b2.ID, 0, "c1", day), b2.ID, 0, Metrics{AgentShare: 0.99, AgentTalkMS: 1})
	from, to, err := DateRange("2026-11-01", "2026-11-07", day)
	if err != nil {
		t.Fatal(err)
	}
	by := func(g string) map[string]Aggregate {
		got, err := svc.Aggregate(ctx, access.Brands(b1.ID), 0, g, from, to)
		if err != nil {
			t.Fatalf("by %s: %v", g, err)
		}
		out := map[string]Aggregate{}
		for _, a := range got {
			out[a.Label] = a
		}
		return out
	}
	agents := by(ByAgent)
	a := agents["ann@example.com"]
	if a.Calls != 2 || !near(a.AvgAgentShare, 0.75) || !near(a.AvgSilenceMS, 20000) || !near(a.AvgOvertalkMS, 2000) ||
		!near(a.AvgInterruptions, 2) || a.Interruptions != 4 || a.SilenceMS != 40000 || a.Flagged != 1 {
		t.Errorf("Ann: %+v; want 2 calls, share 0.75, silence 20000, overtalk 2000, interruptions 2 (4), 1 flagged", a)
	}
	if b := agents["bob@example.com"]; b.Calls != 1 || !near(b.AvgAgentShare, 0.5) || b.Flagged != 0 || len(agents) != 2 {
		t.Errorf("Bob: %+v (groups %d); want 1 call, share 0.5, none flagged, 2 groups", b, len(agents))
	}
	if c := by(ByCampaign)["c1"]; c.Calls != 2 || !near(c.AvgAgentShare, 0.55) {
		t.Errorf("campaign c1: %+v; want 2 calls, share 0.55", c)
	}
	if b := by(ByBrand)["One"]; b.Calls != 3 || b.Flagged != 1 {
		t.Errorf("brand One: %+v; want 3 calls, 1 flagged", b)
	}
	if q := by(ByQueue)[""]; q.Calls != 3 {
		t.Errorf("no queue: %+v; want 3 calls", q)
	}
	// Stricter thresholds flag Ann's first call (60% > 55%) too.
	if err := svc.SetThresholds(ctx, b1.ID, Thresholds{DeadAirMS: 60000, AgentShare: 0.55}); err != nil {
		t.Fatal(err)
	}
	if a := by(ByAgent)["ann@example.com"]; a.Flagged != 2 {
		t.Errorf("Ann under 60 s and 55%%: %d flagged, want 2", a.Flagged)
	}
	if _, err := svc.Aggregate(ctx, access.Brands(b1.ID), 0, "planet", from, to); !errors.Is(err, input.ErrInvalid) {
		t.Errorf("by planet: %v, want invalid", err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// talkRow inserts a call_talk row with metrics m for call (a recording made for it).
func talkRow(t *testing.T, db *store.DB, call, brand, _ int64, m Metrics) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var rec int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, started_at, finished_at) VALUES (?, ?, '', ?, ?) RETURNING id`),
		call, brand, now, now).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_talk (recording_id, call_id, brand_id, duration_ms, customer_talk_ms, agent_talk_ms,
		agent_talk_share, overtalk_ms, silence_ms, longest_silence_ms, customer_interruptions, agent_interruptions, analyzed_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`), rec, call, brand, m.DurationMS, m.CustomerTalkMS, m.AgentTalkMS, m.AgentShare, m.OvertalkMS,
		m.SilenceMS, m.LongestSilenceMS, m.CustomerInterruptions, m.AgentInterruptions, now); err != nil {
		t.Fatal(err)
	}
}

// TestThresholdRoutes: a brand manager sets the thresholds over the API (out of range: 422
// naming the field), an agent may not, and another brand's thresholds are a 404.
func TestThresholdRoutes(t *testing.T) {
	db, b1, b2, _ := twoBrandsAndACall(t)
	svc := NewService(db, storetest.Logger(t))
	as := func(role access.Role, brand int64, method, url, body string) (int, string) {
		t.Helper()
		u := access.User{ID: 1, Role: role, BrandIDs: []int64{brand}}
		app := fiber.New()
		app.Use(func(c *fiber.Ctx) error {
			access.SetPrincipal(c, access.Principal{Kind: "user", Scope: access.ScopeOf(&u), User: &u})
			return c.Next()
		})
		Routes(app, svc)
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	url := fmt.Sprintf("/api/v1/talk/thresholds?brand=%d", b1.ID)
	if code, body := as(access.RoleBrandManager, b1.ID, "GET", url, ""); code != 200 || !strings.Contains(body, `"using_defaults":true`) || !strings.Contains(body, `"dead_air_seconds":20`) {
		t.Errorf("defaults: %d %s", code, body)
	}
	if code, body := as(access.RoleBrandManager, b1.ID, "PUT", url, `{"dead_air_seconds": 20, "agent_talk_share_percent": 0}`); code != 422 || !strings.Contains(body, `"agent_talk_share_percent"`) {
		t.Errorf("share 0: %d %s, want 422 naming agent_talk_share_percent", code, body)
	}
	if code, body := as(access.RoleAgent, b1.ID, "PUT", url, `{"dead_air_seconds": 30, "agent_talk_share_percent": 70}`); code != 403 {
		t.Errorf("an agent: %d %s, want 403", code, body)
	}
	if code, body := as(access.RoleBrandManager, b2.ID, "PUT", url, `{"dead_air_seconds": 30, "agent_talk_share_percent": 70}`); code != 404 {
		t.Errorf("brand Two's manager: %d %s, want 404", code, body)
	}
	if code, body := as(access.RoleBrandManager, b1.ID, "PUT", url, `{"dead_air_seconds": 30, "agent_talk_share_percent": 70}`); code != 200 || !strings.Contains(body, `"dead_air_seconds":30`) {
		t.Errorf("set: %d %s", code, body)
	}
	if code, body := as(access.RoleSupervisor, b1.ID, "GET", fmt.Sprintf("/api/v1/talk/aggregates?by=planet&brand=%d", b1.ID), ""); code != 422 || !strings.Contains(body, `"by"`) {
		t.Errorf("aggregates by planet: %d %s, want 422 naming by", code, body)
	}
	if code, _ := as(access.RoleAgent, b1.ID, "GET", "/api/v1/talk/aggregates", ""); code != 403 {
		t.Errorf("an agent reads aggregates: %d, want 403", code)
	}
	if code, _ := as(access.RoleSupervisor, b2.ID, "GET", fmt.Sprintf("/api/v1/talk/aggregates?brand=%d", b1.ID), ""); code != 404 {
		t.Errorf("brand Two's supervisor reads One's aggregates: %d, want 404", code)
	}
}
