package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// Abandoned outbound calls (issue 16 section 3; docs/outbound.md, "Abandoned calls"). A campaign
// call answered by a person that no agent was connected to within the grace (2 s after the end of
// the customer's greeting) hears the brand's recorded message and ends with outcome `abandoned`.
// The abandon rate is abandoned calls over calls answered by a person: answered calls
// (outcome answered or abandoned) that the answering-machine detector did not call a machine
// (calls.amd_result; no detection counts as a person). Calls belong to a window by the time
// they were answered. Two windows are reported: the rolling 30 days the FTC's rule reads and
// the last 24 hours Ofcom's reads; each must stay at or under 3%.

// Abandon windows.
const (
	WindowFTC   = 30 * 24 * time.Hour
	WindowOfcom = 24 * time.Hour
	// AbandonLimit is the share of person-answered calls the rules allow to be abandoned.
	AbandonLimit = 0.03
)

// AbandonWindow is one window's count.
type AbandonWindow struct {
	Answered  int     `json:"answered"`  // answered by a person (machines excluded)
	Abandoned int     `json:"abandoned"` // of those, no agent in time
	Rate      float64 `json:"rate"`      // abandoned / answered; 0 with no answers
	Over      bool    `json:"over"`      // rate above AbandonLimit
}

// CampaignAbandons are a campaign's abandon figures in both windows.
type CampaignAbandons struct {
	CampaignID int64         `json:"campaign_id"`
	BrandID    int64         `json:"brand_id"`
	Name       string        `json:"name"`
	Mode       string        `json:"mode"`
	Day        AbandonWindow `json:"last_24h"`
	Month      AbandonWindow `json:"last_30d"`
}

func (w *AbandonWindow) add(answered, abandoned int) {
	w.Answered += answered
	w.Abandoned += abandoned
	w.Rate = 0
	if w.Answered > 0 {
		w.Rate = float64(w.Abandoned) / float64(w.Answered)
	}
	w.Over = w.Rate > AbandonLimit
}

// Abandons reads the abandon figures of the scope's campaigns (campaign 0: all of them, else
// that one) at now, busiest first; campaigns without answered calls in 30 days are left out
// unless asked for by id.
func Abandons(ctx context.Context, db *store.DB, scope access.Scope, campaign int64, now time.Time) ([]CampaignAbandons, error) {
	kb, kbArgs := scope.SQL("k.brand_id", "", "")
	q := `SELECT k.id, k.brand_id, k.name, k.mode,
		COUNT(c.id), COALESCE(SUM(CASE WHEN c.outcome = 'abandoned' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN c.answered_at >= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN c.answered_at >= ? AND c.outcome = 'abandoned' THEN 1 ELSE 0 END), 0)
		FROM campaigns k LEFT JOIN calls c ON c.brand_id = k.brand_id AND c.campaign_ref = CAST(k.id AS TEXT)
			AND c.direction = 'outbound' AND c.answered_at >= ? AND c.answered_at <= ?
			AND c.outcome IN ('answered', 'abandoned') AND (c.amd_result IS NULL OR c.amd_result <> 'machine')
		WHERE ` + kb
	args := append([]any{now.Add(-WindowOfcom), now.Add(-WindowOfcom), now.Add(-WindowFTC), now}, kbArgs...)
	if campaign != 0 {
		q += ` AND k.id = ?`
		args = append(args, campaign)
	}
	q += ` GROUP BY k.id, k.brand_id, k.name, k.mode ORDER BY COUNT(c.id) DESC, k.id LIMIT 200`
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("abandoned calls: %w", err)
	}
	defer rows.Close()
	out := []CampaignAbandons{}
	for rows.Next() {
		var a CampaignAbandons
		var ans30, ab30, ans24, ab24 int
		if err := rows.Scan(&a.CampaignID, &a.BrandID, &a.Name, &a.Mode, &ans30, &ab30, &ans24, &ab24); err != nil {
			return nil, fmt.Errorf("abandoned calls: %w", err)
		}
		if ans30 == 0 && campaign == 0 {
			continue
		}
		a.Month.add(ans30, ab30)
		a.Day.add(ans24, ab24)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Abandons is the dashboard's read of Abandons over scope's campaigns at the dashboard's clock.
func (d *Dashboard) Abandons(ctx context.Context, scope access.Scope) ([]CampaignAbandons, error) {
	return Abandons(ctx, d.db, scope, 0, d.now())
}
