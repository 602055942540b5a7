package talk

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
)

// Groupings of the aggregates: per agent, brand, campaign or hotline queue of the call.
const (
	ByAgent    = "agent"
	ByBrand    = "brand"
	ByCampaign = "campaign"
	ByQueue    = "queue"
)

// Groupings lists the groupings Aggregate knows.
var Groupings = []string{ByAgent, ByBrand, ByCampaign, ByQueue}

// groupKey is each grouping's key (as text) and label, over call_talk t, calls c, users u,
// hotline_queues q and brands b.
var groupKey = map[string][2]string{
	ByAgent:    {"COALESCE(CAST(c.agent_id AS TEXT), '')", "COALESCE(MAX(u.email), '')"},
	ByBrand:    {"CAST(t.brand_id AS TEXT)", "COALESCE(MAX(b.name), '')"},
	ByCampaign: {"c.campaign_ref", "c.campaign_ref"},
	ByQueue:    {"COALESCE(CAST(c.queue_id AS TEXT), '')", "COALESCE(MAX(q.name), '')"},
}

// Aggregate is the talk analytics of a group of calls over a date range.
type Aggregate struct {
	Key   string `json:"key"`   // the agent's, brand's or queue's id, the campaign's ref; "" for none
	Label string `json:"label"` // the agent's e-mail, brand's or queue's name, the campaign's ref
	Calls int    `json:"calls"`
	// Averages per analysed call.
	AvgAgentShare    float64 `json:"avg_agent_talk_share"`
	AvgSilenceMS     float64 `json:"avg_silence_ms"`
	AvgOvertalkMS    float64 `json:"avg_overtalk_ms"`
	AvgInterruptions float64 `json:"avg_interruptions"` // both sides' together
	// Totals.
	SilenceMS     int64 `json:"silence_ms"`
	OvertalkMS    int64 `json:"overtalk_ms"`
	Interruptions int64 `json:"interruptions"`
	Flagged       int   `json:"flagged"` // calls flagged under their brand's thresholds
}

// Aggregate groups the analysed recordings of calls started in [from, to) that scope may see
// (of brand only when not 0) by (Groupings), biggest groups first, at most 500 groups. A call
// is flagged by its brand's thresholds (the defaults for a brand without its own).
func (s *Service) Aggregate(ctx context.Context, scope access.Scope, brand int64, by string, from, to time.Time) ([]Aggregate, error) {
	key, ok := groupKey[by]
	if !ok {
		return nil, input.Invalid(input.Errorf("by", "must be one of %v, got %q", Groupings, by))
	}
	where, args := scope.SQL("t.brand_id", "", "")
	if brand != 0 {
		where += " AND t.brand_id = ?"
		args = append(args, brand)
	}
	args = append([]any{DefaultThresholds.DeadAirMS, DefaultThresholds.AgentShare}, args...)
	args = append(args, from.UTC(), to.UTC())
	q := aggregateSQL(key, where)
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("talk aggregates by %s: %w", by, err)
	}
	defer rows.Close()
	out := []Aggregate{}
	for rows.Next() {
		var a Aggregate
		if err := rows.Scan(&a.Key, &a.Label, &a.Calls, &a.AvgAgentShare, &a.AvgSilenceMS, &a.AvgOvertalkMS, &a.AvgInterruptions,
			&a.SilenceMS, &a.OvertalkMS, &a.Interruptions, &a.Flagged); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// aggregateSQL is the query of Aggregate for a grouping's key and label and the scope's where.
func aggregateSQL(key [2]string, where string) string {
	return `SELECT ` + key[0] + `, ` + key[1] + `, COUNT(*), AVG(t.agent_talk_share), AVG(t.silence_ms), AVG(t.overtalk_ms),
		AVG(t.customer_interruptions + t.agent_interruptions), SUM(t.silence_ms), SUM(t.overtalk_ms),
		SUM(t.customer_interruptions + t.agent_interruptions),
		SUM(CASE WHEN t.longest_silence_ms > COALESCE(th.dead_air_ms, ?)
			OR (t.customer_talk_ms + t.agent_talk_ms > 0 AND t.agent_talk_share > COALESCE(th.agent_share, ?)) THEN 1 ELSE 0 END)
		FROM call_talk t JOIN calls c ON c.id = t.call_id
		LEFT JOIN talk_thresholds th ON th.brand_id = t.brand_id
		LEFT JOIN users u ON u.id = c.agent_id
		LEFT JOIN hotline_queues q ON q.id = c.queue_id
		LEFT JOIN brands b ON b.id = t.brand_id
		WHERE t.error = '' AND ` + where + ` AND c.started_at >= ? AND c.started_at < ?
		GROUP BY ` + key[0] + ` ORDER BY COUNT(*) DESC, 1 LIMIT 500`
}

// AggregateRoutes mounts GET /api/v1/talk/aggregates?by=agent|brand|campaign|queue&from=&to=[&brand=]:
// the talk analytics of the calls started in [from, to) (dates YYYY-MM-DD, to inclusive;
// default the last 7 days), grouped, for supervisors, brand managers, admins and brand keys.
func AggregateRoutes(r fiber.Router, s *Service) {
	r.Get("/api/v1/talk/aggregates", func(c *fiber.Ctx) error {
		p := access.PrincipalOf(c)
		if p.User != nil && p.User.Role == access.RoleAgent {
			return fiber.NewError(fiber.StatusForbidden, "only supervisors, brand managers and admins see the talk aggregates")
		}
		brand, err := access.BrandQuery(c, "brand")
		if err != nil {
			return err
		}
		if brand != 0 && !p.Scope.AllowsBrand(brand) {
			return fiber.NewError(fiber.StatusNotFound, "brand: no brand for this account")
		}
		from, to, err := DateRange(c.Query("from"), c.Query("to"), s.now())
		if err != nil {
			return Errors.Answer(c, err)
		}
		by := c.Query("by", ByAgent)
		got, err := s.Aggregate(c.UserContext(), p.Scope, brand, by, from, to)
		if err != nil {
			return Errors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"by": by, "from": from.Format(time.DateOnly), "to": to.AddDate(0, 0, -1).Format(time.DateOnly), "groups": got})
	})
}

// DateRange reads a range of whole days (UTC), to inclusive: [from, to+1 day). Empty from and
// to are the 7 days up to now; more than 366 days is refused.
func DateRange(fromS, toS string, now time.Time) (time.Time, time.Time, error) {
	to := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -7)
	var fes []*input.FieldError
	if toS != "" {
		t, err := time.Parse(time.DateOnly, toS)
		if err != nil {
			fes = append(fes, input.Errorf("to", "must be a date YYYY-MM-DD, got %q", toS))
		}
		to = t.AddDate(0, 0, 1)
		if fromS == "" {
			from = to.AddDate(0, 0, -7)
		}
	}
	if fromS != "" {
		t, err := time.Parse(time.DateOnly, fromS)
		if err != nil {
			fes = append(fes, input.Errorf("from", "must be a date YYYY-MM-DD, got %q", fromS))
		}
		from = t
	}
	if len(fes) == 0 && (!from.Before(to) || to.Sub(from) > 366*24*time.Hour) {
		fes = append(fes, input.Errorf("from", "must be before to, at most 366 days apart"))
	}
	if len(fes) > 0 {
		return from, to, input.Invalid(fes...)
	}
	return from, to, nil
}
