package review

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Trend groupings.
const (
	TrendByAgent = "agent"
	TrendByQueue = "queue"
)

// WeekScore is a group's scored reviews of one ISO week.
type WeekScore struct {
	Week    string  `json:"week"`
	Average float64 `json:"average"` // of the totals, percent
	Reviews int     `json:"reviews"`
	Passed  int     `json:"passed"`
}

// Trend is a group's (an agent's or a queue's) scores over time.
type Trend struct {
	Key     string      `json:"key"` // the agent's or queue's id; "" for calls without one
	Label   string      `json:"label"`
	Average float64     `json:"average"`
	Reviews int         `json:"reviews"`
	Passed  int         `json:"passed"`
	Weeks   []WeekScore `json:"weeks"` // oldest first, only weeks with reviews
}

// Trends returns the scored reviews of [from, to) that scope and v may read (of brand only
// when not 0) per agent or per queue and per week of the review, groups by label.
func (s *Service) Trends(ctx context.Context, scope access.Scope, v Viewer, brand int64, by string, from, to time.Time) ([]Trend, error) {
	var key, label string
	switch by {
	case TrendByAgent:
		key, label = "cr.agent_id", "COALESCE(ua.email, '')"
	case TrendByQueue:
		key, label = "cr.queue_id", "COALESCE(q.name, '')"
	default:
		return nil, input.Invalid(input.Errorf("by", "must be agent or queue, got %q", by))
	}
	where, args := scope.SQL("cr.brand_id", "", "")
	vw, vargs := viewerSQL(v)
	where += vw
	args = append(args, vargs...)
	if brand != 0 {
		where += " AND cr.brand_id = ?"
		args = append(args, brand)
	}
	args = append(args, StatusDone, from.UTC(), to.UTC())
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT COALESCE(`+key+`, 0), `+label+`, cr.total, cr.passed, cr.reviewed_at
		FROM call_reviews cr LEFT JOIN users ua ON ua.id = cr.agent_id LEFT JOIN hotline_queues q ON q.id = cr.queue_id
		WHERE `+where+` AND cr.status = ? AND cr.reviewed_at >= ? AND cr.reviewed_at < ? ORDER BY cr.reviewed_at LIMIT 50000`), args...)
	if err != nil {
		return nil, fmt.Errorf("review trends by %s: %w", by, err)
	}
	defer rows.Close()
	groups := map[string]*Trend{}
	sums := map[string]map[string]float64{}
	for rows.Next() {
		var id int64
		var lbl string
		var total float64
		var passed bool
		var at store.NullTime
		if err := rows.Scan(&id, &lbl, &total, &passed, &at); err != nil {
			return nil, err
		}
		k := ""
		if id != 0 {
			k = strconv.FormatInt(id, 10)
		}
		g := groups[k]
		if g == nil {
			g = &Trend{Key: k, Label: lbl, Weeks: []WeekScore{}}
			groups[k], sums[k] = g, map[string]float64{}
		}
		week, _ := Week(at.Time)
		if n := len(g.Weeks); n == 0 || g.Weeks[n-1].Week != week {
			g.Weeks = append(g.Weeks, WeekScore{Week: week})
		}
		w := &g.Weeks[len(g.Weeks)-1]
		w.Reviews++
		g.Reviews++
		if passed {
			w.Passed++
			g.Passed++
		}
		sums[k][week] += total
		sums[k][""] += total
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Trend, 0, len(groups))
	for k, g := range groups {
		g.Average = round1(sums[k][""] / float64(g.Reviews))
		for i := range g.Weeks {
			g.Weeks[i].Average = round1(sums[k][g.Weeks[i].Week] / float64(g.Weeks[i].Reviews))
		}
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Trend) int {
		if a.Label != b.Label {
			if a.Label < b.Label {
				return -1
			}
			return 1
		}
		if a.Key < b.Key {
			return -1
		}
		return 1
	})
	return out, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
